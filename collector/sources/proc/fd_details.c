/*
 * fd_details.c - the details of the fds the core walk left pending
 * (fdwalk.h): every fd that is not a socket or a pipe, read after the core
 * window through the process's /proc/<pid>/fd: its link again (an fd
 * closed or reused since the core is said so, and not read), fdinfo's
 * position, flags and mount, and the stat of its target, under the
 * fs-deadline on a file system that answers through a server.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "fdwalk.h"
#include "fsguard.h"
#include "jsonw.h"
#include "procfs.h"
#include "procsrc.h"
#include "vec.h"
#include "banned.h"

bool fd_has_prefix(const char *s, size_t n, const char *pre)
{
	size_t k = strlen(pre);
	return n >= k && memcmp(s, pre, k) == 0;
}

/* "socket:[123]" -> type socket, inode 123, and so on. */
void fd_classify(struct jw *w, const char *t, size_t n)
{
	static const char del[] = " (deleted)";
	const char *type = "other";

	if (fd_has_prefix(t, n, "socket:["))
		type = "socket";
	else if (fd_has_prefix(t, n, "pipe:["))
		type = "pipe";
	else if (fd_has_prefix(t, n, "anon_inode:"))
		type = "anon_inode";
	else if (n && t[0] == '/')
		type = "file";
	jw_str(w, "type", type);
	if (!strcmp(type, "socket") || !strcmp(type, "pipe"))
		jw_int(w, strcmp(type, "socket") == 0 ? "socket_inode" : "pipe_inode",
		       (int64_t)strtoull((const char *)memchr(t, '[', n) + 1, NULL, 10));
	jw_bool(w, "deleted", !strcmp(type, "file") && n >= sizeof(del) - 1 &&
		memcmp(t + n - (sizeof(del) - 1), del, sizeof(del) - 1) == 0);
}

/* A bpf object's id from its fdinfo: "prog_id", "map_id", "link_id". */
static void bpf_id(struct fd_part *t, const char *info, const char *link, size_t len,
		   int pid, int fd, struct jw *w)
{
	static const char *const kinds[][2] = {
		{ "anon_inode:bpf-prog", "prog_id" }, { "anon_inode:bpf-map", "map_id" },
		{ "anon_inode:bpf_link", "link_id" },
	};
	size_t n;

	for (size_t k = 0; k < 3; k++) {
		if (len != strlen(kinds[k][0]) || memcmp(link, kinds[k][0], len) != 0)
			continue;
		const char *v = proc_status_field(info, kinds[k][1], &n);
		if (!v)
			return;
		uint32_t id = (uint32_t)strtoul(v, NULL, 10);
		if (w)
			jw_int(w, kinds[k][1], id);
		if (t && vec_reserve((void **)&t->bpf, &t->abpf, t->nbpf + 1, sizeof(*t->bpf)))
			t->bpf[t->nbpf++] = (struct fd_bpf){ pid, fd, id, "pml"[k] };
		return;
	}
}

/* fdinfo's position, flags and mount: the mount id (or -1) returned; a bpf
 * object's id written (the core noted its holder). */
static int add_fdinfo(int dirfd, const char *fdname, const char *link, size_t len, int pid,
		      struct jw *w)
{
	int mnt = -1;
	char path[300];
	struct capbuf cb;
	size_t n;

	snprintf(path, sizeof(path), "fdinfo/%s", fdname);
	capbuf_init(&cb, FDINFO_CAP);
	if (proc_read_once(dirfd, path, &cb) == 0 || cb.len) {
		const char *info = cb.buf ? cb.buf : "";
		const char *v = proc_status_field(info, "pos", &n);
		if (v)
			jw_int(w, "pos", (int64_t)strtoll(v, NULL, 10));
		v = proc_status_field(info, "flags", &n);
		if (v)
			jw_bytes(w, "flags", v, n);
		v = proc_status_field(info, "mnt_id", &n);
		if (v) {
			mnt = (int)strtol(v, NULL, 10);
			jw_int(w, "mnt_id", mnt);
		}
		if (len > 14 && memcmp(link, "anon_inode:bpf", 14) == 0)
			bpf_id(NULL, info, link, len, pid, (int)strtol(fdname, NULL, 10), w);
	}
	capbuf_release(&cb);
	return mnt;
}

#define FD_GONE_CAP 4096        /* per chunk of processes */

struct stat_job {
	int fdd;                   /* the job's own dup of /proc/<pid>/fd */
	char name[NAME_MAX + 1];
	struct stat st;
	int err;
};

static void stat_job(void *v)
{
	struct stat_job *j = v;

	j->err = fstatat(j->fdd, j->name, &j->st, 0) < 0 ? -errno : 0;
	close(j->fdd);
}

