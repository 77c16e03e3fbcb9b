/*
 * rpm_verify.c - one file of an rpm package against its header, as
 * `rpm -V` checks it (rpm 4.18, lib/verify.c rpmfiVerify and verifyHeader):
 * the same attributes, the same exceptions (ghost, missingok, links,
 * non-regular files, shared files' times, unknown owners), and the same
 * nine-letter result, SM5DLUGTP, so that a record can be set beside rpm's
 * line. Reads are irsnap's safe ones: no link followed but the one rpm
 * follows (a packaged directory that became a link to a directory, which
 * is only stat'ed), no FIFO opened, no atime changed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "hostfile.h"
#include "jsonw.h"
#include "rpm_int.h"
#include "sha256.h"
#include "slowmounts.h"
#include "trustpath.h"
#include "textutil.h"
#include "banned.h"

enum { V_DIGEST = 1, V_SIZE = 2, V_LINKTO = 4, V_USER = 8, V_GROUP = 16, V_MTIME = 32,
       V_MODE = 64, V_RDEV = 128, V_CAPS = 256 };

/* rpmFFlagsString's letters, in its order */
static void fflags(uint32_t f, char out[12])
{
	static const struct { uint32_t bit; char c; } l[] = {
		{ RPMF_DOC, 'd' }, { RPMF_CONFIG, 'c' }, { RPMF_SPECFILE, 's' },
		{ RPMF_MISSINGOK, 'm' }, { RPMF_NOREPLACE, 'n' }, { RPMF_GHOST, 'g' },
		{ RPMF_LICENSE, 'l' }, { RPMF_README, 'r' }, { RPMF_ARTIFACT, 'a' },
	};
	char *p = out;
	for (size_t i = 0; i < sizeof(l) / sizeof(l[0]); i++)
		if (f & l[i].bit)
			*p++ = l[i].c;
	*p = '\0';
}

static bool lookup(const struct account *v, size_t n, const char *name, uint32_t *id)
{
	if (!name)
		return false;
	if (strcmp(name, "root") == 0) {   /* rpmugUid's shortcut */
		*id = 0;
		return true;
	}
	size_t len = strlen(name);
	for (size_t i = 0; i < n; i++)
		if (v[i].len == len && memcmp(v[i].name, name, len) == 0) {
			*id = v[i].id;
			return true;
		}
	return false;
}

static const char *type_name(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return "file";
	case S_IFDIR: return "directory";
	case S_IFLNK: return "symlink";
	case S_IFCHR: return "char-device";
	case S_IFBLK: return "block-device";
	case S_IFIFO: return "fifo";
	case S_IFSOCK: return "socket";
	default: return "unknown";
	}
}

static void time_pair(struct jw *w, const char *key, int64_t t)
{
	char ts[RFC3339_LEN], k2[40];
	snprintf(k2, sizeof(k2), "%s_epoch", key);
	jw_str(w, key, fmt_rfc3339_ns(ts, t, 0) == 0 ? ts : NULL);
	jw_int(w, k2, t);
}

struct found {
	const char *kind, *why;
	uint32_t vfy;
	bool readfail, linkfail, have_st;
	struct statx st;
	uint32_t want_mode, want_uid, want_gid;
	char digest[DIGEST_HEX_MAX], sha[SHA256_HEX_LEN], *link;
};

