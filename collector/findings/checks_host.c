/*
 * checks_host.c - the checks of the kernel (taint, modules in one view,
 * lockdown), of the interfaces (promiscuous) and of the loader's search
 * path (ld.so.conf) and of the packaged programs (package-verify.jsonl)
 * (findings.h; README "Findings" says what each looks at and what a benign
 * cause can be).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "findings_int.h"
#include "jsonx.h"
#include "banned.h"

/* ---- the kernel --------------------------------------------------------- */

/* Taint flags a rootkit's module leaves; the others (a warning, a machine
 * check) are not the loader's. */
static enum severity taint_severity(const char *flag)
{
	static const char *const loader[] = { "unsigned-module", "forced-module-load",
		"forced-module-unload", "out-of-tree-module", "proprietary-module", NULL };
	for (int i = 0; loader[i]; i++)
		if (strcmp(flag, loader[i]) == 0)
			return strcmp(flag, "proprietary-module") == 0 ? SEV_LOW : SEV_MEDIUM;
	return SEV_INFO;
}

static void kernel_taint(struct findings *f, const char *m, json_t *k)
{
	json_t *flags = json_object_get(k, "taint_flags");
	size_t i;
	json_t *v;

	json_array_foreach(flags, i, v) {
		const char *flag = json_string_value(v);
		if (!flag)
			continue;
		json_t *seen = json_object();
		json_set_int(seen, "tainted", rec_int(k, "tainted", 0));
		json_set_str(seen, "flag", flag);
		enum severity sev = taint_severity(flag);
		finding(f, "kernel_tainted", sev, sev == SEV_MEDIUM ? "T1547.006" : NULL, seen,
			ev_list(ev_str(m, "taint_flags", flag)),
			"the kernel is tainted: %s%s", flag, sev == SEV_MEDIUM ?
			" (a module loaded outside the kernel's own build or signature)" : "");
	}
}

static void kernel_modules(struct findings *f, const char *m, json_t *k)
{
	static const char *const views[] = { "only_in_proc_modules", "only_in_sys_module" };
	json_t *mods = json_object_get(k, "modules");

	for (int w = 0; w < 2; w++) {
		size_t i;
		json_t *v;
		json_array_foreach(json_object_get(mods, views[w]), i, v) {
			const char *name = json_string_value(v);
			if (!name)
				continue;
			json_t *seen = json_object();
			json_set_str(seen, "module", name);
			json_set_str(seen, "view", views[w]);
			finding(f, "module_one_view", SEV_HIGH, "T1014", seen,
				ev_list(ev_str(m, views[w], name)),
				"kernel module %s is in %s only: a module that hides itself from "
				"the other list", name, w == 0 ? "/proc/modules" : "/sys/module");
		}
	}
}

/* "[none] integrity confidentiality": the selected mode is bracketed. */
static void kernel_lockdown(struct findings *f, const char *m, json_t *k)
{
	const char *l = rec_str(k, "lockdown");

	if (!l || !strstr(l, "[none]"))
		return;   /* unsupported (null), or on */
	json_t *seen = json_object();
	json_set_bytes(seen, "lockdown", l, strlen(l));
	finding(f, "lockdown_off", SEV_LOW, NULL, seen, ev_list(ev_str(m, "lockdown", l)),
		"kernel lockdown is supported but off: root can load unsigned modules and "
		"write kernel memory");
}

static void kernel_json(struct findings *f, const char *m, json_t *rec, const char *b, size_t n)
{
	(void)rec;
	json_t *k = json_loadb(b, n, 0, NULL);

	if (json_is_object(k)) {
		kernel_taint(f, m, k);
		kernel_modules(f, m, k);
		kernel_lockdown(f, m, k);
	}
	json_decref(k);
}

/* ---- interfaces --------------------------------------------------------- */

static void link_promisc(struct findings *f, const char *m, json_t *rec, const char *b, size_t n)
{
	(void)b; (void)n;
	if (!rec_true(rec, "promiscuous"))
		return;
	const char *name = rec_str(rec, "name");
	json_t *seen = json_object();
	json_set_str(seen, "name", name);
	json_set_int(seen, "index", rec_int(rec, "index", -1));
	json_set_str(seen, "kind", rec_str(rec, "kind"));
	finding(f, "interface_promiscuous", SEV_MEDIUM, "T1040", seen,
		ev_list(ev_record(m, "index", rec_int(rec, "index", -1), NULL, 0)),
		"interface %s is promiscuous: it receives every frame on its link (a sniffer; "
		"bridges and capture tools do it too)", name ? name : "?");
}

/* ---- the loader's search path -------------------------------------------- */

static bool system_libdir(const char *d, size_t n)
{
	static const char *const dirs[] = { "/lib", "/lib64", "/lib32", "/libx32", "/usr/lib",
		"/usr/lib64", "/usr/lib32", "/usr/libx32", "/usr/local/lib", NULL };
	while (n > 1 && d[n - 1] == '/')
		n--;
	for (int i = 0; dirs[i]; i++) {
		size_t l = strlen(dirs[i]);
		/* the directory or one under it (a multiarch triplet, a package's) */
		if (n >= l && memcmp(d, dirs[i], l) == 0 && (n == l || d[l] == '/') &&
		    !memmem(d, n, "/..", 3))
			return true;
	}
	return false;
}

