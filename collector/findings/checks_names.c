/*
 * checks_names.c - what a process says it is: its comm, argv[0] (or, for
 * a script, argv[1]) and executable naming three different programs, and
 * an argv padded with NULs (rewritten in place) (findings.h; README
 * "Findings").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "findings_int.h"
#include "jsonx.h"
#include "banned.h"

#define PROCS "volatile/processes.jsonl"
#define NAME_MAX_COMM 15   /* the kernel's TASK_COMM_LEN - 1 */

struct raw_str {
	const char *s;
	size_t n;
	bool escaped;   /* a backslash in it: the parsed record decides */
};

/* The raw bytes of the string after `key` (`"comm":"`); n 0 if absent. */
static struct raw_str raw_after(const char *line, size_t len, const char *key, size_t kl)
{
	struct raw_str r = { NULL, 0, false };
	const char *k = memmem(line, len, key, kl);
	if (!k)
		return r;
	const char *s = k + kl, *end = line + len, *q = s;
	while (q < end && *q != '"') {
		r.escaped |= *q == '\\';
		q += *q == '\\' && q + 1 < end ? 2 : 1;
	}
	r.s = s, r.n = (size_t)(q - s);
	return r;
}

static struct raw_str base_of(struct raw_str p)
{
	for (size_t i = p.n; i > 0; i--)
		if (p.s[i - 1] == '/')
			return (struct raw_str){ p.s + i, p.n - i, p.escaped };
	return p;
}

/* The next string of the cmdline array after `p`, if it is one. */
static struct raw_str raw_next(const char *line, size_t len, struct raw_str p)
{
	struct raw_str r = { NULL, 0, false };
	if (!p.s)
		return r;
	const char *q = p.s + p.n, *end = line + len;
	if (q + 3 > end || q[1] != ',' || q[2] != '"')
		return r;
	return raw_after(q, (size_t)(end - q), "\",\"", 3);
}

/* comm names the program `name` names: comm is name's head, within the
 * 15 bytes comm keeps ("systemd-journal" for systemd-journald, "postgres"
 * for "postgres: checkpointer", "-bash" for bash), or name is comm's head
 * and a separator follows it ("irsnap-nshold" for irsnap). */
static bool agrees(struct raw_str comm, struct raw_str name)
{
	if (name.n && name.s[0] == '-')
		name.s++, name.n--;
	size_t n = comm.n < name.n ? comm.n : name.n;
	if (n > NAME_MAX_COMM)
		n = NAME_MAX_COMM;
	if (!comm.n || !name.n || memcmp(comm.s, name.s, n) != 0)
		return false;
	if (n == comm.n || n == NAME_MAX_COMM)
		return true;
	char next = comm.s[n];   /* name is comm's head */
	return n >= 3 && (next == '-' || next == ':' || next == ' ' || next == '/' || next == '.' ||
			  next == '_');
}

static struct raw_str strip_deleted(struct raw_str e)
{
	static const char del[] = " (deleted)";
	if (e.n >= sizeof(del) - 1 && memcmp(e.s + e.n - (sizeof(del) - 1), del,
					      sizeof(del) - 1) == 0)
		e.n -= sizeof(del) - 1;
	return e;
}

/* The folder of a process's executable, with the first pid that runs from
 * it, for the join with the timeline's world-writable folders. */
static void note_exe_dir(struct findings *f, const char *line, size_t len, const char *exe,
			 size_t n)
{
	char dir[512], key[520];
	const char *slash = memrchr(exe, '/', n);
	if (!slash || slash == exe || (size_t)(slash - exe) >= sizeof(dir))
		return;
	memcpy(dir, exe, (size_t)(slash - exe));
	dir[slash - exe] = '\0';
	if (strset_add(&f->exe_dirs, dir) != 1)
		return;
	const char *p = memmem(line, len, "{\"pid\":", 7);
	snprintf(key, sizeof(key), "exedir:%s", dir);
	json_object_set_new(f->seen_files, key, json_integer(p ? strtoll(p + 7, NULL, 10) : -1));
}

/* Cheap, on every record: wanted when the names disagree, or the argv has
 * two empty strings in a row. */
