/*
 * Unit tests of the findings checks that read members a test on a live
 * host cannot make (a tainted kernel, a module in one view, lockdown off)
 * or must make exactly (login record sequences, bodyfile lines with
 * hostile names), fed to the engine as the bundle writer hands them over:
 * in writes of every size, so records cross writes.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "findings.h"
#include "tap.h"

#define NOW 1800000000LL

/* the fault build's: the checks below read without injected faults */
void irsnap_fault_pause(void) __attribute__((weak));
void irsnap_fault_resume(void) __attribute__((weak));
static void reading(bool on)
{
	if (on && irsnap_fault_pause)
		irsnap_fault_pause();
	else if (!on && irsnap_fault_resume)
		irsnap_fault_resume();
}

static bool streq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

static bool holds(const char *a, const char *b)
{
	return a && strstr(a, b);
}

static void feed(struct findings *f, const char *member, const char *text, size_t step)
{
	size_t n = strlen(text);
	for (size_t i = 0; i < n; i += step)
		findings_tap(f, member, text + i, n - i < step ? n - i : step);
	findings_tap(f, member, NULL, 0);
}

/* The findings of `check`: how many, and the first one's record. */
static int count(const char *text, size_t len, const char *check, const char *sev,
		 json_t **first)
{
	int n = 0;
	for (const char *l = text; l < text + len;) {
		const char *nl = memchr(l, '\n', (size_t)(text + len - l));
		if (!nl)
			break;
		json_t *o = json_loadb(l, (size_t)(nl - l), 0, NULL);
		const char *c = json_string_value(json_object_get(o, "check"));
		const char *s = json_string_value(json_object_get(o, "severity"));
		if (c && strcmp(c, check) == 0 && (!sev || (s && strcmp(s, sev) == 0))) {
			if (n++ == 0 && first)
				*first = json_incref(o);
		}
		json_decref(o);
		l = nl + 1;
	}
	return n;
}

static const char kernel[] =
	"{\"tainted\":12288,\"taint_flags\":[\"out-of-tree-module\",\"unsigned-module\"],"
	"\"lockdown\":\"[none] integrity confidentiality\",\"modules\":{\"proc_modules\":3,"
	"\"sys_module_loaded\":4,\"only_in_proc_modules\":[],\"only_in_sys_module\":[\"diamorphine\"]}}";

/* wtmp as the logins source writes it: boot, runlevel, a root login from
 * an address that failed three times (btmp), a login with its user zeroed,
 * a logout naming a user, a host that names another address, a logout of
 * no login, then a boot with no runlevel after the one before */
#define W(off, type, pid, line, user, host, addr, t) \
	"{\"source\":\"/var/log/wtmp\",\"offset\":" #off ",\"type\":" #type ",\"pid\":" #pid \
	",\"line\":\"" line "\",\"id\":\"\",\"user\":\"" user "\",\"host\":\"" host "\"," \
	"\"time_epoch\":" #t ",\"addr\":\"" addr "\",\"flags\":[]}\n"
static const char wtmp[] =
	W(0, 2, 0, "~", "reboot", "6.1", "0.0.0.0", 1799990000)
	W(384, 1, 53, "~", "runlevel", "6.1", "0.0.0.0", 1799990005)
	W(768, 7, 900, "pts/0", "root", "203.0.113.9", "203.0.113.9", 1799999000)
	W(1152, 7, 901, "pts/1", "", "10.0.0.2", "10.0.0.2", 1799999100)
	W(1536, 8, 900, "pts/0", "root", "", "0.0.0.0", 1799999200)
	W(1920, 7, 902, "pts/2", "bob", "198.51.100.1", "192.0.2.1", 1799999300)
	W(2304, 8, 777, "pts/9", "", "", "0.0.0.0", 1799999400)
	W(2688, 2, 0, "~", "reboot", "6.1", "0.0.0.0", 1799999500)
	W(3072, 2, 0, "~", "reboot", "6.1", "0.0.0.0", 1799999600);
