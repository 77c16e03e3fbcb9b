/*
 * checks_files.c - the checks of the file metadata: persistence files
 * changed within the window before the collection (from the timeline's
 * bodyfile), SUID/SGID files, executables and scripts in the temporary
 * places (from their listings) (findings.h; README "Findings").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bodyfile.h"
#include "findings_int.h"
#include "jsonx.h"
#include "banned.h"

/* ---- the bodyfile (bodyfile.h) ------------------------------------------ */

#define STARTS(s, n, lit) ((n) >= sizeof(lit) - 1 && memcmp((s), lit, sizeof(lit) - 1) == 0)

/* A place persistence lives, what it is, its ATT&CK id and severity. */
struct persist {
	const char *prefix;     /* a path prefix ("...\/" a directory's files) */
	bool anywhere;          /* the prefix may be anywhere in the path (a home's) */
	const char *what, *technique;
	enum severity sev;
};

static const struct persist places[] = {
	{ "/etc/crontab", false, "cron", "T1053.003", SEV_MEDIUM },
	{ "/etc/cron.", false, "cron", "T1053.003", SEV_MEDIUM },
	{ "/var/spool/cron/", false, "cron", "T1053.003", SEV_MEDIUM },
	{ "/var/spool/at/", false, "at job", "T1053.002", SEV_MEDIUM },
	{ "/etc/systemd/system/", false, "systemd unit", "T1543.002", SEV_MEDIUM },
	{ "/etc/systemd/user/", false, "systemd unit", "T1543.002", SEV_MEDIUM },
	{ "/run/systemd/system/", false, "systemd unit", "T1543.002", SEV_MEDIUM },
	{ "/usr/local/lib/systemd/", false, "systemd unit", "T1543.002", SEV_MEDIUM },
	{ "/usr/lib/systemd/system/", false, "systemd unit (a package's)", "T1543.002", SEV_LOW },
	{ "/lib/systemd/system/", false, "systemd unit (a package's)", "T1543.002", SEV_LOW },
	{ "/.config/systemd/user/", true, "systemd user unit", "T1543.002", SEV_MEDIUM },
	{ "/.ssh/authorized_keys", true, "authorized_keys", "T1098.004", SEV_MEDIUM },
	{ "/etc/pam.d/", false, "PAM configuration", "T1556.003", SEV_MEDIUM },
	{ "/security/pam_", true, "PAM module", "T1556.003", SEV_MEDIUM },
	{ "/etc/profile", false, "shell start-up file", "T1546.004", SEV_MEDIUM },
	{ "/etc/bash.bashrc", false, "shell start-up file", "T1546.004", SEV_MEDIUM },
	{ "/etc/environment", false, "shell start-up file", "T1546.004", SEV_MEDIUM },
	{ "/.bashrc", true, "shell start-up file", "T1546.004", SEV_MEDIUM },
	{ "/.bash_profile", true, "shell start-up file", "T1546.004", SEV_MEDIUM },
	{ "/.bash_login", true, "shell start-up file", "T1546.004", SEV_MEDIUM },
	{ "/.profile", true, "shell start-up file", "T1546.004", SEV_MEDIUM },
	{ "/.zshrc", true, "shell start-up file", "T1546.004", SEV_MEDIUM },
	{ "/etc/sudoers", false, "sudoers", "T1548.003", SEV_MEDIUM },
	{ "/etc/rc.local", false, "rc script", "T1037.004", SEV_MEDIUM },
	{ "/etc/init.d/", false, "init script", "T1037.004", SEV_MEDIUM },
	{ "/etc/ld.so.conf", false, "loader configuration", "T1574.006", SEV_MEDIUM },
	/* udev rules run programs on device events (sedexp, 2024) */
	{ "/etc/udev/rules.d/", false, "udev rule", "T1546.017", SEV_MEDIUM },
	{ "/run/udev/rules.d/", false, "udev rule", "T1546.017", SEV_MEDIUM },
	{ "/usr/local/lib/udev/rules.d/", false, "udev rule", "T1546.017", SEV_MEDIUM },
	{ "/usr/lib/udev/rules.d/", false, "udev rule (a package's)", "T1546.017", SEV_LOW },
	{ "/lib/udev/rules.d/", false, "udev rule (a package's)", "T1546.017", SEV_LOW },
	{ "/etc/xdg/autostart/", false, "XDG autostart entry", "T1547.013", SEV_MEDIUM },
	{ "/.config/autostart/", true, "XDG autostart entry", "T1547.013", SEV_MEDIUM },
	{ "/etc/modules-load.d/", false, "kernel modules loaded at boot", "T1547.006", SEV_MEDIUM },
	{ "/etc/modprobe.d/", false, "kernel module options", "T1547.006", SEV_MEDIUM },
	{ "/etc/modules", false, "kernel modules loaded at boot", "T1547.006", SEV_MEDIUM },
};

