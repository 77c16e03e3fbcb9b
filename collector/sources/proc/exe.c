/*
 * exe.c - the executable of a process: its SHA-256 once per (dev, ino),
 * shared by the scanning threads (the table is exe_guard.c's exe_claim),
 * and the bytes of one whose file was deleted (volatile/deleted-exe/<pid>),
 * within the process images' total and time; one on a file system that
 * answers through a server is exe_guard.c's.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "copy.h"
#include "fsguard.h"
#include "hostfile.h"
#include "jsonw.h"
#include "procfs.h"
#include "procsrc.h"
#include "sha256.h"
#include "textutil.h"
#include "vec.h"
#include "banned.h"

/* Copy a deleted executable's bytes into volatile/deleted-exe/<pid>.
 * Called with p->mu held: the bundle is not shared between threads. */
static int copy_deleted_now(struct procs *p, int fd, int pid, char *link, size_t len,
			    const struct stat *st, struct exe_hash *e, struct jw *w);

/* The same, within the images' time (profile `images SIZE SECONDS`): once
 * spent, an image is neither hashed nor copied, and says why. */
static int copy_deleted(struct procs *p, int fd, int pid, char *link, size_t len,
			const struct stat *st, struct exe_hash *e, struct jw *w)
{
	if (!images_time_left(p->r)) {
		jw_str(w, "deleted_exe_missing", IMAGES_TIME_SPENT);
		e->err = -ETIME;
		return 0;
	}
	uint64_t t0 = images_clock();
	int ret = copy_deleted_now(p, fd, pid, link, len, st, e, w);
	images_time_spend(p->r, t0);
	return ret;
}

static int copy_deleted_now(struct procs *p, int fd, int pid, char *link, size_t len,
			    const struct stat *st, struct exe_hash *e, struct jw *w)
{
	struct artifact a;
	char member[64], src[64];
	int ret;

	/* the images share one total (profile `images`): what this one would
	 * add (its data, holes not copied) must fit, or it is hashed only */
	uint64_t cap;
	char why[240];
	if (!images_fit(p->r, st, &cap, why, sizeof(why))) {
		size_t wl = strlen(why);
		snprintf(why + wl, sizeof(why) - wl, "; hashed only");
		jw_str(w, "deleted_exe_missing", why);
		run_log(p->r, "processes: pid %d: its running image %s", pid, why);
		int r = sha256_fd(fd, EXE_HASH_CAP, e->sha256, &e->bytes);
		if (r == 0 || r == -E2BIG) {
			e->truncated = r == -E2BIG;
			e->state = EXE_DONE;
		} else {
			e->err = r;
		}
		return 0;
	}
	/* deleted, or its path names another file: the running image either way */
	snprintf(member, sizeof(member), "volatile/deleted-exe/%d", pid);
	snprintf(src, sizeof(src), "/proc/%d/exe", pid);
	artifact_begin(p->r, &a, "processes", "deleted-exe", src);
	if (statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS | STATX_BTIME, &a.st) == 0)
		a.has_stat = true;
	a.link_target = strndup(link, len);
	a.link_len = a.link_target ? len : 0;
	ret = copy_fd_to_member(p->r, &a, fd, member, (uint64_t)st->st_size, cap);
	if (ret == 0) {
		p->r->images_used += a.bytes;
		e->bytes = a.bytes;
		e->truncated = a.truncated;
		memcpy(e->sha256, a.sha256, sizeof(e->sha256));
		e->state = EXE_DONE;
		jw_str(w, "deleted_exe_member", member);
		/* a sparse copy holds the data extents only (the hole map is in
		 * the index): exe_sha256 is the file's, holes read as zeros */
		if (!a.truncated && a.bytes != (uint64_t)st->st_size) {
			int r = lseek(fd, 0, SEEK_SET) < 0 ? -errno :
				sha256_fd(fd, EXE_HASH_CAP, e->sha256, &e->bytes);
			if (r == 0 || r == -E2BIG) {
				e->truncated = r == -E2BIG;
			} else {
				e->state = EXE_FAILED;
				e->err = r;
			}
			jw_bool(w, "deleted_exe_sparse", true);
		}
	}
	artifact_end(p->r, &a);
	return ret;
}

