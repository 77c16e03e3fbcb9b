/*
 * fdwalk.c - the lsof equivalent's fds (fdwalk.h): every fd of a process
 * from /proc/<pid>/fd and fdinfo/<fd>, walked once per run. Records go to
 * volatile/open-files.jsonl, one per fd; the mapped files are maps.c's.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdatomic.h>
#include <sys/ioctl.h>
#include <stdbool.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "jsonw.h"
#include "procfs.h"
#include "fdwalk.h"
#include "fsguard.h"
#include "procsrc.h"
#include "vec.h"
#include "banned.h"

static bool has_prefix(const char *s, size_t n, const char *pre)
{
	size_t k = strlen(pre);
	return n >= k && memcmp(s, pre, k) == 0;
}

/* "socket:[123]" -> type socket, inode 123, and so on. */
static void classify(struct jw *w, const char *t, size_t n)
{
	static const char del[] = " (deleted)";
	const char *type = "other";

	if (has_prefix(t, n, "socket:["))
		type = "socket";
	else if (has_prefix(t, n, "pipe:["))
		type = "pipe";
	else if (has_prefix(t, n, "anon_inode:"))
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
static void note_bpf(struct fd_part *t, const char *info, const char *link, size_t len,
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
		jw_int(w, kinds[k][1], id);
		if (vec_reserve((void **)&t->bpf, &t->abpf, t->nbpf + 1, sizeof(*t->bpf)))
			t->bpf[t->nbpf++] = (struct fd_bpf){ pid, fd, id, "pml"[k] };
		return;
	}
}

/* fdinfo's position, flags and mount: the mount id (or -1) returned; a bpf
 * object's id noted. */
static int add_fdinfo(struct fd_part *t, int dirfd, const char *fdname, const char *link,
		      size_t len, int pid, struct jw *w)
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
			note_bpf(t, info, link, len, pid, (int)strtol(fdname, NULL, 10), w);
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

void fdpart_init(struct fd_part *p)
{
	memset(p, 0, sizeof(*p));
	capbuf_init(&p->records, RECORDS_CAP);
}

void fdpart_free(struct fd_part *p)
{
	capbuf_release(&p->records);
	free(p->own);
	free(p->fail);
	free(p->comm);
	free(p->gone);
	free(p->bpf);
	memset(p, 0, sizeof(*p));
}

void fdwalk_init(struct fd_table *t)
{
	memset(t, 0, sizeof(*t));
	spool_init(&t->records);
	fdpart_init(&t->acc);
}


static void note_owner(struct fd_part *t, uint64_t ino, int pid, int fd)
{
	if (vec_reserve((void **)&t->own, &t->aown, t->nown + 1, sizeof(*t->own)))
		t->own[t->nown++] = (struct fd_owner){ .inode = ino, .pid = pid, .fd = fd };
}

static void note_failure(struct fd_part *t, int pid, int err)
{
	if (vec_reserve((void **)&t->fail, &t->afail, t->nfail + 1, sizeof(*t->fail)))
		t->fail[t->nfail++] = (struct fd_failure){ .pid = pid, .err = err };
}

int fdwalk_pid(struct fd_part *t, int pdir, int pid)
{
	int fdd = openat(pdir, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	DIR *d;
	struct dirent *de;

	if (fdd < 0 || !(d = fdopendir(fdd))) {
		int e = -errno;
		if (fdd >= 0)
			close(fdd);
		note_failure(t, pid, e);
		return e;
	}
	bool owns_socket = false;
	while ((de = readdir(d))) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		char *link = NULL;
		size_t len = 0;
		int r = proc_readlink(fdd, de->d_name, &link, &len);
		if (r < 0) {
			free(link);
			continue;   /* closed meanwhile */
		}
		int fdnum = (int)strtol(de->d_name, NULL, 10);
		struct jw w;
		jw_begin(&w, &t->records);
		jw_int(&w, "pid", pid);
		jw_int(&w, "fd", fdnum);
		jw_bytes(&w, "target", link, len);
		classify(&w, link, len);
		bool sock = has_prefix(link, len, "socket:[");
		if (sock)
			note_owner(t, strtoull(link + 8, NULL, 10), pid, fdnum);
		/* a socket or pipe is fully named by its link (its inode); stat
		 * and fdinfo (position, flags) matter for files, and cost three
		 * system calls per fd on a host with tens of thousands of sockets */
		if (!sock && !has_prefix(link, len, "pipe:[")) {
			struct stat st;
			int mnt = add_fdinfo(t, pdir, de->d_name, link, len, pid, &w);
			bool guarded;
			if (stat_target(pdir, fdd, de->d_name, link, mnt, &st, &w, &guarded) == 0) {
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
					t->gone[t->ngone++] = (struct fd_gone){ pid, fdnum, st.st_dev,
						st.st_ino, (uint64_t)st.st_size };
			}
		}
		jw_end(&w);
		free(link);
		t->nfds++;
		owns_socket |= sock;
	}
	closedir(d);
	/* the owner's name for the socket views: read once per process here */
	if (owns_socket && vec_reserve((void **)&t->comm, &t->acomm, t->ncomm + 1, sizeof(*t->comm))) {
		struct fd_comm *c = &t->comm[t->ncomm];
		struct capbuf cb;
		capbuf_init(&cb, sizeof(c->comm));
		if (proc_read_once(pdir, "comm", &cb) == 0 || cb.len) {
			c->pid = pid;
			c->len = (unsigned)strcspn(cb.buf ? cb.buf : "", "\n");
			memcpy(c->comm, cb.buf ? cb.buf : "", c->len);
			/* and its exe, for sockets.txt: the link is the kernel's
			 * d_path, no call into the file's file system */
			ssize_t el = readlinkat(pdir, "exe", c->exe, sizeof(c->exe));
			c->exe_len = el > 0 ? (unsigned)el : 0;
			t->ncomm++;
		}
		capbuf_release(&cb);
	}
	return 0;
}

