/* Fixture tests of the /proc parsers: stat lines with hostile comm values,
 * maps lines, status fields. */
#include <errno.h>
#include <string.h>

#include "procfs.h"
#include "tap.h"

static const char *stat_tail = " S 1 1234 1234 34816 1234 4194560 100 0 0 0 7 3 0 0 20 0 1 0 "
			       "98765 12345678 321 18446744073709551615";

static int parse(const char *comm, struct proc_stat *st, char *buf, size_t len)
{
	snprintf(buf, len, "4321 (%s)%s", comm, stat_tail);
	return proc_stat_parse(buf, strlen(buf), st);
}

int main(void)
{
	struct proc_stat st;
	char buf[1024];
	static const char *const comms[] = {
		"bash", "a) b (c", ")", "((", "x) S 9 9 9", "new\nline", "\x1b[31m", "",
	};

	for (size_t i = 0; i < sizeof(comms) / sizeof(comms[0]); i++) {
		CHECK(parse(comms[i], &st, buf, sizeof(buf)) == 0);
		CHECK(st.comm_len == strlen(comms[i]) && memcmp(st.comm, comms[i], st.comm_len) == 0);
		CHECK(st.state == 'S' && st.ppid == 1 && st.pgrp == 1234 && st.tty_nr == 34816);
		CHECK(st.flags == 4194560 && st.utime == 7 && st.stime == 3);
		CHECK(st.priority == 20 && st.nice == 0 && st.num_threads == 1);
		CHECK(st.starttime == 98765 && st.vsize == 12345678 && st.rss == 321);
	}
	/* the short tail (an old kernel's 24 fields) leaves the layout zero;
	 * a whole line (52 fields) gives fields 28 and 48-51 */
	CHECK(parse("bash", &st, buf, sizeof(buf)) == 0 && st.startstack == 0 && st.env_end == 0);
	static const char whole[] = "77 (sshd) S 1 77 77 0 -1 4194560 900 0 0 0 1 2 0 0 20 0 1 0 "
		"4242 9000000 800 18446744073709551615 94000000000000 94000000100000 "
		"140000000000000 0 0 0 0 4096 81920 0 0 0 17 1 0 0 0 0 0 94000000200000 "
		"94000000300000 94000000400000 140000000001000 140000000001100 140000000001100 "
		"140000000002000 0\n";
	CHECK(proc_stat_parse(whole, strlen(whole), &st) == 0);
	CHECK(st.starttime == 4242 && st.startstack == 140000000000000ULL);
	CHECK(st.arg_start == 140000000001000ULL && st.arg_end == 140000000001100ULL);
	CHECK(st.env_start == 140000000001100ULL && st.env_end == 140000000002000ULL);
	CHECK(proc_stat_parse("4321 no parens", 14, &st) == -EINVAL);
	CHECK(proc_stat_parse("4321 (cut) S 1 2", 16, &st) == -EINVAL);
	CHECK(proc_stat_parse(")(", 2, &st) == -EINVAL);

	struct map_line m;
	char l1[] = "7f0000000000-7f0000001000 r-xp 00000000 fe:00 1234567                    /usr/lib/libc.so.6";
	CHECK(maps_parse_line(l1, &m) == 0);
	CHECK(m.ino == 1234567 && m.dev_len == 5 && memcmp(m.dev, "fe:00", 5) == 0);
	CHECK(memcmp(m.perms, "r-xp", 4) == 0 && m.path && strcmp(m.path, "/usr/lib/libc.so.6") == 0);
	char l2[] = "7ffd0000-7ffd1000 rw-p 00000000 00:00 0                          [stack]";
	CHECK(maps_parse_line(l2, &m) == 0 && m.ino == 0 && strcmp(m.path, "[stack]") == 0);
	char l3[] = "55550000-55551000 rw-p 00000000 00:00 0 ";
	CHECK(maps_parse_line(l3, &m) == 0 && m.path == NULL);
	char l4[] = "7f00-7f01 r--p 00000000 08:01 42   /tmp/with space (deleted)";
	CHECK(maps_parse_line(l4, &m) == 0 && strcmp(m.path, "/tmp/with space (deleted)") == 0);
	char l5[] = "garbage";
	CHECK(maps_parse_line(l5, &m) == -EINVAL);
	char l6[] = "";
	CHECK(maps_parse_line(l6, &m) == -EINVAL);

	const char *status = "Name:\tbash\nCapEff:\t000001ffffffffff\nSeccomp:\t2\nGroups:\t4 24 27 \n";
	size_t n;
	const char *v = proc_status_field(status, "CapEff", &n);
	CHECK(v && n == 16 && memcmp(v, "000001ffffffffff", 16) == 0);
	v = proc_status_field(status, "Groups", &n);
	CHECK(v && n == 7 && memcmp(v, "4 24 27", 7) == 0);
	CHECK(proc_status_field(status, "Cap", &n) == NULL);
	CHECK(proc_status_field(status, "Missing", &n) == NULL);
	return tap_done("procfs");
}