/* Every line of the timeline asks: the prefixes are tried only where the
 * name can hold one (a dot file, a PAM module, a system folder). */
static const struct persist *place_of(const char *name, size_t n)
{
	bool dot = memmem(name, n, "/.", 2) != NULL;
	bool pam = !dot && memmem(name, n, "/security/pam_", 14) != NULL;
	bool sys = n > 4 && (STARTS(name, n, "/etc/") || STARTS(name, n, "/var/spool/") ||
			     STARTS(name, n, "/run/systemd/") || STARTS(name, n, "/usr/l") ||
			     STARTS(name, n, "/lib/systemd/") || STARTS(name, n, "/run/udev/") ||
			     STARTS(name, n, "/lib/udev/"));

	if (!dot && !pam && !sys)
		return NULL;
	for (size_t i = 0; i < sizeof(places) / sizeof(places[0]); i++) {
		const struct persist *pl = &places[i];
		if (pl->anywhere ? !dot && !pam : !sys)
			continue;
		size_t l = strlen(pl->prefix);
		if (pl->anywhere ? memmem(name, n, pl->prefix, l) != NULL :
		    (n >= l && memcmp(name, pl->prefix, l) == 0))
			return pl;
	}
	return NULL;
}

static bool suid_mode(const char *mode)
{
	size_t l = strlen(mode);   /* "r/rwsr-xr-x" */
	return l == 12 && mode[0] == 'r' && (mode[5] == 's' || mode[5] == 'S' ||
					      mode[8] == 's' || mode[8] == 'S');
}

/* The places nobody but a package installs a SUID file. */
static bool system_dir(const char *n, size_t l)
{
	return STARTS(n, l, "/usr/") || STARTS(n, l, "/bin/") || STARTS(n, l, "/sbin/") ||
	       STARTS(n, l, "/lib") || STARTS(n, l, "/etc/") || STARTS(n, l, "/opt/") ||
	       STARTS(n, l, "/boot/");
}

static bool user_writable_place(const char *n, size_t l)
{
	return STARTS(n, l, "/tmp/") || STARTS(n, l, "/var/tmp/") || STARTS(n, l, "/dev/shm/") ||
	       STARTS(n, l, "/home/") || STARTS(n, l, "/root/") || STARTS(n, l, "/run/");
}

/* "d/drwxrwxrwx": others may write, and no sticky bit keeps them from
 * replacing what is there. */
static bool world_writable_dir(const char *mode)
{
	return strlen(mode) == 12 && mode[0] == 'd' && mode[10] == 'w' && mode[11] != 't' &&
	       mode[11] != 'T';
}

/* Cheap: a line is wanted when its name is a persistence place or its mode
 * has an s or S; the whole line is parsed once more in the check. */
static bool body_pre(struct findings *f, const char *line, size_t len)
{
	(void)f;
	struct body b;
	if (!body_parse(line, len, &b))
		return false;
	if (world_writable_dir(b.mode))
		return true;
	return (b.mode[0] == 'r' || b.mode[0] == 'l') &&
	       (suid_mode(b.mode) || place_of(b.name, b.nlen));
}

static json_t *body_seen(const struct body *b)
{
	json_t *s = json_object();
	json_set_bytes(s, "path", b->name, b->nlen);
	json_set_str(s, "mode", b->mode);
	json_set_int(s, "uid", b->uid);
	json_set_int(s, "size", b->size);
	json_set_int(s, "mtime", b->mtime);
	json_set_int(s, "ctime", b->ctime);
	return s;
}

/* The bodyfile line by its path, and the index entry of a copy if the
 * profile took one. */
static json_t *body_evidence(const char *m, const struct body *b)
{
	json_t *ev = json_array(), *e = json_object(), *k = json_object();
	json_set_str(e, "member", m);
	json_set_bytes(k, "name", b->name, b->nlen);
	json_set_new(e, "keys", k);
	json_array_append_new(ev, e);
	e = json_object(), k = json_object();
	json_set_str(e, "member", "index.jsonl");
	json_set_bytes(k, "source", b->name, b->nlen);
	json_set_new(e, "keys", k);
	json_array_append_new(ev, e);
	return ev;
}

