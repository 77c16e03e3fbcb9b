/*
 * core_walk.c - the core's pass over /proc (corewalk.h): for each process,
 * through one /proc/<pid> directory fd, its network namespace (the inode
 * of ns/net), its exe link and its fd table (fdwalk.h), in chunks of 32
 * on the run's threads (pscan.h). Nothing else is read here: the details
 * (status, cmdline, maps, hashes) come after the core, in their steps.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "corewalk.h"
#include "procfs.h"
#include "pscan.h"
#include "source.h"
#include "spool.h"
#include "vec.h"
#include "zbuf.h"
#include "banned.h"

/* What a chunk of processes showed. */
struct cw_out {
	struct core_ns *ns;
	size_t nns, ans;
	struct core_exe *exes;
	size_t nexes, aexes;
	struct fd_part fds;
	struct zbuf z;            /* fds.records, compressed on the chunk's thread */
};

struct cw {
	struct run *r;
	int procfd;
	int *pids;
	bool walk_fds;
	size_t aexes, anetns;
};

static void add_ns(struct core_ns **v, size_t *n, size_t *alloc, uint64_t ino, int pid)
{
	for (size_t i = 0; i < *n; i++)
		if ((*v)[i].inode == ino)
			return;
	if (!vec_reserve((void **)v, alloc, *n + 1, sizeof(**v)))
		return;
	(*v)[(*n)++] = (struct core_ns){ .inode = ino, .pid = pid };
}

static void *cw_new(void *ctx)
{
	struct cw_out *o = calloc(1, sizeof(*o));

	(void)ctx;
	if (o) {
		fdpart_init(&o->fds);
		zbuf_init(&o->z, 512u << 20);
	}
	return o;
}

static void cw_finish(void *ctx, void *out)
{
	struct cw_out *o = out;

	(void)ctx;
	spool_pack(&o->z, &o->fds.records);
}

static void cw_one(void *ctx, size_t i, void *out)
{
	struct cw *w = ctx;
	struct cw_out *o = out;
	int pid = w->pids[i];
	int pfd = proc_open_pid(w->procfd, pid);

	if (pfd < 0)
		return;   /* gone: nothing of it to name */
	unsigned long long ino;
	if (proc_ns_inode(pfd, "ns/net", &ino) == 0 && ino)
		add_ns(&o->ns, &o->nns, &o->ans, ino, pid);
	if (vec_reserve((void **)&o->exes, &o->aexes, o->nexes + 1, sizeof(*o->exes))) {
		struct core_exe *x = &o->exes[o->nexes++];
		char *link = NULL;
		*x = (struct core_exe){ .pid = pid };
		x->err = proc_readlink(pfd, "exe", &link, &x->len);
		/* kept for the whole run: its own size, not the readlink buffer's
		 * (4 KiB each would be 32 MB of locked memory at 8,000 processes) */
		if (x->err == 0 && !(x->link = malloc(x->len + 1)))
			x->err = -ENOMEM;
		if (x->err == 0)
			memcpy(x->link, link, x->len + 1);
		free(link);
	}
	if (w->walk_fds)
		fdwalk_pid(&o->fds, pfd, pid);
	close(pfd);
}

static void cw_merge(void *ctx, void *out)
{
	struct cw *w = ctx;
	struct cw_out *o = out;
	struct snapshot *s = &w->r->snap;

	for (size_t i = 0; i < o->nns; i++)
		add_ns(&s->netns, &s->nnetns, &w->anetns, o->ns[i].inode, o->ns[i].pid);
	for (size_t i = 0; i < o->nexes; i++) {
		if (vec_reserve((void **)&s->exes, &w->aexes, s->nexes + 1, sizeof(*s->exes)))
			s->exes[s->nexes++] = o->exes[i];
		else
			free(o->exes[i].link);
	}
	if (w->walk_fds) {
		spool_add_z(&snapshot_fds(s)->records, &o->z, o->fds.records.truncated);
		fdwalk_merge(snapshot_fds(s), &o->fds);
	}
	fdpart_free(&o->fds);
	zbuf_free(&o->z);
	free(o->exes);
	free(o->ns);
	free(o);
}

static int exe_cmp(const void *x, const void *y)
{
	const struct core_exe *a = x, *b = y;
	return (a->pid > b->pid) - (a->pid < b->pid);
}

void core_walk(struct run *r, int procfd)
{
	struct snapshot *s = &r->snap;
	int dfd;
	DIR *d;
	struct cw w = { .r = r, .procfd = procfd, .walk_fds = !snapshot_fds_walked(s) };
	size_t n = 0, alloc = 0;
	struct dirent *de;

	if (s->core_walked)
		return;
	s->core_walked = true;
	dfd = dup(procfd);
	d = dfd >= 0 ? fdopendir(dfd) : NULL;
	if (!d) {
		if (dfd >= 0)
			close(dfd);
		run_log(r, "core: /proc cannot be listed: no process walked");
		return;
	}
	while ((de = readdir(d))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		if (*end || pid <= 0 || pid > INT_MAX)
			continue;
		if (!vec_reserve((void **)&w.pids, &alloc, n + 1, sizeof(*w.pids)))
			break;
		w.pids[n++] = (int)pid;
	}
	closedir(d);
	w.aexes = s->nexes;
	w.anetns = s->nnetns;
	struct pscan ps = { .nitems = n, .chunk = 32, .ctx = &w, .threads = r->threads,
			    .new_out = cw_new, .work = cw_one, .finish = cw_finish, .merge = cw_merge };
	if (pscan_run(&ps, NULL) < 0)
		run_log(r, "core: out of memory: some processes were not walked");
	free(w.pids);
	if (w.walk_fds)
		fdwalk_finish(snapshot_fds(s));
	if (s->nexes)
		qsort(s->exes, s->nexes, sizeof(*s->exes), exe_cmp);
}

int src_procs_core(struct run *r)
{
	int procfd = proc_open_root();

	if (procfd < 0)
		return 0;   /* the processes step says so */
	/* libproc2's table on a helper thread while the walk runs here */
	snapshot_want_table(&r->snap, true);
	snapshot_idle_core(&r->snap);
	core_walk(r, procfd);
	close(procfd);
	return 0;
}