void fdwalk_merge(struct fd_table *t, struct fd_part *p)
{
	struct fd_part *a = &t->acc;

	spool_add(&t->records, &p->records);
	if (p->nown && vec_reserve((void **)&a->own, &a->aown, a->nown + p->nown, sizeof(*a->own))) {
		memcpy(a->own + a->nown, p->own, p->nown * sizeof(*p->own));
		a->nown += p->nown;
	}
	if (p->nfail && vec_reserve((void **)&a->fail, &a->afail, a->nfail + p->nfail, sizeof(*a->fail))) {
		memcpy(a->fail + a->nfail, p->fail, p->nfail * sizeof(*p->fail));
		a->nfail += p->nfail;
	}
	if (p->ncomm && vec_reserve((void **)&a->comm, &a->acomm, a->ncomm + p->ncomm, sizeof(*a->comm))) {
		memcpy(a->comm + a->ncomm, p->comm, p->ncomm * sizeof(*p->comm));
		a->ncomm += p->ncomm;
	}
	if (p->ngone && vec_reserve((void **)&a->gone, &a->agone, a->ngone + p->ngone, sizeof(*a->gone))) {
		memcpy(a->gone + a->ngone, p->gone, p->ngone * sizeof(*p->gone));
		a->ngone += p->ngone;
	}
	if (p->nbpf && vec_reserve((void **)&a->bpf, &a->abpf, a->nbpf + p->nbpf, sizeof(*a->bpf))) {
		memcpy(a->bpf + a->nbpf, p->bpf, p->nbpf * sizeof(*p->bpf));
		a->nbpf += p->nbpf;
	}
	t->nfds += p->nfds;
	p->nown = p->nfail = p->ncomm = p->ngone = p->nbpf = 0;
	p->nfds = 0;
	capbuf_reset(&p->records);
}

static int owner_cmp(const void *a, const void *b)
{
	const struct fd_owner *x = a, *y = b;
	if (x->inode != y->inode)
		return x->inode < y->inode ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return (x->fd > y->fd) - (x->fd < y->fd);
}

static int fail_cmp(const void *a, const void *b)
{
	const struct fd_failure *x = a, *y = b;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

static int comm_cmp(const void *a, const void *b)
{
	const struct fd_comm *x = a, *y = b;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* The first of n records (sorted by pid, `int pid` their first member) whose
 * pid is not below `pid`: fd_comm and fd_failure share this search. */
_Static_assert(offsetof(struct fd_comm, pid) == 0, "pid first in fd_comm");
_Static_assert(offsetof(struct fd_failure, pid) == 0, "pid first in fd_failure");
static size_t pid_bound(const void *base, size_t n, size_t size, int pid)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int at;
		memcpy(&at, (const char *)base + mid * size, sizeof(at));
		if (at < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct fd_comm *fdwalk_comm(const struct fd_table *t, int pid)
{
	size_t i = pid_bound(t->comm, t->ncomm, sizeof(*t->comm), pid);
	return i < t->ncomm && t->comm[i].pid == pid ? &t->comm[i] : NULL;
}

void fdwalk_finish(struct fd_table *t)
{
	t->own = t->acc.own;
	t->nown = t->acc.nown;
	t->fail = t->acc.fail;
	t->nfail = t->acc.nfail;
	t->comm = t->acc.comm;
	t->ncomm = t->acc.ncomm;
	t->gone = t->acc.gone;
	t->ngone = t->acc.ngone;
	t->bpf = t->acc.bpf;
	t->nbpf = t->acc.nbpf;
	if (t->ncomm)
		qsort(t->comm, t->ncomm, sizeof(*t->comm), comm_cmp);
	if (t->nown)
		qsort(t->own, t->nown, sizeof(*t->own), owner_cmp);
	if (t->nfail)
		qsort(t->fail, t->nfail, sizeof(*t->fail), fail_cmp);
	t->done = true;
}

size_t fdwalk_owners(const struct fd_table *t, uint64_t inode, size_t *ret_first)
{
	size_t lo = 0, hi = t->nown;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->own[mid].inode < inode)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t n = 0;
	while (inode && lo + n < t->nown && t->own[lo + n].inode == inode)
		n++;
	*ret_first = lo;
	return n;
}

int fdwalk_failed(const struct fd_table *t, int pid)
{
	size_t i = pid_bound(t->fail, t->nfail, sizeof(*t->fail), pid);
	return i < t->nfail && t->fail[i].pid == pid ? t->fail[i].err : 0;
}

void fdwalk_free(struct fd_table *t)
{
	spool_free(&t->records);
	fdpart_free(&t->acc);   /* owns own[] and fail[] */
	memset(t, 0, sizeof(*t));
}