static bool names_pre(struct findings *f, const char *line, size_t len)
{
	struct raw_str comm = raw_after(line, len, "\"comm\":\"", 8);
	struct raw_str a0 = raw_after(line, len, "\"cmdline\":[\"", 12);
	struct raw_str exe = raw_after(line, len, "\"exe\":\"", 7);
	if (memmem(line, len, "\"kernel_thread\":true", 20))
		return false;
	const char *cl = memmem(line, len, "\"cmdline\":[", 11);
	const char *ce = cl ? memmem(cl, (size_t)(line + len - cl), "],\"", 3) : NULL;
	if (cl && ce && memmem(cl, (size_t)(ce - cl), "\"\",\"\"", 5))
		return true;
	if (exe.s && exe.n && !exe.escaped)
		note_exe_dir(f, line, len, strip_deleted(exe).s, strip_deleted(exe).n);
	if (!comm.s || !a0.s || !exe.s)
		return false;
	if (comm.escaped || a0.escaped || exe.escaped)
		return true;
	struct raw_str a1 = raw_next(line, len, a0);
	struct raw_str eb = base_of(strip_deleted(exe)), a0b = base_of(a0);
	if (agrees(comm, eb) || agrees(comm, a0b) || (a1.s && agrees(comm, base_of(a1))))
		return false;
	return true;
}

static size_t trailing_empty(json_t *argv)
{
	size_t n = json_array_size(argv), k = 0;
	while (k < n) {
		const char *s = json_string_value(json_array_get(argv, n - 1 - k));
		if (!s || *s)
			break;
		k++;
	}
	return k;
}

static struct raw_str rs(const char *s)
{
	return (struct raw_str){ s ? s : "", s ? strlen(s) : 0, false };
}

static void names(struct findings *f, const char *m, json_t *rec, const char *b, size_t n)
{
	(void)b; (void)n;
	json_t *argv = json_object_get(rec, "cmdline");
	const char *comm = rec_str(rec, "comm"), *exe = rec_str(rec, "exe");
	const char *a0 = json_string_value(json_array_get(argv, 0));
	const char *a1 = json_string_value(json_array_get(argv, 1));
	int64_t pid = rec_int(rec, "pid", -1);
	json_t *ev = NULL;
	size_t pad = trailing_empty(argv);

	if (pad >= 2) {
		json_t *seen = json_object();
		json_set_int(seen, "pid", pid);
		json_object_set(seen, "cmdline", argv);
		json_set_int(seen, "empty_args_at_end", (int64_t)pad);
		ev = ev_list(ev_record(m, "pid", pid, "start_ticks", rec_int(rec, "start_ticks", -1)));
		finding(f, "argv_nul_padded", SEV_LOW, "T1036", seen, ev, "pid %lld (%s): its "
			"argv ends in %zu empty strings: rewritten in place, its first words "
			"chosen (setproctitle does it too)", (long long)pid, comm ? comm : "?", pad);
	}
	if (!comm || !exe || !a0 || rec_true(rec, "kernel_thread"))
		return;
	struct raw_str c = rs(comm), eb = base_of(strip_deleted(rs(exe))), a0b = base_of(rs(a0));
	if (agrees(c, eb) || agrees(c, a0b) || (a1 && agrees(c, base_of(rs(a1)))))
		return;
	json_t *seen = json_object();
	json_set_int(seen, "pid", pid);
	json_set_str(seen, "comm", comm);
	json_set_str(seen, "argv0", a0);
	json_set_str(seen, "exe", exe);
	ev = ev_list(ev_record(m, "pid", pid, "start_ticks", rec_int(rec, "start_ticks", -1)));
	finding(f, "name_mismatch", SEV_LOW, "T1036", seen, ev, "pid %lld: comm %.16s, argv[0] "
		"%.60s and exe %.120s name different programs (renamed by itself; daemons "
		"that name their workers do it too)", (long long)pid, comm, a0, exe);
}

const struct check checks_names[] = {
	{ "names", PROCS, { NULL }, false, names, names_pre },
};
const size_t nchecks_names = sizeof(checks_names) / sizeof(checks_names[0]);
