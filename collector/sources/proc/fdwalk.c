/*
 * fdwalk.c - the lsof equivalent's fds (fdwalk.h): every fd of a process
 * from /proc/<pid>/fd, walked once per run, in the core (snapshot.h): the
 * links, the socket owners, the records of sockets and pipes. Every other
 * fd's stat and fdinfo are details (fd_details.c). Records go to
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
	for (size_t i = 0; i < p->npend; i++)
		free(p->pend[i].link);
	free(p->pend);
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

static void note_pending(struct fd_part *t, int pid, int fd, const char *link, size_t len)
{
	char *copy = malloc(len + 1);
	if (!copy || !vec_reserve((void **)&t->pend, &t->apend, t->npend + 1, sizeof(*t->pend))) {
		free(copy);
		return;
	}
	memcpy(copy, link, len + 1);
	t->pend[t->npend++] = (struct fd_pend){ .pid = pid, .fd = fd, .link = copy, .len = len };
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
		bool sock = fd_has_prefix(link, len, "socket:[");
		if (sock)
			note_owner(t, strtoull(link + 8, NULL, 10), pid, fdnum);
		if (sock || fd_has_prefix(link, len, "pipe:[")) {
			/* a socket or pipe is fully named by its link (its inode):
			 * its record now */
			struct jw w;
			jw_begin(&w, &t->records);
			jw_int(&w, "pid", pid);
			jw_int(&w, "fd", fdnum);
			jw_bytes(&w, "target", link, len);
			fd_classify(&w, link, len);
			jw_end(&w);
		} else {
			/* a file's stat and fdinfo (position, flags) are details, read
			 * after the core (fd_details.c): a stat can wait on a server;
			 * a bpf object's id is its identity, noted now */
			if (len > 14 && memcmp(link, "anon_inode:bpf", 14) == 0)
				fd_note_bpf(t, pdir, de->d_name, link, len, pid, fdnum);
			note_pending(t, pid, fdnum, link, len);
		}
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
	if (p->npend && vec_reserve((void **)&a->pend, &a->apend, a->npend + p->npend, sizeof(*a->pend))) {
		memcpy(a->pend + a->npend, p->pend, p->npend * sizeof(*p->pend));
		a->npend += p->npend;
	} else {
		for (size_t i = 0; i < p->npend; i++)
			free(p->pend[i].link);
	}
	t->nfds += p->nfds;
	p->nown = p->nfail = p->ncomm = p->ngone = p->nbpf = p->npend = 0;
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
_Static_assert(offsetof(struct fd_pend, pid) == 0, "pid first in fd_pend");
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
	t->pend = t->acc.pend;
	t->npend = t->acc.npend;
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

const struct fd_pend *fdwalk_pending(const struct fd_table *t, int pid, size_t *n)
{
	size_t i = pid_bound(t->pend, t->npend, sizeof(*t->pend), pid), k = i;
	while (k < t->npend && t->pend[k].pid == pid)
		k++;
	*n = k - i;
	return k > i ? &t->pend[i] : NULL;
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
