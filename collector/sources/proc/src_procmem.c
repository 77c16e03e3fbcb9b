/*
 * src_procmem.c - the `memory` step (issue 18, item 10; opt-in: the full
 * profile): the memory of the processes that look injected - a deleted or
 * memfd executable, an executable mapping of a deleted or memfd file, an
 * anonymous mapping both writable and executable. Of each such process,
 * every executable region (the suspicious ones first) is read from
 * /proc/<pid>/mem, capped per process and in all, each chunk on a thread of
 * its own under the file-system deadline (a region backed by a stalled
 * FUSE file or a userfaultfd can make a read wait forever). Unreadable
 * pages are left as zeros and listed. Members:
 *   memory/<pid>/<start>-<end>.mem   the region's bytes (cut at the cap)
 *   memory/regions.jsonl             one line per region: where, what, why,
 *                                    the member, the bytes read, the holes
 *   memory/processes.jsonl           one line per process looked at closer
 * The process is checked by its start time before and after: a pid reused
 * meanwhile is dropped, and says so.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deadline.h"
#include "fsguard.h"
#include "jsonw.h"
#include "procfs.h"
#include "source.h"
#include "textutil.h"
#include "banned.h"

#define MEM_PER_PROC (64ull << 20)
#define MEM_TOTAL (512ull << 20)
#define MEM_CHUNK (256u << 10)
#define MEM_PAGE 4096u
#define MAPS_CAP (16u << 20)
#define MAX_REGIONS 4096

struct region {
	uint64_t start, end, offset;
	unsigned long long inode;      /* 0: anonymous */
	char perms[5];
	const char *line;          /* the maps line, for path and device */
	size_t line_len;
	int rank;                  /* 0: suspicious (read first), 1: the rest */
	const char *why;
};

/* The job a thread runs: one chunk of /proc/<pid>/mem, page by page where
 * the whole chunk fails; owns its fd and its buffer (deadline.h). */
struct mem_job {
	int fd;
	uint64_t off;
	size_t want;
	size_t got;
	uint64_t bad_pages;        /* bit i: page i of the chunk unreadable */
	int err;
	unsigned char buf[MEM_CHUNK];
};

static void mem_job(void *arg)
{
	struct mem_job *j = arg;
	ssize_t n = pread(j->fd, j->buf, j->want, (off_t)j->off);
	if (n == (ssize_t)j->want) {
		j->got = j->want;
	} else {
		j->err = n < 0 ? errno : EIO;
		memset(j->buf, 0, j->want);
		for (size_t p = 0; p * MEM_PAGE < j->want; p++) {
			size_t len = j->want - p * MEM_PAGE < MEM_PAGE ? j->want - p * MEM_PAGE : MEM_PAGE;
			if (pread(j->fd, j->buf + p * MEM_PAGE, len, (off_t)(j->off + p * MEM_PAGE)) !=
			    (ssize_t)len) {
				memset(j->buf + p * MEM_PAGE, 0, len);
				j->bad_pages |= 1ull << p;
			}
		}
		j->got = j->want;
	}
	close(j->fd);
}

static bool stop_cb(void *r)
{
	return run_should_stop(r);
}

/* Anonymous memory as maps names it: no path, the heap, a stack, a named
 * anonymous region, shared anonymous memory (/dev/zero, System V shm). */
static bool anon_name(const char *path, size_t n)
{
	return n == 0 || (n >= 6 && memcmp(path, "[heap]", 6) == 0) ||
	       (n == 19 && memcmp(path, "/dev/zero (deleted)", 19) == 0) ||
	       (n >= 5 && memcmp(path, "/SYSV", 5) == 0) ||
	       (n >= 7 && memcmp(path, "[stack]", 7) == 0) ||
	       (n >= 6 && memcmp(path, "[anon:", 6) == 0);
}

static bool ends_with(const char *s, size_t n, const char *suf)
{
	size_t k = strlen(suf);
	return n >= k && memcmp(s + n - k, suf, k) == 0;
}

/* The path of a maps line (after the inode), its length; "" when none. */
static const char *line_path(const char *line, size_t n, size_t *ret_len)
{
	const char *p = line, *end = line + n;
	for (int field = 0; field < 5 && p < end; field++) {
		while (p < end && *p != ' ')
			p++;
		while (p < end && *p == ' ')
			p++;
	}
	*ret_len = (size_t)(end - p);
	return p;
}

