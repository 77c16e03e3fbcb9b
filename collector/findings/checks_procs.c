/*
 * checks_procs.c - the checks of processes, their views, environments and
 * mappings (findings.h). Each reads records of one member; README
 * "Findings" says what each looks at, why, and what a benign cause can be.
 */
#include <stdio.h>
#include <string.h>

#include "findings_int.h"
#include "jsonx.h"
#include "banned.h"

#define PROCS "volatile/processes.jsonl"

static json_t *ev_proc(const char *member, json_t *rec)
{
	return ev_list(ev_record(member, "pid", rec_int(rec, "pid", -1), "start_ticks",
				 rec_int(rec, "start_ticks", -1)));
}

static json_t *seen_of(json_t *rec, const char *const *keys)
{
	json_t *s = json_object();
	for (; *keys; keys++) {
		json_t *v = json_object_get(rec, *keys);
		if (v)
			json_object_set(s, *keys, v);
	}
	return s;
}

static const char *const proc_keys[] = { "pid", "ppid", "comm", "exe", "cmdline", NULL };

/* The process check's finding, its process flagged for the joins. */
static void proc_finding(struct findings *f, const char *check, enum severity sev,
			 const char *tech, json_t *rec, const char *what)
{
	int64_t pid = rec_int(rec, "pid", -1);
	const char *comm = rec_str(rec, "comm");
	finding(f, check, sev, tech, seen_of(rec, proc_keys), ev_proc(PROCS, rec),
		"pid %lld (%s): %s", (long long)pid, comm ? comm : "?", what);
	flag_process(f, pid, rec_int(rec, "start_ticks", -1), sev, check);
}

/* ---- the two /proc views and the pid probe ---------------------------- */

static void proc_views(struct findings *f, const char *m, json_t *rec, const char *b, size_t n)
{
	(void)b; (void)n;
	const char *kind = rec_str(rec, "kind");
	int64_t pid = rec_int(rec, "pid", -1);
	if (!kind)
		return;
	if (strcmp(kind, "mount-on-proc") == 0) {
		if (rec_true(rec, "usual"))
			return;
		const char *mp = rec_str(rec, "mount_point");
		finding(f, "proc_mount", SEV_HIGH, "T1014", seen_of(rec, (const char *const[]){
			"mount_point", "fstype", "mountinfo", NULL }), ev_list(ev_member(m)),
			"a mount on %s in the host's /proc: it hides or forges what tools read there",
			mp ? mp : "?");
		return;
	}
	if (strcmp(kind, "mount-in-irsnap-view") == 0) {
		finding(f, "proc_mount_in_view", SEV_HIGH, "T1014", seen_of(rec,
			(const char *const[]){ "mountinfo", NULL }), ev_list(ev_member(m)),
			"a mount was made on irsnap's own /proc while it read: a process entered "
			"irsnap's mount namespace to cover what it reads");
		if (pid > 0)
			flag_process(f, pid, -1, SEV_HIGH, "proc_mount_in_view");
		return;
	}
	json_t *s = json_deep_copy(rec);
	finding(f, "proc_view_differs", SEV_HIGH, "T1014", s, ev_list(ev_record(m, "pid", pid,
		NULL, 0)), "pid %lld: %s (the host's /proc hides or forges it; irsnap's own "
		"procfs shows it)", (long long)pid, kind);
	flag_process(f, pid, -1, SEV_HIGH, "proc_view_differs");
}

/* ---- one process record --------------------------------------------- */

