/*
 * exe_guard.c - the executable of a process whose file lives on a file
 * system that answers through a server (FUSE, NFS, CIFS, 9p; fsguard.h),
 * or on a mount in no table: its stat, the lookup of its path and its hash
 * are made on a thread of their own under the run's deadline, so a server
 * that stops answering costs one deadline, never the collection.
 *
 * The bytes of such a file are hashed, not copied when deleted: a copy
 * writes the bundle, which only the scanning threads may, and the server
 * that serves them is the intruder's to lie with anyway (recorded).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "fsguard.h"
#include "jsonw.h"
#include "procsrc.h"
#include "textutil.h"
#include "sha256.h"
#include "vec.h"
#include "banned.h"

/* {dev, ino, size, mtime, nlink} of a file: what names it beyond its path. */
void exe_identity_json(struct jw *o, const char *key, const struct stat *st)
{
	struct jw w;
	char dev[32], t[RFC3339_LEN];
	struct timespec ts = st->st_mtim;

	jw_object(o, key, &w);
	snprintf(dev, sizeof(dev), "%u:%u", major(st->st_dev), minor(st->st_dev));
	jw_str(&w, "dev", dev);
	jw_int(&w, "ino", (int64_t)st->st_ino);
	jw_int(&w, "size", (int64_t)st->st_size);
	fmt_rfc3339(t, &ts);
	jw_str(&w, "mtime", t);
	jw_int(&w, "nlink", (int64_t)st->st_nlink);
	jw_object_end(&w);
}

int stat_in_root(int dirfd, const char *path, struct stat *st)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);

	if (path[0] != '/')
		return -EINVAL;
	if (n + 5 <= sizeof(buf)) {   /* one walk: the link "root", then the path */
		memcpy(buf, "root", 4);
		memcpy(buf + 4, path, n + 1);
		return fstatat(dirfd, buf, st, 0) < 0 ? -errno : 0;
	}
	int root = openat(dirfd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return -errno;
	int e = fstatat(root, path + 1, st, 0) < 0 ? -errno : 0;
	close(root);
	return e;
}

/* Find (dev, ino) among the executables seen, or claim it for the caller
 * to hash (state EXE_HASHING; others wait for it). Called with p->mu held.
 * SIZE_MAX when out of memory. */
size_t exe_claim(struct procs *p, uint64_t dev, uint64_t ino, bool *mine)
{
	*mine = false;
	for (;;) {
		size_t i;
		for (i = 0; i < p->nexes; i++)
			if (p->exes[i].dev == dev && p->exes[i].ino == ino)
				break;
		if (i < p->nexes && p->exes[i].state == EXE_HASHING) {
			pthread_cond_wait(&p->cv, &p->mu);
			continue;
		}
		if (i < p->nexes)
			return i;
		if (!vec_reserve((void **)&p->exes, &p->exes_alloc, p->nexes + 1, sizeof(*p->exes)))
			return SIZE_MAX;
		p->exes[p->nexes] = (struct exe_hash){ .dev = dev, .ino = ino,
						       .state = EXE_HASHING };
		*mine = true;
		return p->nexes++;
	}
}

struct exe_job {
	int dirfd;                 /* the job's own: a dup, closed by it */
	bool lookup;               /* look the path up in the process's root */
	bool hash;                 /* then open and hash it */
	char path[PATH_MAX];
	/* results */
	int err;                   /* of the stat; then open and read */
	const char *failed;        /* "exe", "exe open", "exe read" */
	struct stat st, pst;
	int perr;                  /* the lookup's: 0, or -errno */
	char sha256[SHA256_HEX_LEN];
	uint64_t bytes;
	bool hashed, truncated;
};