static void record(struct rpmv *v, const char *path, const struct rpmfile *f,
		   const struct found *o)
{
	struct jw w;
	char flags[12], res[10], mode[8];
	static const char letters[] = "SM5DLUGTP";
	static const uint32_t bits[] = { V_SIZE, V_MODE, V_DIGEST, V_RDEV, V_LINKTO, V_USER,
					 V_GROUP, V_MTIME, V_CAPS };

	fflags(f->flags, flags);
	for (int i = 0; i < 9; i++)
		res[i] = (i == 2 && o->readfail) || (i == 4 && o->linkfail) ? '?' :
			 o->vfy & bits[i] ? letters[i] : '.';
	res[9] = '\0';
	jw_begin(&w, &v->k->ver.buf);
	jw_str(&w, "kind", o->kind);
	jw_str(&w, "manager", "rpm");
	jw_str(&w, "package", v->name);
	jw_str(&w, "version", v->evr);
	jw_str(&w, "architecture", v->arch);
	jw_str(&w, "path", path);
	jw_bool(&w, "conffile", f->flags & RPMF_CONFIG);
	jw_str(&w, "rpm_flags", flags);
	jw_str(&w, "rpm_verify", strcmp(o->kind, "missing") == 0 ? NULL : res);
	jw_str(&w, "state", f->state == RPMFS_REPLACED ? "replaced" : f->state < 0 ? "no state" :
	       f->state == RPMFS_WRONGCOLOR ? "wrong color" : NULL);
	if (o->why)
		jw_str(&w, "error", o->why);
	jw_str(&w, "digest_algorithm", v->algo);
	jw_str(&w, "expected_digest", f->digest && f->digest[0] ? f->digest : NULL);
	jw_str(&w, "found_digest", o->digest[0] ? o->digest : NULL);
	jw_str(&w, "found_sha256", o->sha[0] ? o->sha : NULL);
	snprintf(mode, sizeof(mode), "%04o", o->want_mode & 07777);
	jw_str(&w, "expected_type", type_name(f->mode));
	jw_str(&w, "expected_mode", mode);
	jw_int(&w, "expected_size", (int64_t)f->size);
	jw_str(&w, "expected_user", f->user);
	jw_str(&w, "expected_group", f->group);
	time_pair(&w, "expected_mtime", f->mtime);
	if (f->link && f->link[0])
		jw_str(&w, "expected_link", f->link);
	if (o->have_st) {
		snprintf(mode, sizeof(mode), "%04o", o->st.stx_mode & 07777);
		jw_str(&w, "type", type_name(o->st.stx_mode));
		jw_str(&w, "mode", mode);
		jw_int(&w, "size", (int64_t)o->st.stx_size);
		jw_int(&w, "uid", o->st.stx_uid);
		jw_int(&w, "gid", o->st.stx_gid);
		time_pair(&w, "mtime", o->st.stx_mtime.tv_sec);
		if (o->link)
			jw_str(&w, "link", o->link);
	}
	jw_end(&w);
	spool_flush(&v->k->ver);
	v->k->bad++;
}

static void check_digest(struct rpmv *v, const struct rpmfile *f, const char *disk,
			 struct found *o)
{
	if (!f->digest || !f->digest[0]) {
		o->vfy |= V_DIGEST;   /* rpm: a regular file without a digest differs */
		return;
	}
	int fd = host_open(AT_FDCWD, disk, 0, NULL, NULL);
	int r = fd < 0 ? fd : digest_named_fd(v->algo, fd, HASH_CAP, o->digest, NULL);
	if (r < 0) {
		o->readfail = true;
		o->vfy |= V_DIGEST;
		o->digest[0] = '\0';
	} else if (strcasecmp(o->digest, f->digest) != 0) {
		o->vfy |= V_DIGEST;
		if (lseek(fd, 0, SEEK_SET) == 0)
			sha256_fd(fd, HASH_CAP, o->sha, NULL);
	} else {
		o->digest[0] = '\0';   /* the same: nothing to say */
	}
	if (fd >= 0)
		close(fd);
}

/* A packaged directory that is a link to a directory now: rpm follows it
 * when the link is root's or its target's owner's. */
static void dir_link(const char *disk, struct found *o)
{
	struct statx d;
	struct capbuf to;
	capbuf_init(&to, 1u << 20);
	/* followed where root's links lead, never onto a slow mount
	 * (trustpath.h): a link of the target's owner is left unfollowed */
	if (o->st.stx_uid == 0 && !slowmounts_path(disk, NULL, 0) &&
	    trusted_resolve(disk, &to, NULL) == 0 &&
	    statx(AT_FDCWD, to.buf, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, STATX_BASIC_STATS,
		  &d) == 0 && S_ISDIR(d.stx_mode))
		o->st = d;
	capbuf_release(&to);
}