/* The running image, opened through /proc/<pid>/exe. That link leads into
 * the process's own mount, not irsnap's read-only noatime copy (isolate.h),
 * so O_NOATIME is asked for here: hashing sshd must not make it look used
 * at the time of the collection. Without the right to it (not the owner,
 * no CAP_FOWNER), a plain open. */
static int open_exe(int dirfd)
{
	int fd = openat(dirfd, "exe", O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOATIME);

	if (fd < 0 && errno == EPERM)
		fd = openat(dirfd, "exe", O_RDONLY | O_CLOEXEC | O_NOCTTY);
	return fd;
}

static unsigned say_deleted_mark(bool says)
{
	return says ? VIEW_EXE_DELETED : 0;   /* until the inode says */
}

/* exe: path, deleted flag, SHA-256 once per (dev, ino); the bytes of a
 * deleted executable are copied into volatile/deleted-exe/<pid>. */
/* Whether the exe's path, inside the process's root, names another file
 * than the one running (recorded under exe_path_names); a path that names
 * nothing is recorded too (exe_path_missing), and is not "another file". */
static bool path_names_other(int dirfd, const char *link, const struct stat *run, struct jw *o)
{
	struct stat pst;
	bool other = false;

	if (link[0] != '/')
		return false;
	int e = stat_in_root(dirfd, link, &pst);
	if (e == -ENOENT) {
		jw_bool(o, "exe_path_missing", true);
	} else if (e == 0 && (pst.st_dev != run->st_dev || pst.st_ino != run->st_ino)) {
		exe_identity_json(o, "exe_path_names", &pst);
		other = true;
	}
	return other;
}

/* Why exe_sha256 is null, for the investigator: over the cap, vanished,
 * cannot open (with the error). */
static void missing_reason(struct jw *o, const char *what, int err)
{
	char why[128];

	if (err == -ETIME)
		snprintf(why, sizeof(why), "%s", IMAGES_TIME_SPENT);
	else if (!strcmp(what, "over the hash cap") || !strcmp(what, "over the copy cap"))
		snprintf(why, sizeof(why), "%s of %llu bytes", what, (unsigned long long)
			 (what[9] == 'h' ? EXE_HASH_CAP : DELETED_EXE_CAP));
	else if (err)
		snprintf(why, sizeof(why), "%s: %s", what, strerror(-err));
	else
		snprintf(why, sizeof(why), "%s", what);
	jw_str(o, "exe_sha256_missing", why);
}

