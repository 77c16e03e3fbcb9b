/*
 * proc_fds.c - the lsof equivalent: every fd of a process from
 * /proc/<pid>/fd and fdinfo/<fd>, and every mapped file from maps (proc(5)).
 * Records go to volatile/open-files.jsonl, one per fd or mapped file.
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

static void add_fdinfo(int dirfd, const char *fdname, struct jw *w)
{
	char path[300];
	struct capbuf cb;
	size_t n;

	snprintf(path, sizeof(path), "fdinfo/%s", fdname);
	capbuf_init(&cb, FDINFO_CAP);
	if (proc_read_once(dirfd, path, &cb) == 0 || cb.len) {
		const char *t = cb.buf ? cb.buf : "";
		const char *v = proc_status_field(t, "pos", &n);
		if (v)
			jw_int(w, "pos", (int64_t)strtoll(v, NULL, 10));
		v = proc_status_field(t, "flags", &n);
		if (v)
			jw_bytes(w, "flags", v, n);
		v = proc_status_field(t, "mnt_id", &n);
		if (v)
			jw_int(w, "mnt_id", strtol(v, NULL, 10));
	}
	capbuf_release(&cb);
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
			if (fstatat(fdd, de->d_name, &st, 0) == 0) {
				char dev[32];
				snprintf(dev, sizeof(dev), "%u:%u", major(st.st_dev), minor(st.st_dev));
				jw_str(&w, "dev", dev);
				jw_int(&w, "ino", (int64_t)st.st_ino);
				jw_int(&w, "size", (int64_t)st.st_size);
				char mode[8];
				snprintf(mode, sizeof(mode), "%06o", (unsigned)st.st_mode);
				jw_str(&w, "mode", mode);
			}
			add_fdinfo(pdir, de->d_name, &w);
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
	t->nfds += p->nfds;
	p->nown = p->nfail = p->ncomm = 0;
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

static void map_record(struct capbuf *out, int pid, const char *path, size_t n,
		       const char *dev, size_t dev_len, unsigned long long ino, const char perms[4])
{
	static const char del[] = " (deleted)";
	struct jw w;

	jw_begin(&w, out);
	jw_int(&w, "pid", pid);
	jw_null(&w, "fd");
	jw_str(&w, "type", "mmap");
	if (path)
		jw_bytes(&w, "target", path, n);
	else
		jw_null(&w, "target");
	jw_bool(&w, "deleted", path && n >= sizeof(del) - 1 &&
		memcmp(path + n - (sizeof(del) - 1), del, sizeof(del) - 1) == 0);
	jw_bytes(&w, "dev", dev, dev_len);
	jw_int(&w, "ino", (int64_t)ino);
	jw_bytes(&w, "perms", perms, 4);
	jw_end(&w);
}

/* maps lines: "start-end perms offset major:minor inode   path" */
void proc_maps_text(struct capbuf *out, int dirfd, int pid, struct errlist *errs)
{
	struct capbuf cb;
	int r;

	capbuf_init(&cb, MAPS_CAP);
	r = proc_read(dirfd, "maps", &cb);
	if (r < 0 && r != -E2BIG) {
		proc_err(errs, "maps", r);
		capbuf_release(&cb);
		return;
	}
	const char *last_path = "";
	unsigned long long last_ino = 0;
	for (char *line = cb.buf; line && *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		struct map_line m;
		if (maps_parse_line(line, &m) == 0 && m.path && m.ino != 0 &&
		    !(m.ino == last_ino && strcmp(m.path, last_path) == 0)) {
			map_record(out, pid, m.path, strlen(m.path), m.dev, m.dev_len, m.ino, m.perms);
			last_path = m.path;   /* points into cb, which outlives the loop */
			last_ino = m.ino;
		}
		line = nl ? nl + 1 : NULL;
	}
	if (r == -E2BIG)
		proc_err(errs, "maps (truncated at cap)", E2BIG);
	capbuf_release(&cb);
}

/* PROCMAP_QUERY (Linux 6.11, <linux/fs.h>; declared here, Debian 12's
 * headers predate it): one ioctl per file-backed mapping on a maps fd, the
 * same facts as a maps line without the kernel formatting text, and the
 * path's exact bytes (maps writes a newline in a name as \012). */
