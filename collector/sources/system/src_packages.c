/*
 * src_packages.c - the `packages` and `packages-all` sources (issue 17):
 * dpkg's database read by irsnap itself - never the host's dpkg, which may
 * be the trojaned program - into system/packages.jsonl, and every file the
 * installed packages own checked against the MD5 dpkg recorded for it, as
 * `dpkg -V` does, into system/package-verify.jsonl: `packages` the system
 * binary and library folders (bin, sbin, lib*, libexec, the modules tree),
 * `packages-all` every file. Executables in the bin and sbin folders that
 * no package owns are recorded too. The raw database (status, and each
 * package's md5sums and list) is copied.
 *
 * Usr-merge: a package may name /bin/ls while /bin is a link to usr/bin;
 * like dpkg, irsnap reads /usr/bin/ls then, and only for the aliases
 * Debian makes (/bin, /sbin, /lib* linked to usr/<the same>). No other
 * link is followed, no FIFO opened; reads are the safe ones (hostfile.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "copy.h"
#include "dpkg.h"
#include "hostfile.h"
#include "jsonw.h"
#include "sha256.h"
#include "slowmounts.h"
#include "source.h"
#include "spool.h"
#include "strset.h"
#include "textutil.h"
#include "packages_int.h"
#include "banned.h"

#define STATUS_CAP (256u << 20)
#define INFO_CAP (64u << 20)

/* Debian policy's package names and architectures: nothing that can leave
 * the info folder. */
static bool safe_name(const char *s, size_t n)
{
	if (!n || n > 200 || s[0] == '.' || s[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		      s[i] == '.' || s[i] == '+' || s[i] == '-'))
			return false;
	return true;
}

static void mismatch(struct pkgs *k, const struct dpkg_pkg *p, const char *path,
		     const char *kind, bool conffile, const char *want, const char *md5,
		     const char *sha, const struct statx *st)
{
	struct jw w;
	jw_begin(&w, &k->ver.buf);
	jw_str(&w, "kind", kind);
	jw_str(&w, "manager", "dpkg");
	jw_bytes(&w, "package", p->package.s, p->package.n);
	jw_bytes(&w, "architecture", p->architecture.s ? p->architecture.s : "",
		 p->architecture.s ? p->architecture.n : 0);
	jw_str(&w, "path", path);
	jw_bool(&w, "conffile", conffile);
	jw_str(&w, "digest_algorithm", "md5");
	jw_str(&w, "expected_digest", want);
	jw_str(&w, "found_digest", md5 && md5[0] ? md5 : NULL);
	jw_str(&w, "found_sha256", sha && sha[0] ? sha : NULL);
	if (k->why)
		jw_str(&w, "error", k->why);
	k->why = NULL;
	if (st) {
		char mode[8];
		snprintf(mode, sizeof(mode), "%04o", st->stx_mode & 07777);
		jw_int(&w, "size", (int64_t)st->stx_size);
		jw_str(&w, "mode", mode);
		jw_int(&w, "uid", st->stx_uid);
		jw_int(&w, "gid", st->stx_gid);
	}
	jw_end(&w);
	spool_flush(&k->ver);
	k->bad++;
}

/* /var/lib/dpkg/diversions: lines in threes, from, to, the diverting
 * package (":" for a local diversion). */
static void read_diversions(struct pkgs *k)
{
	struct capbuf cb;
	char *line[3], path[4200];
	int n = 0;

	capbuf_init(&cb, 16u << 20);
	snprintf(path, sizeof(path), "%s" DPKG_DIR "/diversions", k->root);
	if (host_read_small(AT_FDCWD, path, &cb) == 0 && cb.buf) {
		host_copy(k->r, "packages", path, 16u << 20, COPY_LENIENT);
		for (char *l = cb.buf, *end = cb.buf + cb.len; l < end;) {
			char *nl = memchr(l, '\n', (size_t)(end - l));
			if (nl)
				*nl = '\0';
			line[n++] = l;
			if (n == 3) {
				struct diversion *d = reallocarray(k->div, k->ndiv + 1, sizeof(*d));
				if (d) {
					k->div = d;
					d[k->ndiv++] = (struct diversion){ strdup(line[0]), strdup(line[1]),
									   strdup(line[2]) };
				}
				n = 0;
			}
			l = nl ? nl + 1 : end;
		}
	}
	capbuf_release(&cb);
}