/* Split the maps text into regions; why the process is suspect (or NULL). */
static size_t parse_regions(char *text, size_t len, struct region *rg, const char **why)
{
	size_t n = 0;
	for (char *p = text, *end = text + len; p < end && n < MAX_REGIONS;) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *e1, *e2;
		unsigned long long a = strtoull(p, &e1, 16), b = 0, off = 0;
		if (e1 < p + ll && *e1 == '-')
			b = strtoull(e1 + 1, &e2, 16);
		else
			e2 = e1;
		if (e2 + 6 < p + ll && e2[0] == ' ' && b > a) {
			char *e3;
			off = strtoull(e2 + 6, &e3, 16);
			/* then " major:minor inode" */
			const char *dv = e3 < p + ll ? memchr(e3 + 1, ' ', (size_t)(p + ll - e3 - 1)) : NULL;
			unsigned long long ino = dv ? strtoull(dv + 1, NULL, 10) : 0;
			size_t pl;
			const char *path = line_path(p, ll, &pl);
			struct region *r = &rg[n];
			*r = (struct region){ .start = a, .end = b, .offset = off, .inode = ino,
					      .line = p, .line_len = ll, .rank = 1 };
			memcpy(r->perms, e2 + 1, 4);
			bool x = r->perms[2] == 'x', w = r->perms[1] == 'w';
			bool memfd = pl >= 7 && memcmp(path, "/memfd:", 7) == 0;
			bool deleted = ends_with(path, pl, " (deleted)") && !anon_name(path, pl);
			if (x && w && anon_name(path, pl))
				r->why = "anonymous writable and executable", r->rank = 0;
			else if (x && memfd)
				r->why = "executable memfd mapping", r->rank = 0;
			else if (x && deleted)
				r->why = "executable mapping of a deleted file", r->rank = 0;
			if (r->why && !*why)
				*why = r->why;
			if (!r->why && x && anon_name(path, pl))   /* a JIT's too: read early, selects not */
				r->why = "anonymous executable", r->rank = 0;
			if (x && !(pl == 10 && memcmp(path, "[vsyscall]", 10) == 0))
				n++;
		}
		p = nl ? nl + 1 : end;
	}
	return n;
}

static int cmp_rank(const void *a, const void *b)
{
	const struct region *x = a, *y = b;
	if (x->rank != y->rank)
		return x->rank - y->rank;
	return x->start < y->start ? -1 : x->start > y->start;
}

struct proc_ctx {
	struct run *r;
	struct capbuf *regions, *procs;
	uint64_t total;
	unsigned nproc, nregions, stalled;
};

/* Whether the region's pages come from a file of a file system that
 * answers through a server (FUSE, NFS...; fsguard.h): a fault on them from
 * /proc/<pid>/mem waits for a page lock no signal breaks, so such a region
 * is never read. Learnt through map_files/ (an O_PATH open: the file system
 * is not called). "" when the region may be read. */
static void guarded_region(int pfd, const struct region *rg, char *why, size_t n)
{
	char name[64];
	struct fs_where where;

	why[0] = '\0';
	if (!rg->inode)   /* anonymous: no file behind it */
		return;
	size_t pl;
	snprintf(name, sizeof(name), "map_files/%" PRIx64 "-%" PRIx64, rg->start, rg->end);
	int fd = openat(pfd, name, O_PATH | O_CLOEXEC);
	if (fd < 0) {
		const char *path = line_path(rg->line, rg->line_len, &pl);
		if (anon_name(path, pl))
			return;   /* shared anonymous memory */
		snprintf(why, n, "not read: its file system could not be told (map_files: %s)",
			 strerror(errno));
		return;
	}
	fsguard_where(pfd, fsguard_fd_mnt(fd), &where);
	close(fd);
	if (where.guarded)
		snprintf(why, n, "not read: backed by a file on %s%s, whose server may never answer",
			 where.known ? "fs " : "a mount in no table", where.type);
}

