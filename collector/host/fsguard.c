/* fsguard.c - learn a file's file system without calling into it (fsguard.h). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "capbuf.h"
#include "fsguard.h"
#include "procfs.h"
#include "slowmounts.h"
#include "vec.h"
#include "banned.h"

#define MOUNTINFO_CAP (64u << 20)

struct mnt {
	int id;
	char type[48];
};

struct ns {
	uint64_t id;
	bool guarded;
	bool stalled;             /* a lookup in it timed out */
};

static struct {
	pthread_mutex_t mu;
	int procfd;
	int shm_mnt;              /* the kernel's own shmem mount (memfds), -1: unknown */
	unsigned ms;
	deadline_stop_fn stop;
	void (*log)(void *ctx, const char *line);
	void *ctx;
	struct mnt *mnts;
	size_t nmnts, amnts;
	struct ns *nss;
	size_t nnss, anss;
	int *stalled;
	size_t nstalled, astalled;
} g = { .mu = PTHREAD_MUTEX_INITIALIZER, .procfd = -1, .shm_mnt = -1,
	.ms = FSGUARD_DEFAULT_MS };

/* The mount points of slow file systems in irsnap's own view, for the
 * host-file readers (slowmounts.c, which reads nothing itself). */
static void load_own_mounts(int procfd)
{
	struct capbuf cb;

	if (procfd < 0)
		return;
	capbuf_init(&cb, MOUNTINFO_CAP);
	if (proc_read(procfd, "self/mountinfo", &cb) == 0 || cb.len)
		slowmounts_set(cb.buf, cb.len);
	capbuf_release(&cb);
}

void fsguard_init(int procfd, unsigned deadline_ms, deadline_stop_fn stop,
		  void (*log)(void *ctx, const char *line), void *ctx)
{
	pthread_mutex_lock(&g.mu);
	g.procfd = procfd;
	g.ms = deadline_ms ? deadline_ms : FSGUARD_DEFAULT_MS;
	g.stop = stop;
	g.log = log;
	g.ctx = ctx;
	pthread_mutex_unlock(&g.mu);
	load_own_mounts(procfd);
	/* memfds live on a mount of the kernel's that no table lists: one of
	 * irsnap's own (no file system of the host's is touched) names it */
	int m = procfd >= 0 ? memfd_create("irsnap-shm-probe", MFD_CLOEXEC) : -1;
	if (m >= 0) {
		g.shm_mnt = fsguard_fd_mnt(m);
		close(m);
	}
}

void fsguard_free(void)
{
	pthread_mutex_lock(&g.mu);
	free(g.mnts);
	free(g.nss);
	free(g.stalled);
	slowmounts_free();
	g.mnts = NULL, g.nss = NULL, g.stalled = NULL;
	g.nmnts = g.amnts = g.nnss = g.anss = g.nstalled = g.astalled = 0;
	g.procfd = -1;
	g.shm_mnt = -1;
	pthread_mutex_unlock(&g.mu);
}

unsigned fsguard_deadline_ms(void)
{
	return g.ms;
}

static int mnt_id_of(const char *text, size_t len)
{
	size_t n;
	const char *v = proc_status_field(text, "mnt_id", &n);

	(void)len;
	return v ? (int)strtol(v, NULL, 10) : -1;
}

int fsguard_fd_mnt(int fd)
{
	char path[48];
	struct capbuf cb;

	if (g.procfd < 0)
		return -1;
	snprintf(path, sizeof(path), "self/fdinfo/%d", fd);
	capbuf_init(&cb, 64u << 10);
	int id = proc_read_once(g.procfd, path, &cb) == 0 && cb.buf ? mnt_id_of(cb.buf, cb.len) : -1;
	capbuf_release(&cb);
	return id;
}