static void exe_job(void *v)
{
	struct exe_job *j = v;
	int fd;

	j->failed = "exe";
	if (fstatat(j->dirfd, "exe", &j->st, 0) < 0) {
		j->err = -errno;
		goto out;
	}
	j->perr = -ENOENT;
	if (j->lookup && j->path[0] == '/')
		j->perr = stat_in_root(j->dirfd, j->path, &j->pst);
	j->failed = NULL;
	if (!j->hash)
		goto out;
	j->failed = "exe open";
	fd = openat(j->dirfd, "exe", O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOATIME);
	if (fd < 0 && errno == EPERM)
		fd = openat(j->dirfd, "exe", O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		j->err = -errno;
		goto out;
	}
	j->failed = "exe read";
	int r = sha256_fd(fd, EXE_HASH_CAP, j->sha256, &j->bytes);
	close(fd);
	if (r == 0 || r == -E2BIG) {
		j->hashed = true;
		j->truncated = r == -E2BIG;
		j->failed = NULL;
	} else {
		j->err = r;
	}
out:
	close(j->dirfd);
}

/* The hash of the exe stat'ed in `j`, from the run's table or made now
 * under the deadline (phase two); the result into j (hashed, truncated,
 * failed, err). */
static void guarded_hash(struct procs *p, int dirfd, int pid, const struct fs_where *w,
			 struct exe_job *j)
{
	bool mine;
	char why[160];
	unsigned waited;

	pthread_mutex_lock(&p->mu);
	size_t i = exe_claim(p, j->st.st_dev, j->st.st_ino, &mine);
	struct exe_hash h = i != SIZE_MAX ? p->exes[i] : (struct exe_hash){ .state = EXE_FAILED,
									 .err = -ENOMEM };
	pthread_mutex_unlock(&p->mu);
	if (mine) {
		struct exe_job k = { .dirfd = fcntl(dirfd, F_DUPFD_CLOEXEC, 3), .hash = true };
		h = (struct exe_hash){ .dev = j->st.st_dev, .ino = j->st.st_ino, .state = EXE_FAILED };
		int e = k.dirfd < 0 ? -errno : fsguard_run(w->mnt_id, exe_job, &k, sizeof(k), &waited);
		if (e < 0 && k.dirfd >= 0 && fsguard_not_run(e))
			close(k.dirfd);
		if (e < 0) {
			fsguard_reason(e, w, waited, why, sizeof(why));
			run_log(p->r, "processes: pid %d: the hash of its executable: %s", pid, why);
			h.err = -ETIMEDOUT;
		} else if (k.hashed && (k.st.st_dev != j->st.st_dev || k.st.st_ino != j->st.st_ino)) {
			h.err = -ESTALE;   /* it exec'd meanwhile: nothing under the old key */
		} else if (k.hashed) {
			memcpy(h.sha256, k.sha256, sizeof(h.sha256));
			h.bytes = k.bytes;
			h.truncated = k.truncated;
			h.state = EXE_DONE;
		} else {
			h.err = k.err;
		}
		pthread_mutex_lock(&p->mu);
		p->exes[i] = h;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
	}
	j->hashed = h.state == EXE_DONE;
	memcpy(j->sha256, h.sha256, sizeof(j->sha256));
	j->bytes = h.bytes;
	j->truncated = h.truncated;
	j->err = h.err;
	j->failed = j->hashed ? NULL : h.err == -ETIMEDOUT ? "exe stalled" : "exe read";
}

int collect_exe_guarded(struct procs *p, int dirfd, int pid, const char *link, size_t len,
			bool says_deleted, const struct fs_where *w, struct jw *o,
			struct errlist *errs)
{
	struct exe_job j = { .dirfd = fcntl(dirfd, F_DUPFD_CLOEXEC, 3), .lookup = true };
	char why[160];
	unsigned waited;

