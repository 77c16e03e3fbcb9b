/*
 * src_modfiles.c - the files of the loaded kernel modules, hashed (issue
 * 18, item 9), part of the kernel step: system/modules.jsonl, one record
 * per line of /proc/modules: name, size, refcount, used_by, state, address
 * (0 where kptr_restrict hides it), taint (the "(OE)" flags), and the
 * module's file under /lib/modules/<release>/ as modules.dep names it,
 * with its SHA-256 - or `file` null and `not_in_modules_dep` true for a
 * module loaded from elsewhere (insmod of a file in /tmp: what a rootkit
 * does). A kernel without module support has no /proc/modules: nothing to
 * record, and the work log says so.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "hostfile.h"
#include "jsonw.h"
#include "kmod.h"
#include "modfiles.h"
#include "sha256.h"
#include "textutil.h"
#include "banned.h"

#define MODS_CAP (16u << 20)
#define DEP_CAP (64u << 20)
#define MOD_HASH_CAP (256ull << 20)

/* The fields of one /proc/modules line: "name size refs deps state addr [(flags)]" */
void modfiles_line(struct jw *w, const char *p, size_t n)
{
	static const char *const keys[] = { "name", "size", "refcount", "used_by", "state",
					     "address", "taint" };
	size_t k = 0;
	for (const char *s = p, *e = p + n; s < e && k < 7;) {
		const char *sp = memchr(s, ' ', (size_t)(e - s));
		size_t fl = sp ? (size_t)(sp - s) : (size_t)(e - s);
		if (k == 6 && (fl < 2 || s[0] != '(' || s[fl - 1] != ')'))
			break;
		if (k == 1 || k == 2) {
			char num[24];
			snprintf(num, sizeof(num), "%.*s", (int)(fl < 23 ? fl : 23), s);
			char *end;
			long long v = strtoll(num, &end, 10);
			if (*end || fl == 0 || fl > 20)
				jw_bytes(w, keys[k], s, fl);
			else
				jw_int(w, keys[k], v);
		} else if (k == 6) {
			jw_bytes(w, keys[k], s + 1, fl - 2);
		} else {
			jw_bytes(w, keys[k], s, fl);
		}
		k++;
		s = sp ? sp + 1 : e;
	}
}

int modfiles_collect(struct run *r)
{
	struct capbuf mods, dep, out;
	struct utsname u;
	char base[400];
	unsigned nmod = 0, nfile = 0, nforeign = 0;
	int ret = 0;

	capbuf_init(&mods, MODS_CAP);
	int e = host_read_small(AT_FDCWD, "/proc/modules", &mods);
	if (e < 0 && e != -E2BIG) {
		run_log(r, "kernel: no /proc/modules (%s): a kernel without module support has no "
			"module files to hash", strerror(-e));
		capbuf_release(&mods);
		return 0;
	}
	if (uname(&u) < 0)   /* no release: no modules.dep to name the files */
		snprintf(u.release, sizeof(u.release), "unknown");
	/* merged /usr (/lib -> usr/lib, most hosts now): host reads follow
	 * no link, so the tree is read where it is, as kmod.c does */
	capbuf_init(&dep, DEP_CAP);
	char dep_path[460];
	int de = -ENOENT;
	for (int k = 0; k < 2 && de < 0 && de != -E2BIG; k++) {
		snprintf(base, sizeof(base), "%s/modules/%s", k ? "/lib" : "/usr/lib", u.release);
		snprintf(dep_path, sizeof(dep_path), "%s/modules.dep", base);
		capbuf_reset(&dep);
		de = host_read_small(AT_FDCWD, dep_path, &dep);
	}
	bool dep_ok = (de >= 0 || de == -E2BIG) && dep.buf;
	capbuf_init(&out, MODS_CAP * 2);
	for (const char *p = mods.buf ? mods.buf : "", *end = p + mods.len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *sp = memchr(p, ' ', n);
		if (n && sp && sp > p) {
			char name[256];
			snprintf(name, sizeof(name), "%.*s", (int)((size_t)(sp - p) < 255 ? sp - p : 255), p);
			struct jw w;
			jw_begin(&w, &out);
			modfiles_line(&w, p, n);
			const char *fp;
			size_t fl;
			if (dep_ok && kmod_dep_path(dep.buf, dep.len, name, &fp, &fl) == 0) {
				struct capbuf file;
				capbuf_init(&file, 8192);
				if (fp[0] != '/')
					capbuf_printf(&file, "%s/", base);
				capbuf_add(&file, fp, fl);
				jw_bytes(&w, "file", file.buf, file.len);
				char sha[SHA256_HEX_LEN];
				uint64_t got;
				int fd = host_open(AT_FDCWD, file.buf, 0, NULL, NULL);
				if (fd >= 0 && sha256_fd(fd, MOD_HASH_CAP, sha, &got) == 0) {
					jw_str(&w, "sha256", sha);
					nfile++;
				} else {
					jw_str(&w, "error", strerror(fd < 0 ? -fd : EIO));
				}
				if (fd >= 0)
					close(fd);
				capbuf_release(&file);
			} else {
				jw_null(&w, "file");
				jw_bool(&w, "not_in_modules_dep", dep_ok);
				nforeign += dep_ok;
			}
			jw_end(&w);
			nmod++;
		}
		p = nl ? nl + 1 : end;
	}
	run_log(r, "kernel: %u loaded modules, %u files hashed, %u not in %s%s", nmod, nfile,
		nforeign, shown(dep_path).s, de < 0 && de != -E2BIG ? " (not readable)" : "");
	ret = run_emit(r, "kernel", "system/modules.jsonl", &out);
	capbuf_release(&out);
	capbuf_release(&dep);
	capbuf_release(&mods);
	return ret;
}
