/*
 * src_procs.c - the ps equivalent: volatile/processes.jsonl, threads.jsonl,
 * environ.jsonl, open-files.jsonl (fdwalk.c, maps.c), processes.txt (proc_view.c)
 * and the bytes of deleted executables.
 *
 * libproc2 (proc_adapter.c) enumerates the processes and their numbers, in
 * the core (snapshot.h) with each one's exe link and fd table (core_walk.c);
 * these are the details, read after it. For
 * each one, a /proc/<pid> directory fd is opened once and the raw bytes are
 * read through it (proc(5)): stat (comm, start time), status (capabilities,
 * seccomp), cmdline, environ, exe, cwd, root, ns/ entries, cgroup, fd/, maps. The
 * start time is compared with libproc2's before reading and read again
 * after: a recycled pid is never mixed in, and a process that exits while
 * read is marked "vanished" with what was read.
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
#include <unistd.h>

#include "copy.h"
#include "hostfile.h"
#include "jsonw.h"
#include "pscan.h"
#include "procfs.h"
#include "procsrc.h"
#include "sha256.h"
#include "source.h"
#include "textutil.h"
#include "vec.h"
#include "banned.h"

/* The table's numbers; uids and gids from status (NULL: unread). */
/* The mount an fd lives on (statx STATX_MNT_ID, Linux 5.8), or 0. */
static uint64_t fd_mnt_id(int fd)
{
	struct statx sx;

	if (fd < 0 || statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &sx) < 0 ||
	    !(sx.stx_mask & STATX_MNT_ID))
		return 0;
	return sx.stx_mnt_id;
}

static void fill_from_table(struct procs *p, struct jw *o, const struct proc_entry *e,
			    const unsigned *uid, const unsigned *gid)
{
	char buf[32];
	struct jw tty;

	jw_int(o, "pid", e->pid);
	jw_int(o, "ppid", e->ppid);
	jw_int(o, "pgid", e->pgid);
	jw_int(o, "sid", e->sid);
	jw_int(o, "tpgid", e->tpgid);
	jw_object(o, "tty", &tty);
	jw_int(&tty, "nr", e->tty);
	tty_name(e->tty, buf, sizeof(buf));
	jw_str(&tty, "name", e->tty ? buf : NULL);
	jw_object_end(&tty);
	char st[2] = { e->state, 0 };
	jw_str(o, "state", st);
	set_ids(p, o, "uid", uid, true);
	set_ids(p, o, "gid", gid, false);
	jw_int(o, "nice", e->nice);
	jw_int(o, "priority", e->priority);
	jw_int(o, "threads", e->nlwp);
	jw_ticks(p, o, e->start_ticks);
	jw_int(o, "utime_ticks", (int64_t)e->utime);
	jw_int(o, "stime_ticks", (int64_t)e->stime);
	jw_int(o, "vsz_kib", (int64_t)(e->vsize / 1024));
	jw_int(o, "rss_kib", (int64_t)e->rss_kib);
	jw_bool(o, "kernel_thread", (e->flags & PF_KTHREAD_FLAG) != 0);
}

/* The start time, from a stat fd read again from offset 0 (a fresh copy:
 * proc regenerates it; a process gone since gives ESRCH). */
