/*
 * src_lsm.c - the security modules' state for system/kernel.json (issue
 * 18, item 9), part of the kernel step: which LSMs the kernel runs
 * (/sys/kernel/security/lsm), SELinux's mode and policy version
 * (/sys/fs/selinux) and its configured mode (/etc/selinux/config),
 * AppArmor's loaded profiles and their modes. Each folder is checked to be
 * the kernel's file system (securityfs, selinuxfs) before it is believed:
 * an intruder who mounts a tmpfs over /sys/kernel/security with a forged
 * `apparmor/profiles` gets a record that says so. The raw files are kept
 * under system/sys/...
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>

#include "hostfile.h"
#include "jsonx.h"
#include "lsm.h"
#include "slowmounts.h"
#include "textutil.h"
#include "banned.h"

#define SECURITYFS_MAGIC_ 0x73636673
#define SELINUX_MAGIC_ 0xf97cff8c
#define LSM_FILE_CAP (8u << 20)

/* "securityfs", "absent", or "not securityfs (f_type 0x…): an overmount?" */
static json_t *fs_check(const char *dir, unsigned long want, const char *name, bool *ok)
{
	struct statfs sf;
	char buf[160];

	*ok = false;
	if (slowmounts_path(dir, NULL, 0))   /* FUSE or NFS there: never asked */
		return json_string("not read: a file system that answers through a server is mounted there");
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return json_string("absent");
	int e = fstatfs(fd, &sf);
	close(fd);
	if (e < 0)
		return json_string("absent");
	if ((unsigned long)sf.f_type == want) {
		*ok = true;
		return json_string(name);
	}
	snprintf(buf, sizeof(buf), "not %s (f_type 0x%lx): another file system is mounted there",
		 name, (unsigned long)sf.f_type);
	return json_string(buf);
}

static int read_file(struct run *r, const char *path, struct capbuf *cb, bool keep)
{
	int e = host_read_small(AT_FDCWD, path, cb);
	if (e < 0 && e != -E2BIG)
		return e;
	if (keep) {
		struct capbuf member;
		capbuf_init(&member, 4096);
		capbuf_addstr(&member, "system/");
		member_encode(&member, path, strlen(path));
		e = run_emit_copy(r, "kernel", member.buf, path, cb);
		capbuf_release(&member);
		if (e < 0)
			return e;
	}
	while (cb->len && (cb->buf[cb->len - 1] == '\n' || cb->buf[cb->len - 1] == ' '))
		cb->buf[--cb->len] = '\0';
	return 0;
}

/* A one-line file's value as bytes under key; nothing when absent. */
static int value(struct run *r, json_t *o, const char *key, const char *path, bool keep)
{
	struct capbuf cb;
	capbuf_init(&cb, 4096);
	int e = read_file(r, path, &cb, keep);
	if (e == 0)
		json_set_bytes(o, key, cb.buf ? cb.buf : "", cb.len);
	capbuf_release(&cb);
	return e == -EIO ? e : 0;
}

/* AppArmor's profiles file: "name (mode)" per line; the name may hold
 * spaces, so the mode is the last parenthesised word. */
json_t *lsm_apparmor_profiles(const char *text, size_t len, json_t *counts)
{
	json_t *arr = json_array();
	for (const char *p = text, *end = text + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		json_t *o = json_object();
		const char *open = NULL;
		for (size_t i = n; i-- > 0;)
			if (p[i] == '(') {
				open = p + i;
				break;
			}
		if (n && open && open > p && open[-1] == ' ' && p[n - 1] == ')') {
			json_set_bytes(o, "name", p, (size_t)(open - 1 - p));
			json_set_bytes(o, "mode", open + 1, (size_t)(p + n - 1 - open - 1));
			if (counts) {
				char mode[32];
				size_t ml = (size_t)(p + n - 1 - open - 1);
				snprintf(mode, sizeof(mode), "%.*s", (int)(ml < 31 ? ml : 31), open + 1);
				json_t *c = json_object_get(counts, mode);
				json_object_set_new(counts, mode, json_integer(c ? json_integer_value(c) + 1 : 1));
			}
		} else if (n) {
			json_set_bytes(o, "line", p, n);
		}
		if (n)
			json_array_append_new(arr, o);
		else
			json_decref(o);
		p = nl ? nl + 1 : end;
	}
	return arr;
}