static const char btmp[] =
	W(0, 6, 800, "ssh:notty", "root", "203.0.113.9", "203.0.113.9", 1799998000)
	W(384, 6, 801, "ssh:notty", "root", "203.0.113.9", "203.0.113.9", 1799998100)
	W(768, 6, 802, "ssh:notty", "admin", "203.0.113.9", "203.0.113.9", 1799998200)
	W(1152, 6, 803, "ssh:notty", "root", "198.51.100.7", "198.51.100.7", 1799998300);

/* bodyfile lines: a cron file changed a day before, one changed long ago, a
 * SUID root file in /tmp whose name holds an escaped bar and " -> ", a
 * SUID file in /usr changed long ago, a file not in any persistence place */
static const char body[] =
	"0|/etc/cron.d/evil|11|r/-rw-r--r--|0|0|12|1799990000|1799913600|1799913600|0\n"
	"0|/etc/cron.d/old|12|r/-rw-r--r--|0|0|12|1700000000|1700000000|1700000000|0\n"
	"0|/tmp/a\\x7cb -> c|13|r/-rwsr-xr-x|0|0|9|1799990000|1799990000|1799990000|0\n"
	"0|/usr/bin/passwd|14|r/-rwsr-xr-x|0|0|9|1700000000|1700000000|1700000000|0\n"
	"0|/usr/share/doc/x|15|r/-rw-r--r--|0|0|9|1799990000|1799990000|1799990000|0\n"
	"0|/home/eve/.ssh/authorized_keys|16|r/-rw-------|1000|1000|90|1|1799999000|1799999000|0\n"
	"0|/usr/lib/udev/rules.d/99-x.rules|17|r/-rw-r--r--|0|0|40|1|1799990000|1799990000|0\n"
	"0|/run/udev/rules.d/75-y.rules|18|r/-rw-r--r--|0|0|40|1|1799990000|1799990000|0\n"
	"0|/home/eve/.config/autostart/z.desktop|19|r/-rw-r--r--|1000|1000|40|1|1799990000|1799990000|0\n"
	"0|/etc/modules-load.d/rk.conf|20|r/-rw-r--r--|0|0|3|1|1799990000|1799990000|0\n"
	"0|/lib/udev/hwdb.d/old|24|r/-rw-r--r--|0|0|3|1|1799990000|1799990000|0\n"
	"a broken line|\n";

/* lastlog: root at 1799999000 (wtmp has that login), eve at 1799999300
 * (wtmp covers it, has none), bob long before wtmp's first record */
static const char lastlog[] =
	"{\"source\":\"/var/log/lastlog\",\"offset\":0,\"uid\":0,\"user\":\"root\","
	"\"time_epoch\":1799999001,\"line\":\"pts/0\",\"host\":\"203.0.113.9\"}\n"
	"{\"source\":\"/var/log/lastlog\",\"offset\":292000,\"uid\":1000,\"user\":\"eve\","
	"\"time_epoch\":1799999300,\"line\":\"pts/4\",\"host\":\"192.0.2.66\"}\n"
	"{\"source\":\"/var/log/lastlog\",\"offset\":292292,\"uid\":1001,\"user\":\"bob\","
	"\"time_epoch\":1500000000,\"line\":\"pts/5\",\"host\":\"\"}\n";

/* processes running from a world-writable folder, a sticky one, and a
 * plain one; the timeline's lines of those folders */
static const char procs[] =
	"{\"pid\":41,\"kernel_thread\":false,\"comm\":\"tool\",\"cmdline\":[\"tool\"],"
	"\"exe\":\"/opt/ww/bin/tool\"}\n"
	"{\"pid\":42,\"kernel_thread\":false,\"comm\":\"t2\",\"cmdline\":[\"t2\"],"
	"\"exe\":\"/opt/sticky/t2 (deleted)\"}\n"
	"{\"pid\":43,\"kernel_thread\":false,\"comm\":\"t3\",\"cmdline\":[\"t3\"],"
	"\"exe\":\"/opt/plain/t3\"}\n";