/* Where package `pkg`'s `path` is: elsewhere when another package (or the
 * administrator) diverted it, as dpkg -V reads it. */
static const char *diverted(const struct pkgs *k, const struct dpkg_pkg *p, const char *path)
{
	for (size_t i = 0; i < k->ndiv; i++) {
		const struct diversion *d = &k->div[i];
		if (d->from && d->to && d->by && strcmp(d->from, path) == 0 &&
		    !(strlen(d->by) == p->package.n && memcmp(d->by, p->package.s, p->package.n) == 0))
			return d->to;
	}
	return path;
}

/* One packaged file against its recorded MD5. */
static void check_file(struct pkgs *k, const struct dpkg_pkg *p, const char *listed,
		       const char *want, bool conffile)
{
	char disk[4200], md5[MD5_HEX_LEN] = "", sha[SHA256_HEX_LEN] = "";
	struct statx st;
	const char *path = diverted(k, p, listed);

	if (!k->all && !pkgs_system_dir(path))
		return;
	k->checked++;
	bool fits = pkgs_on_disk(k, path, disk, sizeof(disk));
	if ((k->why = pkgs_unsafe_path(path)) || !fits || slowmounts_path(disk, NULL, 0)) {
		if (!k->why)   /* a FUSE or network mount: never waited on */
			k->why = fits ? "on a FUSE or network file system: not waited on" :
				 "a path too long under the root: not looked at";
		mismatch(k, p, path, "unreadable", conffile, want, NULL, NULL, NULL);
		return;
	}
	int e = host_lstat(AT_FDCWD, disk, &st);
	if (e < 0) {
		k->why = e == -ELOOP ? "a symbolic link in the path: not followed" : NULL;
		mismatch(k, p, path, e == -ENOENT || e == -ENOTDIR ? "missing" : "unreadable",
			 conffile, want, NULL, NULL, NULL);
		return;
	}
	if (!S_ISREG(st.stx_mode)) {
		mismatch(k, p, path, "not-regular", conffile, want, NULL, NULL, &st);
		return;
	}
	int fd = host_open(AT_FDCWD, disk, 0, NULL, NULL);
	if (fd < 0 || md5_fd(fd, HASH_CAP, md5, NULL) < 0) {
		if (fd >= 0)
			close(fd);
		mismatch(k, p, path, "unreadable", conffile, want, NULL, NULL, &st);
		return;
	}
	if (strcasecmp(md5, want) != 0) {
		if (lseek(fd, 0, SEEK_SET) == 0)
			sha256_fd(fd, HASH_CAP, sha, NULL);
		mismatch(k, p, path, "digest", conffile, want, md5, sha, &st);
	}
	close(fd);
}

/* info/<pkg>:<arch>.<what>, else info/<pkg>.<what> (a Multi-Arch: same
 * package has the first); read into cb and copied raw. */
static int info_file(struct pkgs *k, const struct dpkg_pkg *p, const char *what,
		     struct capbuf *cb, char *path, size_t size)
{
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 0 && !p->architecture.s)
			continue;
		if (pass == 0)
			snprintf(path, size, "%s" DPKG_DIR "/info/%.*s:%.*s.%s", k->root,
				 (int)p->package.n, p->package.s, (int)p->architecture.n,
				 p->architecture.s, what);
		else
			snprintf(path, size, "%s" DPKG_DIR "/info/%.*s.%s", k->root,
				 (int)p->package.n, p->package.s, what);
		capbuf_reset(cb);
		int r = host_read_small(AT_FDCWD, path, cb);
		if (r == -ENOENT)
			continue;
		host_copy(k->r, "packages", path, INFO_CAP, COPY_LENIENT);
		return r;
	}
	return -ENOENT;
}

static void own_list(struct pkgs *k, const struct capbuf *cb)
{
	char disk[4200];
	for (const char *l = cb->buf, *end = cb->buf + cb->len; l && l < end;) {
		const char *nl = memchr(l, '\n', (size_t)(end - l));
		size_t n = (size_t)((nl ? nl : end) - l);
		if (n && n < 4000 && l[0] == '/' && !memchr(l, '\0', n)) {
			char path[4096];
			memcpy(path, l, n);
			path[n] = '\0';
			if (pkgs_on_disk(k, path, disk, sizeof(disk)))
				strset_add(&k->owned, disk);
		}
		l += n + 1;
	}
}