/* SELINUX= and SELINUXTYPE= of /etc/selinux/config. */
static void selinux_config(json_t *o)
{
	struct capbuf cb;
	capbuf_init(&cb, 1u << 20);
	if (host_read_small(AT_FDCWD, "/etc/selinux/config", &cb) == 0 && cb.buf) {
		for (const char *p = cb.buf, *end = cb.buf + cb.len; p < end;) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
			if (n > 8 && memcmp(p, "SELINUX=", 8) == 0)
				json_set_bytes(o, "config_mode", p + 8, n - 8);
			else if (n > 12 && memcmp(p, "SELINUXTYPE=", 12) == 0)
				json_set_bytes(o, "config_type", p + 12, n - 12);
			p = nl ? nl + 1 : end;
		}
	}
	capbuf_release(&cb);
}

int lsm_state(struct run *r, json_t **ret)
{
	json_t *o = json_object(), *se = json_object(), *aa = json_object();
	bool sec_ok, se_ok;
	int e = 0;

	json_set_new(o, "securityfs", fs_check("/sys/kernel/security", SECURITYFS_MAGIC_,
					       "securityfs", &sec_ok));
	json_set_new(o, "securityfs_trusted", json_boolean(sec_ok));
	struct capbuf cb;
	capbuf_init(&cb, 4096);
	if (read_file(r, "/sys/kernel/security/lsm", &cb, true) == 0) {
		/* the host's bytes: text where UTF-8, lsm_b64 where not */
		const char *items[64];
		size_t lens[64], n = 0;
		for (const char *p = cb.buf ? cb.buf : "", *end = p + cb.len; p < end && n < 64;) {
			const char *t = memchr(p, ',', (size_t)(end - p));
			items[n] = p;
			lens[n++] = t ? (size_t)(t - p) : (size_t)(end - p);
			p = t ? t + 1 : end;
		}
		json_set_bytes_array(o, "lsm", items, lens, n);
	} else {
		json_set_new(o, "lsm", json_null());
	}
	capbuf_release(&cb);

	json_set_new(se, "selinuxfs", fs_check("/sys/fs/selinux", SELINUX_MAGIC_, "selinuxfs", &se_ok));
	if (se_ok) {
		e = value(r, se, "enforce", "/sys/fs/selinux/enforce", true);
		if (e == 0)
			e = value(r, se, "policyvers", "/sys/fs/selinux/policyvers", true);
		if (e == 0)
			e = value(r, se, "mls", "/sys/fs/selinux/mls", false);
		if (e == 0)
			e = value(r, se, "deny_unknown", "/sys/fs/selinux/deny_unknown", false);
		json_t *en = json_object_get(se, "enforce");
		json_set_str(se, "mode", !en ? NULL : strcmp(json_string_value(en), "1") == 0 ?
			     "enforcing" : "permissive");
	} else {
		json_set_str(se, "mode", "disabled");
	}
	selinux_config(se);
	json_set_new(o, "selinux", se);

	if (e == 0)
		e = value(r, aa, "enabled", "/sys/module/apparmor/parameters/enabled", false);
	capbuf_init(&cb, LSM_FILE_CAP);
	if (e == 0 && read_file(r, "/sys/kernel/security/apparmor/profiles", &cb, true) == 0) {
		json_t *counts = json_object();
		json_set_new(aa, "profiles", lsm_apparmor_profiles(cb.buf ? cb.buf : "", cb.len, counts));
		json_set_new(aa, "modes", counts);
		if (!sec_ok)
			run_log(r, "kernel: /sys/kernel/security is not the kernel's securityfs: "
				"the AppArmor profiles read there may be forged");
	}
	capbuf_release(&cb);
	json_set_new(o, "apparmor", aa);
	*ret = o;
	return e;
}