static const char body_dirs[] =
	"0|/opt/ww/bin|21|d/drwxrwxrwx|0|0|4096|1|1|1|0\n"
	"0|/opt/sticky|22|d/drwxrwxrwt|0|0|4096|1|1|1|0\n"
	"0|/opt/plain|23|d/drwxr-xr-x|0|0|4096|1|1|1|0\n";

int main(void)
{
	for (size_t step = 1; step <= 4096; step = step * 3 + 1) {
		struct findings *f = findings_new(NOW, 30);
		REQUIRE(f);
		feed(f, "system/kernel.json", kernel, step);
		feed(f, "logins/btmp.jsonl", btmp, step);
		feed(f, "logins/wtmp.jsonl", wtmp, step);
		feed(f, "timeline/bodyfile.0001", body, step);
		feed(f, "logins/lastlog.jsonl", lastlog, step);
		feed(f, "volatile/processes.jsonl", procs, step);
		feed(f, "timeline/bodyfile.0002", body_dirs, step);
		feed(f, "fs/etc/ld.so.conf.d/x.conf",
		     "# c\n/usr/lib/x86_64-linux-gnu/libfakeroot\n/dev/shm/.l\ninclude /etc/x\n"
		     "/opt/vendor/lib\n/usr/lib/../../tmp\n", step);
		feed(f, "system/net/4026531840/links.jsonl", "{\"index\":1,\"name\":\"lo\","
		     "\"promiscuous\":false}\n{\"index\":7,\"name\":\"eth9\",\"promiscuous\":true}\n",
		     step);
		const char *t;
		size_t n;
		json_t *o = NULL;
		findings_finish(f, &t, &n);
		reading(true);
		printf("# writes of %zu bytes\n", step);
		CHECK(count(t, n, "kernel_tainted", "medium", NULL) == 2);
		CHECK(count(t, n, "module_one_view", "high", &o) == 1);
		CHECK(o && streq(json_string_value(json_object_get(json_object_get(o, "seen"),
			"module")), "diamorphine"));
		json_decref(o), o = NULL;
		CHECK(count(t, n, "lockdown_off", "low", NULL) == 1);
		/* three failures from 203.0.113.9 within the day, then root's login:
		 * high, evidence at wtmp offset 768; 198.51.100.7 never succeeded */
		CHECK(count(t, n, "login_after_failures", "high", &o) == 1);
		CHECK(o && json_integer_value(json_object_get(json_object_get(o, "seen"),
			"failures")) == 3);
		CHECK(o && json_integer_value(json_object_get(json_object_get(json_array_get(
			json_object_get(o, "evidence"), 0), "keys"), "offset")) == 768);
		json_decref(o), o = NULL;
		CHECK(count(t, n, "login_record_part_zeroed", "medium", &o) == 1);
		CHECK(o && json_integer_value(json_object_get(json_object_get(json_array_get(
			json_object_get(o, "evidence"), 0), "keys"), "offset")) == 1152);
		json_decref(o), o = NULL;
		CHECK(count(t, n, "logout_with_user", "medium", NULL) == 1);
		CHECK(count(t, n, "login_host_addr_differ", "medium", NULL) == 1);
		CHECK(count(t, n, "logout_without_login", "low", NULL) == 1);
		CHECK(count(t, n, "boot_without_runlevel", "low", NULL) == 1);
		/* the bodyfile: only the cron file in the window; the SUID file in
		 * /tmp, whatever its name holds, is high; the old one in /usr none */
		CHECK(count(t, n, "persistence_changed", NULL, NULL) == 6);
		CHECK(count(t, n, "persistence_changed", "medium", &o) == 5);
		CHECK(o && streq(json_string_value(json_object_get(json_object_get(o, "seen"),
			"path")), "/etc/cron.d/evil"));
		json_decref(o), o = NULL;
		/* a package's udev rule is low, a rule in /run, a user's XDG
		 * autostart entry and a module list medium; hwdb.d is no place */
		CHECK(count(t, n, "persistence_changed", "low", &o) == 1);
		CHECK(o && streq(json_string_value(json_object_get(o, "technique")), "T1546.017"));
		json_decref(o), o = NULL;
		CHECK(holds(t, "\"XDG autostart entry /home/eve/.config/autostart/z.desktop") &&
		      holds(t, "\"T1547.013\"") && holds(t, "\"T1547.006\"") &&
		      holds(t, "udev rule /run/udev/rules.d/75-y.rules"));
		CHECK(!holds(t, "hwdb.d"));
		CHECK(count(t, n, "suid_file", "high", &o) == 1);
		CHECK(o && streq(json_string_value(json_object_get(json_object_get(o, "seen"),
			"path")), "/tmp/a\\x7cb -> c"));
		json_decref(o), o = NULL;
		CHECK(count(t, n, "suid_file", NULL, NULL) == 1);
		CHECK(count(t, n, "ld_so_conf_dir", "high", NULL) == 2);   /* /dev/shm, ../tmp */
		CHECK(count(t, n, "ld_so_conf_dir", "low", NULL) == 1);    /* /opt/vendor/lib */
		CHECK(count(t, n, "interface_promiscuous", "medium", &o) == 1);
		CHECK(o && holds(json_string_value(json_object_get(o, "title")), "eth9"));
		json_decref(o), o = NULL;
		CHECK(count(t, n, "lastlog_not_in_wtmp", "medium", &o) == 1);
		CHECK(o && streq(json_string_value(json_object_get(json_object_get(o, "seen"),
			"user")), "eve"));
		json_decref(o), o = NULL;
		CHECK(count(t, n, "exe_dir_world_writable", "medium", &o) == 1);
		CHECK(o && json_integer_value(json_object_get(json_object_get(o, "seen"), "pid")) == 41);
		CHECK(o && streq(json_string_value(json_object_get(json_array_get(json_object_get(o,
			"evidence"), 0), "member")), "timeline/bodyfile.0002"));
		json_decref(o), o = NULL;
		reading(false);
		findings_free(f);
	}
	/* more logins than the joins keep: the oldest go, it is said, and a
	 * lastlog time among the dropped ones is not called missing */
	struct findings *f = findings_new(NOW, 30);
	REQUIRE(f);
	static char big[20000 * 240];
	size_t at = 0;
	for (int i = 0; i < 20000; i++)
		at += (size_t)snprintf(big + at, sizeof(big) - at, "{\"source\":\"/var/log/wtmp\","
			"\"offset\":%d,\"type\":7,\"pid\":%d,\"line\":\"pts/1\",\"user\":\"u%d\","
			"\"host\":\"10.1.2.3\",\"time_epoch\":%d,\"addr\":\"10.1.2.3\",\"flags\":[]}\n",
			i * 384, 100 + i, i % 7, 1700000000 + i * 60);
	feed(f, "logins/wtmp.jsonl", big, 65536);
	feed(f, "logins/lastlog.jsonl", "{\"offset\":0,\"user\":\"u1\",\"time_epoch\":1700000060}\n"
	     "{\"offset\":292,\"user\":\"u2\",\"time_epoch\":1700999990}\n", 7);
	const char *t;
	size_t n;
	json_t *o = NULL;
	findings_finish(f, &t, &n);
	reading(true);
	CHECK(count(t, n, "logins_join_capped", "info", &o) == 1);
	CHECK(o && holds(json_string_value(json_object_get(o, "title")), "3616 logins"));
	json_decref(o), o = NULL;
	/* u1's login at 1700000060 was dropped: not said; u2's time, within the
	 * kept logins' span, matches none: said */
	CHECK(count(t, n, "lastlog_not_in_wtmp", NULL, &o) == 1);
	CHECK(o && streq(json_string_value(json_object_get(json_object_get(o, "seen"), "user")), "u2"));
	json_decref(o);
	findings_free(f);
	return tap_done("findings");
}