/* A listed path without a recorded digest (a folder, a link, a file the
 * maintainer scripts make): dpkg -V says only whether it is there. */
static void check_listed(struct pkgs *k, const struct dpkg_pkg *p, const struct capbuf *list,
			 const struct strset *summed)
{
	char disk[4200], path[4096];
	struct statx st;
	if (!list->buf)
		return;
	for (const char *l = list->buf, *end = list->buf + list->len; l < end;) {
		const char *nl = memchr(l, '\n', (size_t)(end - l)), *line = l;
		size_t n = (size_t)((nl ? nl : end) - l);
		l += n + 1;
		if (!n || n >= sizeof(path) || line[0] != '/' || memchr(line, '\0', n))
			continue;
		memcpy(path, line, n);
		path[n] = '\0';
		const char *at = diverted(k, p, path);
		if (strset_has(summed, path) || (!k->all && !pkgs_system_dir(at)))
			continue;
		if (!pkgs_on_disk(k, at, disk, sizeof(disk)) || pkgs_unsafe_path(at) ||
		    slowmounts_path(disk, NULL, 0))
			continue;   /* said only where a digest is to be checked */
		int e = host_lstat(AT_FDCWD, disk, &st);
		if (e == -ENOENT || e == -ENOTDIR)
			mismatch(k, p, at, "missing", false, NULL, NULL, NULL, NULL);
	}
}

static void verify_package(struct pkgs *k, const struct dpkg_pkg *p)
{
	struct capbuf cb, list;
	struct strset summed = { 0 };
	char path[4600];

	capbuf_init(&cb, INFO_CAP);
	capbuf_init(&list, INFO_CAP);
	if (info_file(k, p, "list", &list, path, sizeof(path)) >= 0)
		own_list(k, &list);
	if (info_file(k, p, "md5sums", &cb, path, sizeof(path)) >= 0) {
		for (const char *l = cb.buf, *end = cb.buf + cb.len; l && l < end;) {
			const char *nl = memchr(l, '\n', (size_t)(end - l));
			size_t n = (size_t)((nl ? nl : end) - l);
			struct dpkg_sum s;
			char file[4096];
			if (dpkg_md5sums_line(l, n, &s) && s.path.n + 2 < sizeof(file) &&
			    !memchr(s.path.s, '\0', s.path.n)) {
				snprintf(file, sizeof(file), "/%.*s", (int)s.path.n, s.path.s);
				k->files++;
				strset_add(&summed, file);
				check_file(k, p, file, s.md5, false);
			}
			l += n + 1;
		}
	}
	capbuf_release(&cb);
	const char *c = p->conffiles.s;
	struct dpkg_conffile cf0;
	while (c && dpkg_conffile_next(&c, p->conffiles.s + p->conffiles.n, &cf0)) {
		char file[4096];   /* a conffile is checked below, not as listed */
		snprintf(file, sizeof(file), "%.*s", (int)cf0.path.n, cf0.path.s);
		strset_add(&summed, file);
	}
	check_listed(k, p, &list, &summed);
	capbuf_release(&list);
	strset_free(&summed);
	c = p->conffiles.s;
	struct dpkg_conffile cf;
	while (c && dpkg_conffile_next(&c, p->conffiles.s + p->conffiles.n, &cf)) {
		char file[4096], md5[40];
		if (cf.obsolete || cf.remove_on_upgrade || cf.path.n >= sizeof(file) ||
		    cf.md5.n != 32 || memchr(cf.path.s, '\0', cf.path.n))
			continue;   /* dpkg -V leaves these out too */
		snprintf(file, sizeof(file), "%.*s", (int)cf.path.n, cf.path.s);
		snprintf(md5, sizeof(md5), "%.*s", (int)cf.md5.n, cf.md5.s);
		k->conffiles++;
		check_file(k, p, file, md5, true);
	}
}

static void field(struct jw *w, const char *key, const struct dpkg_field *f)
{
	if (f->s)
		jw_bytes(w, key, f->s, f->n);
	else
		jw_null(w, key);
}