/* One region: read in chunks under the deadline, archived, recorded. */
static int one_region(struct proc_ctx *c, int pid, int pfd, unsigned long long start_time,
		      int memfd, const struct region *rg, uint64_t *used, bool *stalled)
{
	uint64_t len = rg->end - rg->start, room = MEM_PER_PROC - *used;
	if (MEM_TOTAL - c->total < room)
		room = MEM_TOTAL - c->total;
	char guarded[160];
	guarded_region(pfd, rg, guarded, sizeof(guarded));
	uint64_t want = guarded[0] ? 0 : len < room ? len : room;
	struct capbuf data, holes;
	struct mem_job *j = malloc(sizeof(*j));
	int ret = 0, err = 0;

	capbuf_init(&data, want ? want : 1);
	capbuf_init(&holes, 1u << 20);
	for (uint64_t off = 0; j && off < want && !*stalled && !run_should_stop(c->r);) {
		j->fd = dup(memfd);
		j->off = rg->start + off;
		j->want = want - off < MEM_CHUNK ? (size_t)(want - off) : MEM_CHUNK;
		j->got = 0, j->bad_pages = 0, j->err = 0;
		if (j->fd < 0)
			break;
		int e = deadline_run(mem_job, j, sizeof(*j), fsguard_deadline_ms(), stop_cb, c->r, NULL);
		if (e < 0) {
			if (deadline_not_run(e))
				close(j->fd);
			*stalled = e == -ETIMEDOUT;
			err = -e;
			break;
		}
		if (j->err && !err)
			err = j->err;
		for (unsigned p = 0; p < 64; p++)
			if (j->bad_pages >> p & 1)
				capbuf_printf(&holes, "%s[\"%" PRIx64 "\",\"%" PRIx64 "\"]",
					      holes.len ? "," : "[", j->off + p * MEM_PAGE,
					      j->off + p * MEM_PAGE + MEM_PAGE);
		capbuf_add(&data, j->buf, j->got);
		off += j->got;
	}
	free(j);
	char member[96];
	snprintf(member, sizeof(member), "memory/%d/%" PRIx64 "-%" PRIx64 ".mem", pid, rg->start,
		 rg->end);
	if (data.len)
		ret = run_emit(c->r, "memory", member, &data);
	*used += data.len;
	c->total += data.len;
	c->nregions++;

	struct jw w;
	char hex[24];
	size_t pl;
	const char *path = line_path(rg->line, rg->line_len, &pl);
	jw_begin(&w, c->regions);
	jw_int(&w, "pid", pid);
	jw_int(&w, "starttime", (int64_t)start_time);
	snprintf(hex, sizeof(hex), "%" PRIx64, rg->start);
	jw_str(&w, "start", hex);
	snprintf(hex, sizeof(hex), "%" PRIx64, rg->end);
	jw_str(&w, "end", hex);
	jw_ascii(&w, "perms", rg->perms, 4);
	snprintf(hex, sizeof(hex), "%" PRIx64, rg->offset);
	jw_str(&w, "offset", hex);
	jw_bytes(&w, "path", path, pl);
	jw_str(&w, "why", rg->why);
	jw_int(&w, "size", (int64_t)len);
	jw_int(&w, "bytes", (int64_t)data.len);
	jw_str(&w, "member", data.len ? member : NULL);
	if (guarded[0])
		jw_str(&w, "cut", guarded);
	else if (data.len < len)
		jw_str(&w, "cut", *stalled ? "the read did not return in time" :
		       room < len ? "the per-process or total cap" : "interrupted");
	if (holes.len) {   /* [["from","to"],...], page ranges left as zeros */
		capbuf_add(&holes, "]", 1);
		jw_raw(&w, "unreadable", holes.buf);
	}
	if (err)
		jw_str(&w, "error", strerror(err));
	jw_end(&w);
	capbuf_release(&data);
	capbuf_release(&holes);
	return ret;
}