static int restat(int statfd, unsigned long long *ret_start)
{
	char buf[4096];
	struct proc_stat st;
	ssize_t n;

	do
		n = pread(statfd, buf, sizeof(buf) - 1, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	int r = proc_stat_parse(buf, (size_t)n, &st);
	if (r == 0)
		*ret_start = st.starttime;
	return r;
}

/* The record's last fields: status, its reason, the errors. */
static void end_record(struct pchunk *c, struct jw *o, const char *status, const char *reason,
		       struct errlist *el)
{
	if (strcmp(status, "vanished") == 0)
		c->nvanished++;
	else if (strcmp(status, "partial") == 0)
		c->npartial++;
	jw_ascii(o, "status", status, strlen(status));
	if (reason)
		jw_ascii(o, "status_reason", reason, strlen(reason));
	else
		jw_null(o, "status_reason");
	jw_key(o, "errors");
	capbuf_add(o->cb, "[", 1);
	capbuf_add(o->cb, el->cb.buf ? el->cb.buf : "", el->cb.len);
	capbuf_add(o->cb, "]", 1);
	jw_end(o);
}

static void scan_one(void *ctx, size_t i, void *out)
{
	struct procs *p = ctx;
	struct pchunk *c = out;
	const struct proc_entry *e = &p->table->procs[i];
	struct jw rec, *o = &rec;
	struct errlist el, *errs = &el;
	const char *status = "ok", *reason = NULL;
	struct capbuf stat, cmd, status_text;
	struct proc_stat st = { 0 };
	unsigned uid[4], gid[4];
	int r;

	capbuf_init(&stat, 4096);
	capbuf_init(&cmd, CMDLINE_CAP);
	capbuf_init(&status_text, STATUS_CAP);
	capbuf_init(&el.cb, 1u << 20);
	el.n = 0;
	c->nitems++;
	jw_begin(o, &c->procs);   /* written as read; status and errors last */

	int dirfd = proc_open_pid(p->procfd, e->pid);
	/* stat stays open: read again at the end (pread), to see whether the
	 * process is still the same one */
	int statfd = dirfd < 0 ? dirfd : openat(dirfd, "stat", O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
						O_NOCTTY);
	r = dirfd < 0 ? dirfd : statfd < 0 ? -errno : capbuf_read_fd_once(&stat, statfd);
	if (r == 0)
		r = proc_stat_parse(stat.buf, stat.len, &st);
	/* status: ids here, capabilities and groups below */
	int rs = r == 0 && st.starttime == e->start_ticks ?
		 proc_read_once(dirfd, "status", &status_text) : -ESRCH;
	bool ids = (rs == 0 || rs == -E2BIG) &&
		   status_ids(status_text.buf ? status_text.buf : "", "Uid", uid) &&
		   status_ids(status_text.buf ? status_text.buf : "", "Gid", gid);
	fill_from_table(p, o, e, ids ? uid : NULL, ids ? gid : NULL);
	if (r < 0 || st.starttime != e->start_ticks) {
		/* gone since the core: its core record stands (the table's
		 * numbers, the exe link the core walk read) */
		const struct core_exe *x = snapshot_core_exe(&p->r->snap, e->pid);
		status = "vanished";
		reason = r < 0 ? "exited after the core snapshot, before its details were read" :
			 "pid reused by a new process: nothing of it is mixed in";
		jw_null(o, "comm");
		jw_null(o, "cmdline");
		if (x && x->err == 0 && r < 0)
			jw_bytes(o, "exe", x->link, x->len);
		size_t npend;   /* its other fds: the core's links */
		const struct fd_pend *pend = fdwalk_pending(snapshot_fds(&p->r->snap), e->pid, &npend);
		fdwalk_details(&c->fds, -1, pend, npend, r < 0 ? "the process exited after the core "
			       "snapshot" : "its pid was reused after the core snapshot");
		add_row(c, e, view_cmd("", 0, "?", 1), ART_VANISHED, UINT_MAX);
		if (dirfd >= 0)
			close(dirfd);
		if (statfd >= 0)
			close(statfd);
		goto emit;
	}
	jw_bytes(o, "comm", st.comm, st.comm_len);
	/* every file read of a process lives on the procfs mount itself: a
	 * folder or a file bind-mounted over /proc/<pid> lives on another */
	uint64_t m_dir = fd_mnt_id(dirfd), m_stat = fd_mnt_id(statfd);
	if (p->proc_mnt_id && ((m_dir && m_dir != p->proc_mnt_id) ||
			       (m_stat && m_stat != p->proc_mnt_id))) {
		jw_bool(o, "proc_overmounted", true);
		status = "partial";
		reason = "its /proc files are on another mount than /proc: an overmount";
	}
	mm_args_tell(o, &st);
	/* a stat that names another pid was not made by the kernel for this
	 * folder (a forged file bind-mounted over the host's /proc) */
	long stat_pid = strtol(stat.buf, NULL, 10);
	if (stat_pid != e->pid) {
		jw_int(o, "stat_pid", stat_pid);
		status = "partial";
		reason = "its stat names another pid: a forged file?";
	}

	if (set_cmdline(dirfd, o, &cmd, errs) == -E2BIG) {
		c->cut_cmdline++;
		status = "partial";
		reason = "cmdline truncated at the cap";
	}
	unsigned *marks = add_row(c, e, view_cmd(cmd.buf ? cmd.buf : "", cmd.len, st.comm,
						 st.comm_len), ART_OK, ids ? uid[1] : UINT_MAX);
	r = collect_exe(p, dirfd, e->pid, o, errs, marks);
	if (r < 0) {
		pthread_mutex_lock(&p->mu);
		if (!p->err)
			p->err = r;
		pthread_mutex_unlock(&p->mu);
	}
	set_link(dirfd, "cwd", o, "cwd", errs);
	set_link(dirfd, "root", o, "root", errs);
	set_namespaces(dirfd, o);
	if (rs == 0 || rs == -E2BIG)
		set_status(p, &status_text, o);
	else
		proc_err(errs, "status", rs);
	set_cgroup(dirfd, o, errs);

	/* environment: its own member, exact bytes. Read for kernel threads too
	 * (they have none): the flag comes from stat, a file an intruder who
	 * overmounts /proc can forge, and must not make irsnap look away */
	bool kthread = (e->flags & PF_KTHREAD_FLAG) != 0;
	environ_record(c, e, dirfd, kthread, errs);

	/* the fd table: walked once per run (fdwalk.h), here if no one did */
	size_t npend;
	const struct fd_pend *pend = fdwalk_pending(snapshot_fds(&p->r->snap), e->pid, &npend);
	fdwalk_details(&c->fds, dirfd, pend, npend, NULL);
	int fe = fdwalk_failed(snapshot_fds(&p->r->snap), e->pid);
	if (fe < 0)
		proc_err(errs, "fd", fe);
	size_t maps_before = c->maps.len;
	proc_collect_maps(&c->maps, dirfd, e->pid, errs);
	if (c->maps.len > maps_before &&
	    images_hinted(c->maps.buf + maps_before, c->maps.len - maps_before))
		keep_mapped_images(p, dirfd, e->pid, o, errs);
	char lb[2];
	if (kthread && (c->maps.len > maps_before || readlinkat(dirfd, "exe", lb, sizeof(lb)) >= 0)) {
		jw_bool(o, "kernel_thread_contradicted", true);   /* user memory, or an exe */
		if (strcmp(status, "ok") == 0) {
			status = "partial";
			reason = "flagged a kernel thread, yet it has an exe or mappings: a forged stat?";
		}
	}
	collect_threads(p, dirfd, e->pid, e->nlwp, &c->threads, errs);

	/* still the same process? */
	unsigned long long again = 0;
	r = restat(statfd, &again);
	if (r < 0 || again != e->start_ticks) {
		status = "vanished";
		reason = "exited while its files were read: the record holds what was read";
		c->rows[c->nrows - 1].status = ART_VANISHED;
	} else if (el.n && strcmp(status, "ok") == 0) {
		status = "partial";
		reason = "some files could not be read (see errors)";
	}
	close(statfd);
	close(dirfd);
emit:
	end_record(c, o, status, reason, &el);
	capbuf_release(&el.cb);
	capbuf_release(&stat);
	capbuf_release(&cmd);
	capbuf_release(&status_text);
}

/* The processes the details never reached (the run was stopped: their
 * chunks are the table's tail): the core's record of each, as it is. */
static void core_only(struct procs *p, struct pchunk *c, size_t from)
{
	for (size_t i = from; i < p->table->nprocs; i++) {
		const struct proc_entry *e = &p->table->procs[i];
		const struct core_exe *x = snapshot_core_exe(&p->r->snap, e->pid);
		struct errlist el = { .n = 0 };
		struct jw o;
		capbuf_init(&el.cb, 16);
		jw_begin(&o, &c->procs);
		fill_from_table(p, &o, e, NULL, NULL);
		jw_null(&o, "comm");
		jw_null(&o, "cmdline");
		if (x && x->err == 0)
			jw_bytes(&o, "exe", x->link, x->len);
		add_row(c, e, view_cmd("", 0, "?", 1), ART_PARTIAL, UINT_MAX);
		size_t npend;
		const struct fd_pend *pend = fdwalk_pending(snapshot_fds(&p->r->snap), e->pid, &npend);
		fdwalk_details(&c->fds, -1, pend, npend, "the run stopped before its details were read");
		end_record(c, &o, "partial", "the run stopped before its details were read: "
			   "the core's record only", &el);
		capbuf_release(&el.cb);
	}
}

static void *new_chunk(void *ctx)
{
	struct pchunk *c = calloc(1, sizeof(*c));

	(void)ctx;
	if (!c)
		return NULL;
	capbuf_init(&c->procs, RECORDS_CAP);
	capbuf_init(&c->threads, RECORDS_CAP);
	capbuf_init(&c->environ, RECORDS_CAP);
	capbuf_init(&c->maps, RECORDS_CAP);
	fdpart_init(&c->fds);
	zbuf_init(&c->zprocs, RECORDS_CAP);
	zbuf_init(&c->zthreads, RECORDS_CAP);
	zbuf_init(&c->zenviron, RECORDS_CAP);
	zbuf_init(&c->zmaps, RECORDS_CAP);
	zbuf_init(&c->zfds, RECORDS_CAP);
	return c;
}

/* On the chunk's own thread: compress its records (see spool_pack). */
static void finish_chunk(void *ctx, void *out)
{
	struct pchunk *c = out;

	(void)ctx;
	spool_pack(&c->zprocs, &c->procs);
	spool_pack(&c->zthreads, &c->threads);
	size_t env_alloc = c->environ.alloc;
	spool_pack(&c->zenviron, &c->environ);
	if (c->environ.buf)   /* environments hold secrets: no raw copy left */
		explicit_bzero(c->environ.buf, env_alloc);
	spool_pack(&c->zmaps, &c->maps);
	spool_pack(&c->zfds, &c->fds.records);
}

/* In pid order: the chunk's records into the spools, its rows and fds into
 * the step's; then the chunk is freed. */
static void merge_chunk(void *ctx, void *out)
{
	struct procs *p = ctx;
	struct pchunk *c = out;

	spool_add_z(&p->procs, &c->zprocs, c->procs.truncated);
	spool_add_z(&p->threads, &c->zthreads, c->threads.truncated);
	spool_add_z(&p->environ, &c->zenviron, c->environ.truncated);
	/* the details' fd records, deleted files and bpf holders */
	spool_add_z(&snapshot_fds(&p->r->snap)->records, &c->zfds, c->fds.records.truncated);
	fdwalk_merge(snapshot_fds(&p->r->snap), &c->fds);
	spool_add_z(&snapshot_fds(&p->r->snap)->records, &c->zmaps, c->maps.truncated);
	struct view_row *v = c->nrows ? reallocarray(p->rows, p->nrows + c->nrows, sizeof(*v)) :
				       p->rows;
	if (v) {
		p->rows = v;
		memcpy(p->rows + p->nrows, c->rows, c->nrows * sizeof(*v));
		p->nrows += c->nrows;
	} else {
		for (size_t i = 0; i < c->nrows; i++)
			free(c->rows[i].cmd);
	}
	p->nvanished += c->nvanished;
	p->npartial += c->npartial;
	p->nmerged += c->nitems;
	p->cut_cmdline += c->cut_cmdline;
	p->cut_environ += c->cut_environ;
	capbuf_release(&c->procs);
	capbuf_release(&c->threads);
	capbuf_release(&c->environ);
	capbuf_release(&c->maps);
	fdpart_free(&c->fds);
	zbuf_free(&c->zprocs);
	zbuf_free(&c->zthreads);
	zbuf_free(&c->zenviron);
	zbuf_free(&c->zmaps);
	zbuf_free(&c->zfds);
	free(c->rows);
	free(c);
}

static int scan_stop(void *ctx)
{
	struct procs *p = ctx;

	pthread_mutex_lock(&p->mu);
	int stop = p->err != 0;
	pthread_mutex_unlock(&p->mu);
	return stop || run_should_stop(p->r);
}

static int proc_cmp(const void *x, const void *y)
{
	const struct proc_entry *a = x, *b = y;
	return (a->pid > b->pid) - (a->pid < b->pid);
}

static void procs_free(struct procs *p)
{
	accounts_free(&p->acc);
	spool_free(&p->procs);
	spool_free(&p->threads);
	spool_free(&p->environ);
	free(p->exes);
	free(p->kept);
	for (size_t i = 0; i < p->nrows; i++)
		free(p->rows[i].cmd);
	free(p->rows);
	if (p->procfd >= 0)
		close(p->procfd);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
}

int src_procs_collect(struct run *r)
{
	struct procs p = { .r = r, .procfd = -1 };
	struct proctable t;
	int ret = 0, e;

	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.cv, NULL);
	spool_init(&p.procs);
	spool_init(&p.threads);
	spool_init(&p.environ);
	p.hz = sysconf(_SC_CLK_TCK);
	if (p.hz <= 0)
		p.hz = 100;
	p.boot_ns = run_boot_ns(r);

	e = accounts_load(&p.acc, "/etc/passwd", "/etc/group");
	if (e < 0)
		run_log(r, "processes: user or group names unavailable: %s", strerror(-e));
	p.procfd = proc_open_root();
	p.proc_mnt_id = p.procfd >= 0 ? fd_mnt_id(p.procfd) : 0;
	if (p.procfd < 0) {
		run_source_failed(r, "processes", "/proc", p.procfd, "cannot open '/proc'");
		procs_free(&p);
		return 0;
	}
	src_procs_core(r);   /* the plan's core phase did it, or now */
	e = snapshot_take_table(&r->snap, &t);   /* the core's, or now */
	if (e < 0) {
		run_source_failed(r, "processes", "/proc", e, "cannot read the process table");
		procs_free(&p);
		return 0;
	}
	qsort(t.procs, t.nprocs, sizeof(*t.procs), proc_cmp);
	p.table = &t;
	snapshot_set_leaders(&r->snap, &t);

	struct pscan ps = {
		.nitems = t.nprocs, .chunk = 32, .ctx = &p, .new_out = new_chunk,
		.work = scan_one, .finish = finish_chunk, .merge = merge_chunk, .stop = scan_stop,
	};
	unsigned threads = r->threads;
	size_t done = 0;
	ps.threads = threads;
	run_log(r, "processes: %zu processes enumerated; reading them on %u thread%s",
		t.nprocs, threads, threads == 1 ? "" : "s");
	e = pscan_run(&ps, &done);
	if (e < 0)
		run_log(r, "processes: %s: some processes were not read", strerror(-e));
	if (p.nmerged < t.nprocs) {   /* stopped: the rest keep their core record */
		struct pchunk *c = new_chunk(&p);
		if (c) {
			core_only(&p, c, p.nmerged);
			finish_chunk(&p, c);
			merge_chunk(&p, c);
		}
	}
	ret = p.err;
	struct fd_table *fds = snapshot_fds(&r->snap);
	fdwalk_finish(fds);   /* again: the details' deleted files and bpf holders */
	run_log(r, "processes: %zu of %zu read, %u vanished, %u partial, %u fds (walked in the "
		"core), %zu executables hashed", done, t.nprocs, p.nvanished, p.npartial, fds->nfds,
		p.nexes);
	proctable_free(&t);
	procs_count_cut(&p);

	struct capbuf view;
	capbuf_init(&view, RECORDS_CAP);
	proc_view(&p, &view);
	if (ret == 0)
		ret = spool_emit(r, "processes", "volatile/processes.jsonl", &p.procs);
	if (ret == 0)
		ret = run_emit(r, "processes", "volatile/processes.txt", &view);
	if (ret == 0)
		ret = spool_emit(r, "processes", "volatile/threads.jsonl", &p.threads);
	if (ret == 0)
		ret = spool_emit(r, "processes", "volatile/environ.jsonl", &p.environ);
	/* open-files.jsonl: the fd records of the one walk, then the mappings */
	if (ret == 0)
		ret = spool_emit(r, "processes", "volatile/open-files.jsonl", &fds->records);
	if (ret == 0)
		ret = keep_open_deleted(&p, fds);
	r->after_volatile = proc_views;   /* after the snapshot: not in its skew */
	r->after_volatile_read = proc_views_read;
	capbuf_release(&view);
	procs_free(&p);
	return ret;
}