static int one_package(void *ctx, const struct dpkg_pkg *p)
{
	struct pkgs *k = ctx;
	struct jw w;
	bool files = dpkg_has_files(p);
	bool safe = p->package.s && safe_name(p->package.s, p->package.n) &&
		    (!p->architecture.s || safe_name(p->architecture.s, p->architecture.n));

	k->packages++;
	jw_begin(&w, &k->out);
	jw_str(&w, "manager", "dpkg");
	jw_int(&w, "offset", (int64_t)p->offset);
	field(&w, "name", &p->package);
	field(&w, "version", &p->version);
	field(&w, "architecture", &p->architecture);
	field(&w, "status", &p->status);
	field(&w, "source", &p->source);
	field(&w, "multi_arch", &p->multi_arch);
	field(&w, "installed_size", &p->installed_size);
	jw_int(&w, "conffiles_bytes", (int64_t)p->conffiles.n);
	jw_int(&w, "bad_lines", p->bad_lines);
	jw_bool(&w, "name_safe", safe);
	jw_end(&w);
	if (!safe) {
		k->bad_names++;
		return 0;   /* its info files are not looked for: the name could leave the folder */
	}
	if (!files)
		return 0;
	if (run_should_stop(k->r)) {
		k->skipped_time++;
		return 0;
	}
	k->with_files++;
	verify_package(k, p);
	return 0;
}

/* dpkg's database under the root, if there is one: false when not. */
static bool dpkg_packages(struct pkgs *k)
{
	struct capbuf status;
	char path[4200];

	snprintf(path, sizeof(path), "%s" DPKG_DIR "/status", k->root);
	capbuf_init(&status, STATUS_CAP);
	int e = host_read_small(AT_FDCWD, path, &status);
	if (e == -ENOENT) {
		capbuf_release(&status);
		return false;
	}
	host_copy(k->r, "packages", path, STATUS_CAP, COPY_OPTIONAL);
	if (e < 0 && e != -E2BIG) {
		run_source_failed(k->r, "packages", path, e, e == -ELOOP ?
				  "read the dpkg status (a symbolic link: not followed)" :
				  e == -EFTYPE_NOT_REGULAR ? "read the dpkg status (not a regular "
				  "file: never opened)" : "read the dpkg status");
		capbuf_release(&status);
		return true;
	}
	read_diversions(k);
	dpkg_status_parse(status.buf ? status.buf : "", status.len, one_package, k);
	if (status.truncated)
		run_log(k->r, "packages: '%s' is over its cap: the rest is not read", shown(path).s);
	capbuf_release(&status);
	return true;
}

static int collect(struct run *r, bool all)
{
	struct pkgs k = { .r = r, .all = all, .root = r->packages_root ? r->packages_root : "" };
	int ret = 0;

	if (k.root[0])
		run_log(r, "packages: the databases and files under '%s' (the profile's "
			"packages-root), not the running system's", shown(k.root).s);
	pkgs_find_aliases(&k);
	capbuf_init(&k.out, 256u << 20);
	spool_init(&k.ver);
	bool dpkg = dpkg_packages(&k);
	unsigned long long dpkg_checked = k.checked;
	rpm_packages(&k);
	if (k.skipped_time)   /* their lists unread: every executable of theirs would be "unowned" */
		run_log(r, "packages: executables no package owns not looked for: %llu packages' "
			"lists were not read (the time budget)", k.skipped_time);
	else if (dpkg || k.packages)
		unowned_executables(&k);
	else
		run_log(r, "packages: no dpkg (" DPKG_DIR "/status) or rpm database here");
	run_log(r, "packages: %ld packages (%ld with files verified, %ld with a name that is not "
		"Debian's), %llu files listed, %llu dpkg and %llu rpm files and %llu conffiles "
		"checked (%s), %llu mismatches, %llu unowned executables; %llu packages not "
		"verified: the time budget", k.packages, k.with_files, k.bad_names, k.files,
		dpkg_checked, k.checked - dpkg_checked, k.conffiles,
		all ? "every file" : "the system folders", k.bad, k.unowned, k.skipped_time);
	ret = run_emit(r, "packages", "system/packages.jsonl", &k.out);
	if (ret == 0)
		ret = spool_emit(r, "packages", "system/package-verify.jsonl", &k.ver);
	capbuf_release(&k.out);
	spool_free(&k.ver);
	for (size_t i = 0; i < k.ndiv; i++) {
		free(k.div[i].from);
		free(k.div[i].to);
		free(k.div[i].by);
	}
	free(k.div);
	strset_free(&k.owned);
	return ret;
}

int src_packages_collect(struct run *r)
{
	return collect(r, false);
}

int src_packages_all_collect(struct run *r)
{
	return collect(r, true);
}