/* Stat an fd's target. One on a file system that answers through a server
 * (fsguard.h), or on a mount in no table, is stat'ed under the deadline
 * (its fs and, when it does not answer, why, recorded); a kernel object
 * ("anon_inode:[eventfd]") is on no file system a server answers for. */
static int stat_target(int pdir, int fdd, const char *name, const char *link, int mnt,
		       struct stat *st, struct jw *w, bool *guarded)
{
	struct fs_where where;

	*guarded = false;
	if (link[0] != '/')
		return fstatat(fdd, name, st, 0) < 0 ? -errno : 0;
	fsguard_where(pdir, mnt, &where);
	if (!where.guarded)
		return fstatat(fdd, name, st, 0) < 0 ? -errno : 0;
	*guarded = true;
	jw_str(w, "fs", where.type);
	struct stat_job j = { .fdd = fcntl(fdd, F_DUPFD_CLOEXEC, 3) };
	unsigned waited;
	if (j.fdd < 0)
		return -errno;
	snprintf(j.name, sizeof(j.name), "%s", name);
	int e = fsguard_run(mnt, stat_job, &j, sizeof(j), &waited);
	if (fsguard_not_run(e))
		close(j.fdd);
	if (e < 0) {
		char why[160];
		fsguard_reason(e, &where, waited, why, sizeof(why));
		jw_str(w, "stat_missing", why);
		return e;
	}
	*st = j.st;
	return j.err;
}

void fd_note_bpf(struct fd_part *t, int pdir, const char *fdname, const char *link, size_t len,
		 int pid, int fd)
{
	char path[300];
	struct capbuf cb;

	snprintf(path, sizeof(path), "fdinfo/%s", fdname);
	capbuf_init(&cb, FDINFO_CAP);
	if (proc_read_once(pdir, path, &cb) == 0 || cb.len)
		bpf_id(t, cb.buf ? cb.buf : "", link, len, pid, fd, NULL);
	capbuf_release(&cb);
}

/* One pending fd's record: its link as the core read it, and what it is
 * now, if it is still that. */
static void one_fd(struct fd_part *t, int pdir, int fdd, const struct fd_pend *f, const char *why)
{
	char name[16], *now = NULL;
	size_t nlen = 0;
	struct jw w;

	snprintf(name, sizeof(name), "%d", f->fd);
	jw_begin(&w, &t->records);
	jw_int(&w, "pid", f->pid);
	jw_int(&w, "fd", f->fd);
	jw_bytes(&w, "target", f->link, f->len);
	fd_classify(&w, f->link, f->len);
	int r = why ? -ECANCELED : fdd < 0 ? fdd : proc_readlink(fdd, name, &now, &nlen);
	if (why) {
		jw_str(&w, "stat_missing", why);
	} else if (r < 0) {
		jw_str(&w, "stat_missing", "closed after the core snapshot");
	} else if (nlen != f->len || memcmp(now, f->link, nlen) != 0) {
		jw_bytes(&w, "target_after_core", now, nlen);
		jw_str(&w, "stat_missing", "reused after the core snapshot for another file");
	} else {
		struct stat st;
		bool guarded;
		int mnt = add_fdinfo(pdir, name, f->link, f->len, f->pid, &w);
		if (stat_target(pdir, fdd, name, f->link, mnt, &st, &w, &guarded) == 0) {
			char dev[32];
			snprintf(dev, sizeof(dev), "%u:%u", major(st.st_dev), minor(st.st_dev));
			jw_str(&w, "dev", dev);
			jw_int(&w, "ino", (int64_t)st.st_ino);
			jw_int(&w, "size", (int64_t)st.st_size);
			char mode[8];
			snprintf(mode, sizeof(mode), "%06o", (unsigned)st.st_mode);
			jw_str(&w, "mode", mode);
			/* no name left: its bytes are kept after the walk (not
			 * from a file system that answers through a server) */
			if (S_ISREG(st.st_mode) && st.st_nlink == 0 && !guarded &&
			    t->ngone < FD_GONE_CAP &&
			    vec_reserve((void **)&t->gone, &t->agone, t->ngone + 1, sizeof(*t->gone)))
				t->gone[t->ngone++] = (struct fd_gone){ f->pid, f->fd, st.st_dev,
					st.st_ino, (uint64_t)st.st_size };
		}
	}
	jw_end(&w);
	free(now);
}

void fdwalk_details(struct fd_part *t, int pdir, const struct fd_pend *v, size_t n,
		    const char *why)
{
	int fdd = why || !n ? -1 : openat(pdir, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);

	if (fdd < 0 && !why && n)
		fdd = -errno;
	for (size_t i = 0; i < n; i++)
		one_fd(t, pdir, fdd, &v[i], why);
	if (fdd >= 0)
		close(fdd);
}