int fsguard_path_mnt(int dirfd, const char *name)
{
	/* a handle of no bytes: the kernel says EOVERFLOW, but names the mount
	 * first; the file system is asked nothing (its encode_fh, if any, only
	 * sizes a handle from the inode in memory) */
	struct {
		struct file_handle fh;
		unsigned char bytes[16];
	} h = { .fh.handle_bytes = 0 };
	int mnt = -1;

	if ((name_to_handle_at(dirfd, name, &h.fh, &mnt, AT_SYMLINK_FOLLOW) == 0 ||
	     errno == EOVERFLOW) && mnt >= 0)
		return mnt;
	if (errno == ENOENT || errno == ESRCH)
		return -2;
	/* no handles there (EOPNOTSUPP: cifs, 9p): an O_PATH open, its fdinfo */
	int pfd = openat(dirfd, name, O_PATH | O_CLOEXEC);
	if (pfd < 0)
		return -2;
	mnt = fsguard_fd_mnt(pfd);
	close(pfd);
	return mnt;
}

/* Called locked. */
static struct mnt *find(int id)
{
	size_t lo = 0, hi = g.nmnts;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (g.mnts[mid].id == id)
			return &g.mnts[mid];
		if (g.mnts[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int cmp_mnt(const void *a, const void *b)
{
	const struct mnt *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

/* One mountinfo line: "36 35 98:0 /root /mnt opts [optional...] - type src opts".
 * The type after the lone "-"; its bytes as the kernel wrote them (escaped). */
static void add_line(const char *s, size_t n, bool *slow)
{
	struct mountinfo_fields f;

	if (!mountinfo_line(s, n, &f))
		return;
	struct mnt m = { .id = f.id };
	memcpy(m.type, f.type, sizeof(m.type));
	*slow |= slowmounts_type_slow(m.type);
	if (find(m.id) || !vec_reserve((void **)&g.mnts, &g.amnts, g.nmnts + 1, sizeof(*g.mnts)))
		return;
	g.mnts[g.nmnts++] = m;
}

/* Every line of a mountinfo text. Called locked. */
static bool add_table(const char *text, size_t len)
{
	size_t before = g.nmnts;
	bool slow = false;

	for (const char *p = text, *end = text ? text + len : NULL; p && p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		add_line(p, (size_t)((nl ? nl : end) - p), &slow);
		p = nl ? nl + 1 : end;
	}
	if (g.nmnts != before)
		qsort(g.mnts, g.nmnts, sizeof(*g.mnts), cmp_mnt);
	return slow;
}

bool fsguard_add_table(const char *text, size_t len)
{
	pthread_mutex_lock(&g.mu);
	bool slow = add_table(text, len);
	pthread_mutex_unlock(&g.mu);
	return slow;
}

static uint64_t ns_id(int pdir)
{
	unsigned long long id;

	proc_ns_inode(pdir, "ns/mnt", &id);
	return id;
}

/* The process's namespace, its table read once. Called locked. */
static struct ns *load_ns(int pdir)
{
	uint64_t id = ns_id(pdir);

	for (size_t i = 0; id && i < g.nnss; i++)
		if (g.nss[i].id == id)
			return &g.nss[i];
	struct capbuf cb;
	bool slow = false;
	capbuf_init(&cb, MOUNTINFO_CAP);
	int e = proc_read(pdir, "mountinfo", &cb);
	slow = add_table(cb.buf, cb.len);
	capbuf_release(&cb);
	static struct ns unknown;
	if (!id) {   /* unnamed: read again next time, and assume the worst */
		unknown = (struct ns){ .guarded = true };
		return &unknown;
	}
	if (!vec_reserve((void **)&g.nss, &g.anss, g.nnss + 1, sizeof(*g.nss))) {
		unknown = (struct ns){ .guarded = true };
		return &unknown;
	}
	g.nss[g.nnss] = (struct ns){ .id = id, .guarded = slow || e < 0 };
	return &g.nss[g.nnss++];
}

static void where(int pdir, int mnt_id, struct fs_where *w, bool load)
{
	*w = (struct fs_where){ .mnt_id = mnt_id, .guarded = true };
	if (mnt_id < 0)
		return;
	pthread_mutex_lock(&g.mu);
	struct mnt *m = find(mnt_id);
	if (!m && load) {
		load_ns(pdir);
		m = find(mnt_id);
	}
	if (m) {
		w->known = true;
		memcpy(w->type, m->type, sizeof(w->type));
		w->guarded = slowmounts_type_slow(m->type);
	} else if (mnt_id == g.shm_mnt) {
		w->known = true;
		snprintf(w->type, sizeof(w->type), "shmem");
		w->guarded = false;
	}
	pthread_mutex_unlock(&g.mu);
}

void fsguard_where(int pdir, int mnt_id, struct fs_where *w)
{
	where(pdir, mnt_id, w, true);
}

void fsguard_known(int mnt_id, struct fs_where *w)
{
	where(-1, mnt_id, w, false);
}

bool fsguard_ns_guarded(int pdir)
{
	pthread_mutex_lock(&g.mu);
	bool guarded = load_ns(pdir)->guarded;
	pthread_mutex_unlock(&g.mu);
	return guarded;
}

static bool stalled(int id)
{
	bool s = false;

	pthread_mutex_lock(&g.mu);
	for (size_t i = 0; i < g.nstalled && !s; i++)
		s = g.stalled[i] == id;
	pthread_mutex_unlock(&g.mu);
	return s;
}

int fsguard_run(int mnt_id, void (*fn)(void *), void *arg, size_t size, unsigned *waited_ms)
{
	if (waited_ms)
		*waited_ms = 0;
	if (mnt_id >= 0 && stalled(mnt_id))
		return -EDEADLK;
	int e = deadline_run(fn, arg, size, g.ms, g.stop, g.ctx, waited_ms);
	if (e == -ETIMEDOUT && mnt_id >= 0) {
		char type[48] = "", line[160];
		pthread_mutex_lock(&g.mu);
		struct mnt *m = find(mnt_id);
		if (m)
			memcpy(type, m->type, sizeof(type));
		if (vec_reserve((void **)&g.stalled, &g.astalled, g.nstalled + 1, sizeof(int)))
			g.stalled[g.nstalled++] = mnt_id;
		pthread_mutex_unlock(&g.mu);
		snprintf(line, sizeof(line), "slow file systems: mount %d (fs %s): no answer "
			 "within %u ms; not asked again in this run", mnt_id,
			 type[0] ? type : "unknown", waited_ms ? *waited_ms : g.ms);
		if (g.log)
			g.log(g.ctx, line);
	}
	return e;
}

void fsguard_reason(int err, const struct fs_where *w, unsigned waited_ms, char *buf,
		    size_t size)
{
	char fs[64];

	if (!w)
		snprintf(fs, sizeof(fs), "a mount of its namespace");
	else if (w->known)
		snprintf(fs, sizeof(fs), "fs %s", w->type);
	else
		snprintf(fs, sizeof(fs), "a mount in no table");
	if (err == -ETIMEDOUT)
		snprintf(buf, size, "no answer within %u ms (%s)", waited_ms, fs);
	else if (err == -EDEADLK)
		snprintf(buf, size, "not asked: %s stalled earlier in this run", fs);
	else if (err == -ECANCELED)
		snprintf(buf, size, "not asked: the run is stopping (%s)", fs);
	else if (err == -EINTR)
		snprintf(buf, size, "interrupted after %u ms waiting on %s", waited_ms, fs);
	else
		snprintf(buf, size, "%s: %s", fs, strerror(-err));
}

int fsguard_lookup(int pdir, void (*fn)(void *), void *arg, size_t size, unsigned *waited_ms)
{
	if (waited_ms)
		*waited_ms = 0;
	pthread_mutex_lock(&g.mu);
	bool was = load_ns(pdir)->stalled;
	pthread_mutex_unlock(&g.mu);
	if (was)
		return -EDEADLK;
	int e = deadline_run(fn, arg, size, g.ms, g.stop, g.ctx, waited_ms);
	if (e == -ETIMEDOUT) {
		pthread_mutex_lock(&g.mu);
		load_ns(pdir)->stalled = true;
		pthread_mutex_unlock(&g.mu);
	}
	return e;
}