	if (j.dirfd < 0) {
		proc_err(errs, "exe", -errno);
		jw_null(o, "exe_sha256");
		return 0;
	}
	memcpy(j.path, link, len < sizeof(j.path) - 1 ? len : sizeof(j.path) - 1);
	int e = fsguard_run(w->mnt_id, exe_job, &j, sizeof(j), &waited);
	if (e < 0) {
		if (fsguard_not_run(e))   /* nothing ran: the fd is still ours */
			close(j.dirfd);
		fsguard_reason(e, w, waited, why, sizeof(why));
		run_log(p->r, "processes: pid %d: its executable: %s", pid, why);
		jw_bool(o, "exe_deleted", says_deleted);   /* the link's word only */
		jw_str(o, "exe_stalled", why);
		jw_null(o, "exe_sha256");
		jw_str(o, "exe_sha256_missing", why);
		proc_err(errs, "exe stalled", e);
		return 0;
	}
	if (waited >= 1000)
		run_log(p->r, "processes: pid %d: its executable (fs %s) answered in %u ms", pid,
			w->known ? w->type : "unknown", waited);
	if (j.failed && !strcmp(j.failed, "exe")) {
		proc_err(errs, "exe", j.err);
		jw_bool(o, "exe_deleted", says_deleted);
		jw_null(o, "exe_sha256");
		snprintf(why, sizeof(why), "cannot stat: %s", strerror(-j.err));
		jw_str(o, "exe_sha256_missing", why);
		return 0;
	}
	bool deleted = j.st.st_nlink == 0;
	jw_bool(o, "exe_deleted", deleted);
	if (says_deleted != deleted)
		jw_bool(o, "exe_name_says_deleted", says_deleted);
	exe_identity_json(o, "exe_identity", &j.st);
	if (!deleted && j.perr == -ENOENT)
		jw_bool(o, "exe_path_missing", true);
	else if (!deleted && j.perr == 0 &&
		 (j.pst.st_dev != j.st.st_dev || j.pst.st_ino != j.st.st_ino))
		exe_identity_json(o, "exe_path_names", &j.pst);
	/* hashed once per (dev, ino), as on any other file system: a host
	 * whose /usr is on NFS runs thousands of processes of a few files */
	guarded_hash(p, dirfd, pid, w, &j);
	if (j.hashed && !j.truncated) {
		jw_ascii(o, "exe_sha256", j.sha256, strlen(j.sha256));
	} else {
		jw_null(o, "exe_sha256");
		if (j.truncated)
			snprintf(why, sizeof(why), "over the hash cap of %llu bytes",
				 (unsigned long long)EXE_HASH_CAP);
		else
			snprintf(why, sizeof(why), "%s: %s", j.failed,
				 j.err == -ETIMEDOUT ? "no answer within the deadline" : strerror(-j.err));
		jw_str(o, "exe_sha256_missing", why);
		if (!j.truncated)
			proc_err(errs, j.failed, j.err);
	}
	if (deleted)
		jw_str(o, "deleted_exe_missing", "on a file system that answers through a "
		       "server: hashed under a deadline, not copied");
	return 0;
}

struct lookup_job {
	int dirfd;                 /* the job's own */
	char path[PATH_MAX];
	struct stat pst;
	int err;
};

static void lookup_job(void *v)
{
	struct lookup_job *j = v;

	j->err = stat_in_root(j->dirfd, j->path, &j->pst);
	close(j->dirfd);
}

bool path_names_other_guarded(struct procs *p, int dirfd, int pid, const char *link,
			      const struct stat *run, struct jw *o)
{
	struct lookup_job j = { .dirfd = fcntl(dirfd, F_DUPFD_CLOEXEC, 3) };
	size_t len = strlen(link);
	unsigned waited;
	char why[160];

	if (link[0] != '/' || j.dirfd < 0) {
		if (j.dirfd >= 0)
			close(j.dirfd);
		return false;
	}
	memcpy(j.path, link, len < sizeof(j.path) - 1 ? len : sizeof(j.path) - 1);
	int e = fsguard_lookup(dirfd, lookup_job, &j, sizeof(j), &waited);
	if (e < 0) {
		if (fsguard_not_run(e))
			close(j.dirfd);
		fsguard_reason(e, NULL, waited, why, sizeof(why));
		run_log(p->r, "processes: pid %d: the lookup of its executable's path: %s", pid, why);
		jw_str(o, "exe_path_stalled", why);
		return false;
	}
	if (j.err == -ENOENT)
		jw_bool(o, "exe_path_missing", true);
	if (j.err < 0 || (j.pst.st_dev == run->st_dev && j.pst.st_ino == run->st_ino))
		return false;
	exe_identity_json(o, "exe_path_names", &j.pst);
	return true;
}