int collect_exe(struct procs *p, int dirfd, int pid, struct jw *o, struct errlist *errs,
		unsigned *marks)
{
	char *link = NULL;
	size_t len = 0;
	int r = proc_readlink(dirfd, "exe", &link, &len), fd = -1, ret = 0;

	if (r < 0) {
		jw_null(o, "exe");
		if (r != -ENOENT)   /* kernel threads and zombies have no exe */
			proc_err(errs, "exe", r);
		return 0;
	}
	static const char del[] = " (deleted)";
	bool says_deleted = len >= sizeof(del) - 1 &&
			    memcmp(link + len - (sizeof(del) - 1), del, sizeof(del) - 1) == 0;
	jw_bytes(o, "exe", link, len);
	unsigned m = say_deleted_mark(says_deleted);
	m |= strncmp(link, "/memfd:", 7) == 0 ? VIEW_EXE_MEMFD : 0;
	m |= strncmp(link, "/tmp/", 5) == 0 || strncmp(link, "/var/tmp/", 9) == 0 ||
	     strncmp(link, "/dev/shm/", 9) == 0 ? VIEW_EXE_TEMP : 0;
	if (marks)
		*marks = m;

	/* its file system, learnt without calling into it (the mount id of a
	 * handle of no bytes, or an O_PATH fd's fdinfo: fsguard.h). On FUSE,
	 * NFS and the like (or a mount in no table), the rest is done under a
	 * deadline (exe_guard.c). */
	struct fs_where where = { .mnt_id = -1 };
	int mnt = fsguard_path_mnt(dirfd, "exe");
	if (mnt != -2) {
		fsguard_where(dirfd, mnt, &where);
		jw_str(o, "exe_fs", where.known ? where.type : "");
		if (marks && where.known && strcmp(where.type, "tmpfs") == 0 && !(m & VIEW_EXE_MEMFD))
			*marks |= VIEW_EXE_TEMP;
		if (where.guarded) {
			r = collect_exe_guarded(p, dirfd, pid, link, len, says_deleted, &where, o,
						errs);
			free(link);
			return r;
		}
	}

	/* stat through the magic link first: a known (dev, ino) needs no open */
	struct stat st;
	if (fstatat(dirfd, "exe", &st, 0) < 0 || !S_ISREG(st.st_mode)) {
		fd = open_exe(dirfd);
		int e = fd < 0 ? -errno : fstat(fd, &st) < 0 ? -errno : 0;
		if (e == 0 && !S_ISREG(st.st_mode))
			e = -EINVAL;
		if (e < 0) {
			proc_err(errs, "exe open", e);
			jw_bool(o, "exe_deleted", says_deleted);   /* the link's word only */
			jw_null(o, "exe_sha256");
			missing_reason(o, e == -ENOENT || e == -ESRCH ? "vanished" : "cannot open", e);
			if (fd >= 0)
				close(fd);
			free(link);
			return 0;
		}
	}
	/* deleted by the inode (a name may end in " (deleted)"), and the path
	 * looked up inside the process's own root: a bind mount over it makes
	 * it name another file, and every tool that reads the path is fooled */
	bool deleted = st.st_nlink == 0;
	if (marks)   /* by the inode, not the link's words */
		*marks = (*marks & ~VIEW_EXE_DELETED) | (deleted ? VIEW_EXE_DELETED : 0);
	jw_bool(o, "exe_deleted", deleted);
	if (says_deleted != deleted)
		jw_bool(o, "exe_name_says_deleted", says_deleted);
	exe_identity_json(o, "exe_identity", &st);
	/* the lookup walks the process's mounts: one on FUSE may never answer */
	bool masked = false;
	if (!deleted && !fsguard_ns_guarded(dirfd))
		masked = path_names_other(dirfd, link, &st, o);
	else if (!deleted)
		masked = path_names_other_guarded(p, dirfd, pid, link, &st, o);
	if (marks && masked)
		*marks |= VIEW_EXE_MASKED;
	bool mine;
	pthread_mutex_lock(&p->mu);
	size_t i = exe_claim(p, st.st_dev, st.st_ino, &mine);
	struct exe_hash h = i != SIZE_MAX ? p->exes[i] : (struct exe_hash){ .state = EXE_FAILED };
	pthread_mutex_unlock(&p->mu);
	if (mine) {
		struct exe_hash e = { .dev = st.st_dev, .ino = st.st_ino, .state = EXE_FAILED };
		struct stat fst;
		if (fd < 0)
			fd = open_exe(dirfd);
		int err = fd < 0 ? -errno : fstat(fd, &fst) < 0 ? -errno : 0;
		if (err == 0 && (fst.st_dev != st.st_dev || fst.st_ino != st.st_ino))
			err = -ESTALE;   /* it exec'd meanwhile: hash nothing under the old key */
		if (err < 0) {
			e.err = err;
			proc_err(errs, "exe open", err);
		} else if (deleted || masked) {   /* the running image is kept */
			pthread_mutex_lock(&p->mu);
			ret = copy_deleted(p, fd, pid, link, len, &st, &e, o);
			pthread_mutex_unlock(&p->mu);
			if (e.state != EXE_DONE)
				e.err = ret < 0 ? ret : -EIO;
		} else {
			r = sha256_fd(fd, EXE_HASH_CAP, e.sha256, &e.bytes);
			if (r == 0 || r == -E2BIG) {
				e.truncated = r == -E2BIG;
				e.state = EXE_DONE;
			} else {
				e.err = r;
				proc_err(errs, "exe read", r);
			}
		}
		pthread_mutex_lock(&p->mu);
		p->exes[i] = e;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
		h = e;
	}
	if (h.state == EXE_DONE && !h.truncated) {
		jw_ascii(o, "exe_sha256", h.sha256, strlen(h.sha256));
	} else {
		jw_null(o, "exe_sha256");
		if (h.state == EXE_DONE) {
			pthread_mutex_lock(&p->mu);
			p->cut_exe++;
			pthread_mutex_unlock(&p->mu);
		}
		if (h.state == EXE_DONE)
			missing_reason(o, deleted || masked ? "over the copy cap" : "over the hash cap", 0);
		else
			missing_reason(o, h.err == -ENOENT || h.err == -ESRCH || h.err == -ESTALE ?
				       "vanished" : "cannot read", h.err);
	}
	if (fd >= 0)
		close(fd);
	free(link);
	return ret;
}

