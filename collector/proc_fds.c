/*
 * proc_fds.c - the lsof equivalent: every fd of a process from
 * /proc/<pid>/fd and fdinfo/<fd>, and every mapped file from maps (proc(5)).
 * Records go to volatile/open-files.jsonl, one per fd or mapped file.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "procfs.h"
#include "fdwalk.h"
#include "procsrc.h"
#include "banned.h"

static bool has_prefix(const char *s, size_t n, const char *pre)
{
	size_t k = strlen(pre);
	return n >= k && memcmp(s, pre, k) == 0;
}

/* "socket:[123]" -> type socket, inode 123, and so on. */
static void classify(json_t *o, const char *t, size_t n)
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
	json_set_str(o, "type", type);
	if (!strcmp(type, "socket") || !strcmp(type, "pipe"))
		json_set_int(o, strcmp(type, "socket") == 0 ? "socket_inode" : "pipe_inode",
			     (int64_t)strtoull((const char *)memchr(t, '[', n) + 1, NULL, 10));
	json_set_bool(o, "deleted", !strcmp(type, "file") && n >= sizeof(del) - 1 &&
		      memcmp(t + n - (sizeof(del) - 1), del, sizeof(del) - 1) == 0);
}

static void add_fdinfo(int dirfd, const char *fdname, json_t *o)
{
	char path[300];
	struct capbuf cb;
	size_t n;

	snprintf(path, sizeof(path), "fdinfo/%s", fdname);
	capbuf_init(&cb, FDINFO_CAP);
	if (proc_read(dirfd, path, &cb) == 0 || cb.len) {
		const char *t = cb.buf ? cb.buf : "";
		const char *v = proc_status_field(t, "pos", &n);
		if (v)
			json_set_int(o, "pos", (int64_t)strtoll(v, NULL, 10));
		v = proc_status_field(t, "flags", &n);
		if (v)
			json_set_new(o, "flags", json_stringn(v, n));
		v = proc_status_field(t, "mnt_id", &n);
		if (v)
			json_set_int(o, "mnt_id", strtol(v, NULL, 10));
	}
	capbuf_release(&cb);
}


void fdwalk_init(struct fd_table *t)
{
	memset(t, 0, sizeof(*t));
	spool_init(&t->records);
}

static void note_owner(struct fd_table *t, uint64_t ino, int pid, int fd)
{
	if (t->nown == t->aown) {
		size_t n = t->aown ? t->aown * 2 : 256;
		struct fd_owner *v = reallocarray(t->own, n, sizeof(*v));
		if (!v)
			return;
		t->own = v;
		t->aown = n;
	}
	t->own[t->nown++] = (struct fd_owner){ .inode = ino, .pid = pid, .fd = fd };
}

static void note_failure(struct fd_table *t, int pid, int err)
{
	if (t->nfail == t->afail) {
		size_t n = t->afail ? t->afail * 2 : 16;
		struct fd_failure *v = reallocarray(t->fail, n, sizeof(*v));
		if (!v)
			return;
		t->fail = v;
		t->afail = n;
	}
	t->fail[t->nfail++] = (struct fd_failure){ .pid = pid, .err = err };
}

int fdwalk_pid(struct fd_table *t, int pdir, int pid)
{
	int fdd = openat(pdir, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;
	struct dirent *de;

	if (fdd < 0 || !(d = fdopendir(fdd))) {
		int e = -errno;
		if (fdd >= 0)
			close(fdd);
		note_failure(t, pid, e);
		return e;
	}
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
		json_t *o = json_object();
		json_set_int(o, "pid", pid);
		json_set_int(o, "fd", fdnum);
		json_set_bytes(o, "target", link, len);
		classify(o, link, len);
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
				json_set_str(o, "dev", dev);
				json_set_int(o, "ino", (int64_t)st.st_ino);
				json_set_int(o, "size", (int64_t)st.st_size);
				char mode[8];
				snprintf(mode, sizeof(mode), "%06o", (unsigned)st.st_mode);
				json_set_str(o, "mode", mode);
			}
			add_fdinfo(pdir, de->d_name, o);
		}
		json_append_line(&t->records.buf, o);
		spool_flush(&t->records);
		json_decref(o);
		free(link);
		t->nfds++;
	}
	closedir(d);
	return 0;
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

void fdwalk_finish(struct fd_table *t)
{
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
	size_t lo = 0, hi = t->nfail;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->fail[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < t->nfail && t->fail[lo].pid == pid ? t->fail[lo].err : 0;
}

void fdwalk_free(struct fd_table *t)
{
	spool_free(&t->records);
	free(t->own);
	free(t->fail);
	memset(t, 0, sizeof(*t));
}

/* maps lines: "start-end perms offset major:minor inode   path" */
void proc_collect_maps(struct procs *p, int dirfd, int pid, json_t *errs)
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
	char last_path[4096] = "";
	unsigned long long last_ino = 0;
	for (char *line = cb.buf; line && *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		struct map_line m;
		if (maps_parse_line(line, &m) == 0 && m.path && m.ino != 0 &&
		    !(m.ino == last_ino && strcmp(m.path, last_path) == 0)) {
			json_t *o = json_object();
			json_set_int(o, "pid", pid);
			json_set_new(o, "fd", json_null());
			json_set_str(o, "type", "mmap");
			json_set_bytes(o, "target", m.path, strlen(m.path));
			static const char del[] = " (deleted)";
			size_t n = strlen(m.path);
			json_set_bool(o, "deleted", n >= sizeof(del) - 1 &&
				      strcmp(m.path + n - (sizeof(del) - 1), del) == 0);
			json_set_new(o, "dev", json_stringn(m.dev, m.dev_len));
			json_set_int(o, "ino", (int64_t)m.ino);
			json_set_new(o, "perms", json_stringn(m.perms, 4));
			json_append_line(&p->r->fds.records.buf, o);
			spool_flush(&p->r->fds.records);
			json_decref(o);
			snprintf(last_path, sizeof(last_path), "%s", m.path);
			last_ino = m.ino;
		}
		line = nl ? nl + 1 : NULL;
	}
	if (r == -E2BIG)
		proc_err(errs, "maps (truncated at cap)", E2BIG);
	capbuf_release(&cb);
}