static void body_line(struct findings *f, const char *m, json_t *rec, const char *line,
		      size_t len)
{
	(void)rec;
	struct body b;
	if (!body_parse(line, len, &b))
		return;
	int nl = b.nlen > 300 ? 300 : (int)b.nlen;
	if (world_writable_dir(b.mode) && b.nlen < 512) {
		char dir[512], key[520];
		memcpy(dir, b.name, b.nlen);
		dir[b.nlen] = '\0';
		if (strset_add(&f->ww_dirs, dir) == 1) {
			snprintf(key, sizeof(key), "wwdir:%s", dir);
			json_object_set_new(f->seen_files, key, json_string(m));
		}
		return;
	}
	int64_t since = f->now - f->window, changed = b.mtime > b.ctime ? b.mtime : b.ctime;
	bool recent = changed >= since;
	if (suid_mode(b.mode) && b.mode[0] == 'r') {
		bool odd = !system_dir(b.name, b.nlen);
		bool worst = odd && user_writable_place(b.name, b.nlen) && b.uid == 0;
		if (odd || recent)
			finding(f, "suid_file", worst ? SEV_HIGH : SEV_MEDIUM, "T1548.001",
				body_seen(&b), body_evidence(m, &b), "a SUID/SGID file %s%.*s (%s, "
				"uid %lld)", odd ? "outside the system directories: " :
				"changed within the window: ", nl, b.name, b.mode, (long long)b.uid);
	}
	const struct persist *pl = place_of(b.name, b.nlen);
	if (pl && recent && f->now > 0)
		finding(f, "persistence_changed", pl->sev, pl->technique, body_seen(&b),
			body_evidence(m, &b), "%s %.*s changed %lld days before the collection "
			"(window %lld days)", pl->what, nl, b.name,
			(long long)((f->now - changed) / 86400), (long long)(f->window / 86400));
}

/* ---- listings of the temporary places ---------------------------------- */

/* A file with an x bit, or one the listing copied as a script. */
static bool temp_pre(struct findings *f, const char *line, size_t len)
{
	(void)f;
	if (!HAS(line, len, "\"type\":\"file\""))
		return false;
	if (HAS(line, len, "\"copied\":true") || HAS(line, len, "\"not_copied\""))
		return true;
	const char *m = memmem(line, len, "\"mode\":\"", 8);
	if (!m || m + 12 > line + len)
		return false;
	for (int i = 1; i < 4; i++)   /* "0755": user, group, other */
		if ((m[8 + i] - '0') & 1)
			return true;
	return false;
}

static void temp_exec(struct findings *f, const char *m, json_t *rec, const char *b, size_t n)
{
	(void)b; (void)n;
	const char *path = rec_str(rec, "path");
	json_t *seen = json_object();
	static const char *const k[] = { "path", "mode", "uid", "size", "mtime", "ctime",
		"copied", "not_copied", NULL };
	for (int i = 0; k[i]; i++)
		if (json_object_get(rec, k[i]))
			json_object_set(seen, k[i], json_object_get(rec, k[i]));
	json_t *ev = ev_list(ev_str(m, "path", path ? path : ""));
	if (rec_true(rec, "copied"))
		json_array_append_new(ev, ev_str("index.jsonl", "source", path ? path : ""));
	finding(f, "exec_in_temp", SEV_MEDIUM, "T1105", seen, ev,
		"an executable or script in a temporary place: %.300s (installers and builds "
		"leave them too)", path ? path : "?");
}

/* The join: a process runs from a folder anyone may write to. */
void checks_files_join(struct findings *f)
{
	for (size_t i = 0; i < f->exe_dirs.nslots; i++) {
		const char *d = f->exe_dirs.slots[i];
		char key[520];
		if (!d || !strset_has(&f->ww_dirs, d))
			continue;
		snprintf(key, sizeof(key), "exedir:%s", d);
		int64_t pid = json_integer_value(json_object_get(f->seen_files, key));
		snprintf(key, sizeof(key), "wwdir:%s", d);
		const char *m = json_string_value(json_object_get(f->seen_files, key));
		json_t *seen = json_object(), *ev = json_array(), *e = json_object(),
			*k = json_object();
		json_set_bytes(seen, "folder", d, strlen(d));
		json_set_int(seen, "pid", pid);
		json_set_str(e, "member", m ? m : "timeline/bodyfile");
		json_set_bytes(k, "name", d, strlen(d));
		json_set_new(e, "keys", k);
		json_array_append_new(ev, e);
		json_array_append_new(ev, ev_record("volatile/processes.jsonl", "pid", pid, NULL, 0));
		finding(f, "exe_dir_world_writable", SEV_MEDIUM, "T1574.010", seen, ev,
			"pid %lld runs from %.300s, a folder anyone may write to (no sticky bit): "
			"its program can be replaced by any user", (long long)pid, d);
	}
}

const struct check checks_files[] = {
	{ "persistence_changed", "timeline/bodyfile.*", { NULL }, false, body_line, body_pre,
	  true },
	{ "exec_in_temp", "listing/tmp.*.jsonl", { NULL }, false, temp_exec, temp_pre },
	{ "exec_in_temp", "listing/var/tmp.*.jsonl", { NULL }, false, temp_exec, temp_pre },
	{ "exec_in_temp", "listing/dev/shm.*.jsonl", { NULL }, false, temp_exec, temp_pre },
};
const size_t nchecks_files = sizeof(checks_files) / sizeof(checks_files[0]);