/* One process: selected by its exe and maps, its regions read. */
static int one_process(struct proc_ctx *c, int procfd, int pid)
{
	int pfd = proc_open_pid(procfd, pid);
	if (pfd < 0)
		return 0;
	unsigned long long t0 = 0, t1 = 0;
	unsigned long flags = 0;
	struct capbuf maps, comm;
	char *exe = NULL;
	size_t exe_len = 0;
	int ret = 0;

	capbuf_init(&maps, MAPS_CAP);
	capbuf_init(&comm, 64);
	if (proc_starttime(pfd, &t0, &flags) < 0 || (flags & 0x00200000u /* PF_KTHREAD */) ||
	    proc_read(pfd, "maps", &maps) < 0 || !maps.len)
		goto out;
	proc_readlink(pfd, "exe", &exe, &exe_len);
	const char *why = NULL;
	if (exe && exe_len >= 7 && memcmp(exe, "/memfd:", 7) == 0)
		why = "its executable is a memfd";
	else if (exe && ends_with(exe, exe_len, " (deleted)"))
		why = "its executable is deleted";
	struct region *rg = calloc(MAX_REGIONS, sizeof(*rg));
	if (!rg)
		goto out;
	const char *mwhy = NULL;
	size_t n = parse_regions(maps.buf, maps.len, rg, &mwhy);
	if (!why)
		why = mwhy;
	if (!why) {
		free(rg);
		goto out;
	}
	qsort(rg, n, sizeof(*rg), cmp_rank);
	proc_read_once(pfd, "comm", &comm);
	int memfd = openat(pfd, "mem", O_RDONLY | O_CLOEXEC);
	uint64_t used = 0;
	bool stalled = false;
	unsigned done = 0;
	for (size_t i = 0; memfd >= 0 && ret == 0 && i < n && !stalled && used < MEM_PER_PROC &&
	     c->total < MEM_TOTAL && !run_should_stop(c->r); i++, done++)
		ret = one_region(c, pid, pfd, t0, memfd, &rg[i], &used, &stalled);
	int merr = memfd < 0 ? errno : 0;
	if (memfd >= 0)
		close(memfd);
	bool same = proc_starttime(pfd, &t1, &flags) == 0 && t1 == t0;
	struct jw w;
	jw_begin(&w, c->procs);
	jw_int(&w, "pid", pid);
	jw_int(&w, "starttime", (int64_t)t0);
	jw_bytes(&w, "comm", comm.buf ? comm.buf : "", strcspn(comm.buf ? comm.buf : "", "\n"));
	jw_bytes(&w, "exe", exe ? exe : "", exe_len);
	jw_str(&w, "why", why);
	jw_int(&w, "regions", (int64_t)n);
	jw_int(&w, "regions_read", done);
	jw_int(&w, "bytes", (int64_t)used);
	if (n > done)
		jw_str(&w, "left_out", stalled ? "a read did not return in time" :
		       used >= MEM_PER_PROC ? "the per-process cap" :
		       c->total >= MEM_TOTAL ? "the total cap" : "stopped");
	if (merr)
		jw_str(&w, "error", strerror(merr));
	if (!same)   /* exited or its pid reused while read: what was read may be another's */
		jw_str(&w, "changed", "the process exited or its pid was reused during the read");
	jw_end(&w);
	c->nproc++;
	c->stalled += stalled;
	if (stalled)
		run_log(c->r, "memory: pid %d: a read of its memory did not return in %u ms: "
			"left behind, its other regions not read", pid, fsguard_deadline_ms());
	free(rg);
out:
	free(exe);
	capbuf_release(&maps);
	capbuf_release(&comm);
	close(pfd);
	return ret;
}

int src_procmem_collect(struct run *r)
{
	struct capbuf regions, procs;
	struct proc_ctx c = { .r = r, .regions = &regions, .procs = &procs };
	int procfd = proc_open_root();

	if (procfd < 0) {
		run_source_failed(r, "memory", "/proc", procfd, "no process table");
		return 0;
	}
	capbuf_init(&regions, 64u << 20);
	capbuf_init(&procs, 16u << 20);
	int dfd = dup(procfd);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	struct dirent *de;
	int ret = 0, self = getpid();
	while (ret == 0 && d && (de = readdir(d)) && !run_should_stop(r)) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		int pid = (int)strtol(de->d_name, NULL, 10);
		if (pid != self)
			ret = one_process(&c, procfd, pid);
	}
	if (d)
		closedir(d);
	else if (dfd >= 0)
		close(dfd);
	close(procfd);
	run_log(r, "memory: %u processes looked at closer, %u regions, %" PRIu64 " bytes read "
		"(caps: %llu MiB a process, %llu MiB in all)%s", c.nproc, c.nregions, c.total,
		MEM_PER_PROC >> 20, MEM_TOTAL >> 20,
		c.stalled ? "; some reads did not return in time" : "");
	if (ret == 0)
		ret = run_emit(r, "memory", "memory/processes.jsonl", &procs);
	if (ret == 0)
		ret = run_emit(r, "memory", "memory/regions.jsonl", &regions);
	capbuf_release(&regions);
	capbuf_release(&procs);
	return ret;
}