static bool starts(const char *s, const char *prefix)
{
	return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

static const char *base(const char *path)
{
	const char *s = path ? strrchr(path, '/') : NULL;
	return s ? s + 1 : path ? path : "";
}

/* Names the kernel gives its threads. */
static bool kthread_name(const char *s)
{
	static const char *const k[] = { "kworker", "ksoftirqd", "kthreadd", "migration/",
		"rcu_", "kswapd", "watchdog", "kcompactd", "khugepaged", "kauditd", "kblockd",
		"jbd2/", "cpuhp/", "irq/", "kdevtmpfs", "oom_reaper", "writeback", NULL };
	if (!s)
		return false;
	if (*s == '[')
		s++;
	for (int i = 0; k[i]; i++)
		if (starts(s, k[i]))
			return true;
	return false;
}

static void fake_kthread(struct findings *f, const char *m, json_t *rec, const char *b, size_t n)
{
	(void)m; (void)b; (void)n;
	if (rec_true(rec, "kernel_thread_contradicted")) {
		proc_finding(f, "kernel_thread_contradicted", SEV_HIGH, "T1014", rec,
			     "its stat says kernel thread, the rest of /proc says otherwise");
		return;
	}
	if (rec_true(rec, "kernel_thread"))
		return;
	json_t *argv = json_object_get(rec, "cmdline");
	const char *a0 = json_string_value(json_array_get(argv, 0));
	const char *comm = rec_str(rec, "comm");
	bool bracketed = a0 && a0[0] == '[' && a0[strlen(a0) - 1] == ']';
	if (bracketed || (kthread_name(comm) && rec_str(rec, "exe")))
		proc_finding(f, "fake_kernel_thread", SEV_HIGH, "T1036.004", rec,
			     "a user process named like a kernel thread");
}

/* Without parsing, whether a process record may hold what the two checks
 * above look for: a true flag (every such key is false or absent in a
 * plain process), a kernel thread's name, a bracketed argv[0], an exe in a
 * memfd or a temporary place, on a tmpfs, or a masked path. */
static bool procs_pre(struct findings *f, const char *line, size_t len)
{
	static const char c[] = "\"comm\":\"", a[] = "\"cmdline\":[\"[", e[] = "\"exe\":\"";
	(void)f;
	if (HAS(line, len, "\":true") || HAS(line, len, "\"exe_path_names\"") ||
	    HAS(line, len, "\"exe_fs\":\"tmpfs\""))
		return true;
	const char *k = memmem(line, len, c, sizeof(c) - 1);
	if (k) {
		char comm[24];
		size_t n = 0;
		for (const char *q = k + sizeof(c) - 1; q < line + len && *q != '"' && n + 1 < sizeof(comm); q++)
			comm[n++] = *q;
		comm[n] = '\0';
		if (kthread_name(comm))
			return true;
		const char *rest = k + sizeof(c) - 1;
		if (memmem(rest, (size_t)(line + len - rest), a, sizeof(a) - 1))
			return true;
	}
	const char *x = memmem(line, len, e, sizeof(e) - 1);
	if (!x)
		return false;
	x += sizeof(e) - 1;
	size_t left = (size_t)(line + len - x);
	static const char *const temp[] = { "/memfd:", "/tmp/", "/var/tmp/", "/dev/shm/", NULL };
	for (int i = 0; temp[i]; i++)
		if (left >= strlen(temp[i]) && memcmp(x, temp[i], strlen(temp[i])) == 0)
			return true;
	return false;
}

static void exe_checks(struct findings *f, const char *m, json_t *rec, const char *b, size_t n)
{
	(void)m; (void)b; (void)n;
	const char *exe = rec_str(rec, "exe"), *fs = rec_str(rec, "exe_fs");
	if (!exe)
		return;
	if (starts(exe, "/memfd:sealed-") || starts(exe, "/memfd:runc_cloned")) {
		/* runc and sandboxes run a sealed copy of themselves (CVE-2019-5736):
		 * a payload can take the name, so it is still said */
		proc_finding(f, "exe_memfd", SEV_MEDIUM, "T1620", rec,
			     "runs from a memfd named like a runtime's sealed self-copy");
	} else if (starts(exe, "/memfd:")) {
		proc_finding(f, "exe_memfd", SEV_HIGH, "T1620", rec,
			     "runs from a memfd: a program never written to disk");
	} else if (rec_true(rec, "exe_deleted")) {
		bool sys = starts(exe, "/usr/") || starts(exe, "/bin/") || starts(exe, "/sbin/") ||
			   starts(exe, "/lib") || starts(exe, "/opt/");
		proc_finding(f, "exe_deleted", sys ? SEV_MEDIUM : SEV_HIGH, "T1070.004", rec,
			     sys ? "its executable was deleted (an upgrade, or a payload removed)" :
			     "its executable was deleted, outside the system directories");
	}
	if (starts(exe, "/tmp/") || starts(exe, "/var/tmp/") || starts(exe, "/dev/shm/") ||
	    (fs && strcmp(fs, "tmpfs") == 0 && !starts(exe, "/memfd:")))
		proc_finding(f, "exe_in_temp", starts(exe, "/dev/shm/") ? SEV_HIGH : SEV_MEDIUM,
			     "T1036.005", rec, "runs from a temporary, world-writable place");
	if (json_object_get(rec, "exe_path_names"))
		proc_finding(f, "exe_path_masked", SEV_HIGH, "T1036.005", rec,
			     "its exe path names another file than the one running");
	if (rec_true(rec, "args_moved"))
		proc_finding(f, "args_moved", SEV_HIGH, "T1036", rec,
			     "its argv was moved out of the stack (PR_SET_MM): what ps shows is "
			     "what it chose");
	if (rec_true(rec, "proc_overmounted"))
		proc_finding(f, "proc_overmounted", SEV_HIGH, "T1014", rec,
			     "a file of its /proc folder is another mount");
	(void)base;
}

/* ---- environments, mappings, netlink ----------------------------------- */

static void env_preload(struct findings *f, const char *m, json_t *rec, const char *b, size_t n)
{
	(void)b; (void)n;
	json_t *env = json_object_get(rec, "environ"), *v;
	size_t i;
	json_array_foreach(env, i, v) {
		const char *s = json_string_value(v);
		if (!starts(s, "LD_PRELOAD=") && !starts(s, "LD_AUDIT="))
			continue;
		json_t *seen = json_object();
		json_set_int(seen, "pid", rec_int(rec, "pid", -1));
		json_object_set(seen, "variable", v);
		int64_t pid = rec_int(rec, "pid", -1);
		finding(f, "env_preload", SEV_HIGH, "T1574.006", seen, ev_proc(m, rec),
			"pid %lld: %.*s in its environment: a library loaded into it first",
			(long long)pid, (int)(strchr(s, '=') - s), s);
		flag_process(f, pid, rec_int(rec, "start_ticks", -1), SEV_HIGH, "env_preload");
	}
}

static bool system_lib(const char *t)
{
	static const char *const d[] = { "/usr/lib/", "/usr/lib64/", "/usr/lib32/", "/lib/",
		"/lib64/", "/lib32/", "/usr/libexec/", "/usr/bin/", "/usr/sbin/", "/bin/", "/sbin/",
		"/usr/share/", "/var/cache/", "/etc/ld.so.cache", NULL };
	for (int i = 0; d[i]; i++)
		if (starts(t, d[i]))
			return true;
	return false;
}

/* A mapped file reported once per file (dev:ino), whatever maps it. */
static bool first_time(struct findings *f, const char *check, json_t *rec)
{
	char key[160];
	snprintf(key, sizeof(key), "%s %s:%lld", check, rec_str(rec, "dev") ? rec_str(rec, "dev") :
		 "", (long long)rec_int(rec, "ino", 0));
	if (json_object_get(f->seen_files, key))
		return false;
	json_object_set_new(f->seen_files, key, json_true());
	return true;
}

static void mapped(struct findings *f, const char *m, json_t *rec, const char *b, size_t n)
{
	(void)b; (void)n;
	const char *type = rec_str(rec, "type"), *t = rec_str(rec, "target");
	int64_t pid = rec_int(rec, "pid", -1);
	static const char *const keys[] = { "pid", "type", "target", "deleted", "perms",
		"start", "size", "wx", NULL };
	if (type && strcmp(type, "mmap-anon-exec") == 0) {
		bool wx = rec_true(rec, "wx");
		finding(f, "anon_exec", wx ? SEV_MEDIUM : SEV_LOW, "T1055", seen_of(rec, keys),
			ev_list(ev_record(m, "pid", pid, NULL, 0)), "pid %lld: executable memory "
			"no file backs%s (a JIT, or injected code)", (long long)pid,
			wx ? ", writable too" : "");
		return;
	}
	if (!type || strcmp(type, "mmap") != 0 || !t)
		return;
	const char *check = NULL, *why = NULL;
	enum severity sev = SEV_LOW;
	if (starts(t, "/memfd:sealed-") || starts(t, "/memfd:runc_cloned")) {
		check = "lib_memfd", sev = SEV_MEDIUM;
		why = "a memfd mapped, named like a runtime's sealed self-copy";
	} else if (starts(t, "/memfd:")) {
		check = "lib_memfd", sev = SEV_HIGH, why = "a memfd mapped: code never on disk";
	} else if (rec_true(rec, "deleted")) {
		check = "lib_deleted", sev = system_lib(t) ? SEV_LOW : SEV_MEDIUM;
		why = "a deleted file mapped (an upgrade, or a payload removed)";
	} else if (starts(t, "/tmp/") || starts(t, "/var/tmp/") || starts(t, "/dev/shm/")) {
		check = "lib_in_temp", sev = SEV_HIGH, why = "a file mapped from a temporary place";
	} else if (!system_lib(t)) {
		check = "lib_outside_system", sev = SEV_INFO;
		why = "a file mapped from outside the system directories";
	}
	if (!check || !first_time(f, check, rec))
		return;
	finding(f, check, sev, sev <= SEV_MEDIUM ? "T1574.006" : NULL, seen_of(rec, keys),
		ev_list(ev_record(m, "pid", pid, NULL, 0)), "%s: %s (first seen in pid %lld)", t,
		why, (long long)pid);
	if (sev <= SEV_MEDIUM)
		flag_process(f, pid, -1, sev, check);
}

/* Without parsing: anonymous executable memory, or a mapped file whose
 * target (raw bytes) was not judged before and is deleted, a memfd, or
 * outside the system directories. */
static bool mapped_pre(struct findings *f, const char *line, size_t len)
{
	static const char tk[] = "\"target\":\"", mm[] = ",\"fd\":null,\"type\":\"mmap";
	/* the mappings' records open {"pid":N,"fd":null,"type":"mmap...: an fd's
	 * is told at its start, without scanning it */
	size_t head = len < 48 ? len : 48;
	const char *at = memmem(line, head, mm, sizeof(mm) - 1);
	if (!at)
		return false;
	at += sizeof(mm) - 1;
	if (at < line + len && *at == '-')
		return true;   /* mmap-anon-exec */
	const char *t = memmem(line, len, tk, sizeof(tk) - 1);
	if (!t)
		return false;
	t += sizeof(tk) - 1;
	const char *q = t;
	while (q < line + len && *q != '"')
		q += *q == '\\' ? 2 : 1;
	if (q >= line + len || q - t > 4096)
		return true;   /* let the parser judge an odd line */
	char raw[4100];
	memcpy(raw, t, (size_t)(q - t));
	raw[q - t] = '\0';
	static const char del[] = "\",\"deleted\":true";   /* the key after target */
	bool deleted = (size_t)(line + len - q) >= sizeof(del) - 1 &&
		       memcmp(q, del, sizeof(del) - 1) == 0;
	if (!deleted && system_lib(raw))
		return false;
	if (deleted)   /* judged per file (dev, ino) after parsing */
		return true;
	return strset_add(&f->targets, raw) != 0;   /* new (or no memory: parse) */
}

static void netlink_listener(struct findings *f, const char *m, json_t *rec, const char *b,
			     size_t n)
{
	(void)b; (void)n;
	if (!rec_true(rec, "proc_events_listener"))
		return;
	json_t *owners = json_object_get(rec, "owners");
	json_t *o0 = json_array_get(owners, 0);
	finding(f, "proc_events_listener", SEV_MEDIUM, "T1057", seen_of(rec, (const char *const[]){
		"netns", "inode", "owners", NULL }), ev_list(ev_record(m, "inode",
		rec_int(rec, "inode", -1), "netns", rec_int(rec, "netns", -1))),
		"a process event listener (%s): it sees every process start, a collector's too",
		o0 ? rec_str(o0, "comm") ? rec_str(o0, "comm") : "?" : "no owner");
}

const struct check checks_procs[] = {
	{ "proc_views", "volatile/proc-views.jsonl", { NULL }, false, proc_views },
	{ "fake_kernel_thread", PROCS, { NULL }, false, fake_kthread, procs_pre },
	{ "exe", PROCS, { NULL }, false, exe_checks, procs_pre },
	{ "env_preload", "volatile/environ.jsonl", { "\"LD_PRELOAD=", "\"LD_AUDIT=" }, false,
	  env_preload },
	{ "mapped", "volatile/open-files.jsonl", { NULL }, false, mapped, mapped_pre },
	{ "proc_events_listener", "volatile/netlink.jsonl", { "\"proc_events_listener\":true" },
	  false, netlink_listener },
};
const size_t nchecks_procs = sizeof(checks_procs) / sizeof(checks_procs[0]);