static bool temp_dir(const char *d, size_t n)
{
	return (n >= 4 && memcmp(d, "/tmp", 4) == 0 && (n == 4 || d[4] == '/')) ||
	       (n >= 8 && memcmp(d, "/var/tmp", 8) == 0 && (n == 8 || d[8] == '/')) ||
	       (n >= 8 && memcmp(d, "/dev/shm", 8) == 0 && (n == 8 || d[8] == '/'));
}

/* Each line of ld.so.conf or a file it includes: a directory (or an
 * include, a comment) */
static void ldconf_file(struct findings *f, const char *m, json_t *rec, const char *b, size_t n)
{
	(void)rec;
	for (const char *p = b, *end = b + n; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *s = p;
		p = nl ? nl + 1 : end;
		while (s < le && (*s == ' ' || *s == '\t'))
			s++;
		const char *e = s;
		while (e < le && *e != ' ' && *e != '\t' && *e != '#' && *e != '\r' && *e != ':' &&
		       *e != ',' && *e != '=')
			e++;
		size_t l = (size_t)(e - s);
		if (!l || *s != '/' || system_libdir(s, l))
			continue;   /* an include, a comment, a system directory */
		/* a temporary place, or a path that climbs out of where it says */
		bool tmp = temp_dir(s, l) || memmem(s, l, "/..", 3);
		json_t *seen = json_object();
		json_set_bytes(seen, "directory", s, l);
		json_set_int(seen, "line_offset", (int64_t)(s - b));
		finding(f, "ld_so_conf_dir", tmp ? SEV_HIGH : SEV_LOW, "T1574.006", seen,
			ev_list(ev_record(m, "offset", (int64_t)(s - b), NULL, 0)),
			"the loader searches %.*s%s", (int)(l > 200 ? 200 : l), s, tmp ?
			", a temporary place anyone can write" : ", outside the system library "
			"directories (third-party software does it too)");
	}
}

/* ---- the packaged programs and libraries -------------------------------- */

static void package_file(struct findings *f, const char *m, json_t *rec, const char *b,
			 size_t n)
{
	const char *kind = rec_str(rec, "kind"), *path = rec_str(rec, "path");
	const char *pkg = rec_str(rec, "package");
	(void)b; (void)n;
	if (!kind || !path || strcmp(kind, "state") == 0)
		return;   /* state: rpm's "(replaced)", nothing changed */
	json_t *seen = json_object();
	static const char *const keys[] = { "kind", "manager", "package", "version",
		"architecture", "path", "conffile", "rpm_verify", "digest_algorithm",
		"expected_digest", "found_digest", "found_sha256", "size", "mode", "expected_mode",
		NULL };
	for (int i = 0; keys[i]; i++)
		if (json_object_get(rec, keys[i]))
			json_object_set(seen, keys[i], json_object_get(rec, keys[i]));
	json_t *ev = ev_list(ev_str(m, "path", path));
	if (strcmp(kind, "unowned") == 0) {
		finding(f, "unowned_system_executable", SEV_MEDIUM, "T1036.005", seen, ev,
			"%s: an executable in a system folder that no installed package owns", path);
	} else if (rec_true(rec, "conffile")) {
		finding(f, "package_conffile_changed", SEV_INFO, NULL, seen, ev,
			"%s: a configuration file of %s differs from the packaged one (%s; "
			"expected after local changes)", path, pkg ? pkg : "?", kind);
	} else {
		/* code (an executable, a library, a module) replaced is the attack;
		 * data changed, a file gone or an attribute rpm records changed
		 * (mode, owner, time) is more often an update outside the manager */
		const char *mode = rec_str(rec, "mode"), *want = rec_str(rec, "expected_mode");
		long fm = mode ? strtol(mode, NULL, 8) : 0, wm = want ? strtol(want, NULL, 8) : 0;
		bool code = (fm | wm) & 0111 || strstr(path, ".so") || strstr(path, ".ko");
		bool high = code && (strcmp(kind, "digest") == 0 || strcmp(kind, "not-regular") == 0);
		/* rpm records modes: a SUID or SGID bit the package did not set */
		bool suid = want && strcmp(kind, "attributes") == 0 && (fm & ~wm & 06000);
		const char *rv = rec_str(rec, "rpm_verify");
		finding(f, "package_file_modified", high || suid ? SEV_HIGH : SEV_LOW,
			suid ? "T1548.001" : "T1554", seen, ev, "%s of package %s is %s%s%s", path,
			pkg ? pkg : "?",
			strcmp(kind, "digest") == 0 ? "not what the package installed (another digest)" :
			strcmp(kind, "missing") == 0 ? "missing" : strcmp(kind, "not-regular") == 0 ?
			"no longer a regular file" : suid ? "SUID or SGID now, and the package did not "
			"make it so" : strcmp(kind, "attributes") == 0 ? "changed" : "unreadable",
			rv ? "; rpm -V: " : "", rv ? rv : "");
	}
}

const struct check checks_host[] = {
	{ "package_file", "system/package-verify.jsonl", { NULL }, false, package_file, NULL },
	{ "kernel", "system/kernel.json", { NULL }, true, kernel_json, NULL },
	{ "interface_promiscuous", "system/net/*/links.jsonl", { "\"promiscuous\":true", NULL },
	  false, link_promisc, NULL },
	{ "ld_so_conf_dir", "fs/etc/ld.so.conf", { NULL }, true, ldconf_file, NULL },
	{ "ld_so_conf_dir", "fs/etc/ld.so.conf.d/*", { NULL }, true, ldconf_file, NULL },
};
const size_t nchecks_host = sizeof(checks_host) / sizeof(checks_host[0]);