struct procmap_query {
	uint64_t size, query_flags, query_addr;
	uint64_t vma_start, vma_end, vma_flags, vma_page_size, vma_offset, inode;
	uint32_t dev_major, dev_minor, vma_name_size, build_id_size;
	uint64_t vma_name_addr, build_id_addr;
};
_Static_assert(sizeof(struct procmap_query) == 104, "struct procmap_query is 104 bytes");
#define PROCMAP_QUERY_IOCTL 0xC0686611UL   /* _IOWR('f', 17, struct procmap_query) */
#define PQ_READABLE 0x01
#define PQ_WRITABLE 0x02
#define PQ_EXECUTABLE 0x04
#define PQ_SHARED 0x08
#define PQ_COVERING_OR_NEXT 0x10
#define PQ_FILE_BACKED 0x20
#define MAPS_QUERY_CAP 200000              /* mappings per process, as MAPS_CAP */

static atomic_int query_unsupported;   /* the kernel said ENOTTY once: use maps */

/* One query: the mapping at or after `addr`, with its name into `name` when
 * `name` is not NULL. 0 or -errno. */
static int query_at(int fd, uint64_t addr, char *name, size_t size, struct procmap_query *q)
{
	*q = (struct procmap_query){
		.size = sizeof(*q), .query_flags = PQ_COVERING_OR_NEXT | PQ_FILE_BACKED,
		.query_addr = addr,
	};
	if (name) {
		q->vma_name_size = (uint32_t)size;
		q->vma_name_addr = (uint64_t)(uintptr_t)name;
	}
	return ioctl(fd, PROCMAP_QUERY_IOCTL, q) < 0 ? -errno : 0;
}

int proc_maps_query(struct capbuf *out, int fd, int pid, struct errlist *errs)
{
	char name[PATH_MAX + 64];
	uint64_t addr = 0, last_ino = 0;
	uint32_t last_maj = 0, last_min = 0;
	bool first = true;

	for (unsigned k = 0;; k++) {
		struct procmap_query q;
		if (k == MAPS_QUERY_CAP) {
			proc_err(errs, "maps (truncated at cap)", E2BIG);
			break;
		}
		/* without the name first: most mappings continue the file before
		 * (a library is four or five), and only a new file needs its path */
		int r = query_at(fd, addr, NULL, 0, &q);
		if (r == -ENOENT)
			break;   /* no mapping at or after addr: the end */
		if (r < 0 && first && (r == -ENOTTY || r == -EINVAL))
			return -ENOTTY;
		if (r < 0) {
			proc_err(errs, "maps (query)", r);
			break;
		}
		first = false;
		if (q.vma_end <= addr)
			break;   /* never loop on a kernel that does not advance */
		addr = q.vma_end;
		if (q.inode == 0 || (q.inode == last_ino && q.dev_major == last_maj &&
				     q.dev_minor == last_min))
			continue;   /* the next part of the same file: one record */
		bool named = true;
		r = query_at(fd, q.vma_start, name, sizeof(name), &q);
		if (r == -ENAMETOOLONG) {
			proc_err(errs, "maps (a name too long)", ENAMETOOLONG);
			named = false;
			r = query_at(fd, q.vma_start, NULL, 0, &q);
		}
		if (r == -ENOENT)
			break;   /* unmapped meanwhile, and nothing after it */
		if (r < 0) {
			proc_err(errs, "maps (query)", r);
			break;
		}
		if (q.vma_end > addr)
			addr = q.vma_end;   /* it grew meanwhile */
		if (q.inode == 0)
			continue;
		size_t n = named && q.vma_name_size ? q.vma_name_size - 1 : 0;
		char dev[24], perms[4] = {
			q.vma_flags & PQ_READABLE ? 'r' : '-', q.vma_flags & PQ_WRITABLE ? 'w' : '-',
			q.vma_flags & PQ_EXECUTABLE ? 'x' : '-', q.vma_flags & PQ_SHARED ? 's' : 'p',
		};
		int dl = snprintf(dev, sizeof(dev), "%02x:%02x", q.dev_major, q.dev_minor);
		map_record(out, pid, named ? name : NULL, n, dev, (size_t)dl, q.inode, perms);
		last_ino = q.inode;
		last_maj = q.dev_major;
		last_min = q.dev_minor;
	}
	return 0;
}

/* One record per mapped file, in address order, consecutive parts of the
 * same file once: from PROCMAP_QUERY where the kernel has it (about half
 * the CPU of maps), else from the maps text. */
void proc_collect_maps(struct capbuf *out, int dirfd, int pid, struct errlist *errs)
{
	if (!atomic_load(&query_unsupported)) {
		int fd = openat(dirfd, "maps", O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
		if (fd < 0) {
			proc_err(errs, "maps", -errno);
			return;
		}
		int r = proc_maps_query(out, fd, pid, errs);
		close(fd);
		if (r != -ENOTTY)
			return;
		atomic_store(&query_unsupported, 1);
	}
	proc_maps_text(out, dirfd, pid, errs);
}