int rpmv_file(void *ctx, const struct rpmfile *f)
{
	struct rpmv *v = ctx;
	struct pkgs *k = v->k;
	char path[4096], disk[4200];
	struct found o = { .kind = "attributes" };
	uint32_t flags = f->verify;

	if ((size_t)snprintf(path, sizeof(path), "%s%s", f->dir, f->base) >= sizeof(path) ||
	    path[0] != '/' || (!k->all && !pkgs_system_dir(path)))
		return 0;
	if (f->state == RPMFS_NOTINSTALLED || f->state == RPMFS_NETSHARED)
		return 0;
	if (run_should_stop(k->r)) {
		v->skipped++;
		return 0;
	}
	if (f->state == RPMFS_REPLACED)
		flags = 0;   /* only whether it is there */
	else if (f->state == RPMFS_WRONGCOLOR)
		flags &= ~(unsigned)(V_DIGEST | V_SIZE | V_MTIME | V_RDEV);
	k->checked++;
	bool fits = pkgs_on_disk(k, path, disk, sizeof(disk));
	o.want_mode = f->mode;
	if ((o.why = pkgs_unsafe_path(path)) || !fits || slowmounts_path(disk, NULL, 0)) {
		o.kind = "unreadable";
		if (!o.why)
			o.why = fits ? "on a FUSE or network file system: not waited on" :
				"a path too long under the root: not looked at";
		record(v, path, f, &o);
		return 0;
	}
	int e = host_lstat(AT_FDCWD, disk, &o.st);
	if (e < 0) {
		if (!(f->flags & (RPMF_MISSINGOK | RPMF_GHOST)) || e == -ELOOP) {
			o.kind = e == -ENOENT || e == -ENOTDIR ? "missing" : "unreadable";
			o.why = e == -ENOENT ? NULL : e == -ELOOP ?
				"a symbolic link in the path: not followed" : strerror(-e);
			record(v, path, f, &o);
		}
		return 0;
	}
	o.have_st = true;
	if (!lookup(v->acc.users, v->acc.nusers, f->user, &o.want_uid)) {
		o.want_uid = 0;
		o.want_mode &= ~(uint32_t)S_ISUID;   /* rpm: user unknown, as root, no SUID */
	}
	if (!lookup(v->acc.groups, v->acc.ngroups, f->group, &o.want_gid)) {
		o.want_gid = 0;
		o.want_mode &= ~(uint32_t)S_ISGID;
	}
	if (S_ISDIR(f->mode) && S_ISLNK(o.st.stx_mode) && !k->root[0])
		dir_link(disk, &o);   /* under another root its target could be outside it */
	uint32_t got = o.st.stx_mode;
	if (S_ISLNK(got))
		flags &= ~(unsigned)V_MODE;
	else
		flags &= ~(unsigned)V_LINKTO;
	if (!S_ISREG(got))
		flags &= ~(unsigned)(V_DIGEST | V_SIZE | V_MTIME | V_CAPS);
	if (f->flags & RPMF_GHOST)
		flags &= ~(unsigned)(V_DIGEST | V_SIZE | V_MTIME | V_LINKTO);
	if (flags & V_DIGEST)
		check_digest(v, f, disk, &o);
	if (flags & V_LINKTO) {
		size_t n;
		if (host_readlink(AT_FDCWD, disk, &o.link, &n) < 0)
			o.linkfail = true, o.vfy |= V_LINKTO;
		else if (!f->link || strcmp(o.link, f->link) != 0)
			o.vfy |= V_LINKTO;
	}
	if ((flags & V_SIZE) && o.st.stx_size != f->size)
		o.vfy |= V_SIZE;
	if (flags & V_MODE) {
		uint32_t a = o.want_mode, b = got;
		if (f->flags & RPMF_GHOST)
			a &= ~(uint32_t)S_IFMT, b &= ~(uint32_t)S_IFMT;
		if ((a & 0177777) != (b & 0177777))
			o.vfy |= V_MODE;
	}
	if (flags & V_RDEV) {
		bool dev = S_ISCHR(f->mode) || S_ISBLK(f->mode);
		if (S_ISCHR(f->mode) != S_ISCHR(got) || S_ISBLK(f->mode) != S_ISBLK(got))
			o.vfy |= V_RDEV;
		else if (dev && (makedev(o.st.stx_rdev_major, o.st.stx_rdev_minor) & 0xffff) !=
				(f->rdev & 0xffff))
			o.vfy |= V_RDEV;
	}
	if (flags & V_CAPS) {   /* set against none, either way (the text is not compared) */
		bool want = f->caps && f->caps[0];
		bool have = lgetxattr(disk, "security.capability", NULL, 0) > 0;
		if (want != have)
			o.vfy |= V_CAPS;
	}
	if ((flags & V_MTIME) && o.st.stx_mtime.tv_sec != (int64_t)f->mtime &&
	    !strset_has(&v->shared, path))
		o.vfy |= V_MTIME;
	if ((flags & V_USER) && o.st.stx_uid != o.want_uid)
		o.vfy |= V_USER;
	if ((flags & V_GROUP) && o.st.stx_gid != o.want_gid)
		o.vfy |= V_GROUP;
	if (o.vfy & V_DIGEST)
		o.kind = "digest";
	else if (S_ISREG(f->mode) && !S_ISREG(got) && !(f->flags & RPMF_GHOST))
		o.kind = "not-regular";
	else if (!o.vfy)
		o.kind = "state";
	if (o.vfy || f->state == RPMFS_REPLACED || f->state < 0)
		record(v, path, f, &o);
	free(o.link);
	return 0;
}
