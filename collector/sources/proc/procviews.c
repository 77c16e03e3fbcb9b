/*
 * procviews.c - volatile/proc-views.jsonl: the host's /proc against the
 * private procfs irsnap reads (isolate.h, issue 14 item 1).
 *
 * An intruder with root can bind-mount an empty folder over /proc/<pid>
 * (the process disappears from every tool that reads /proc) or another
 * process's folder over it (it becomes a clone), or forge single files.
 * None of that is in the fresh procfs irsnap mounted for itself, so every
 * pid of the private view is looked up in the host's view too, and each
 * that is missing there, unreadable there, or names another process (comm,
 * start time, the pid inside its stat) is a record; so is every mount the
 * host has on or under /proc ("usual" for /proc itself and binfmt_misc).
 * With one view only (no private procfs), the pid probe still runs.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jsonx.h"
#include "mountinfo.h"
#include "procfs.h"
#include "procsrc.h"
#include "pscan.h"
#include "source.h"
#include "vec.h"
#include "banned.h"

struct pview {
	bool ok;
	int pid_field;                /* the pid its stat names */
	char comm[64];
	unsigned long long start;
};

/* The pid's stat in one view, opened by its path from the view's root (an
 * overmount of the folder is crossed, as every tool crosses it): 0, or
 * -errno of the open or the read. */
static int read_view(int procfd, int pid, struct pview *v)
{
	struct capbuf cb;
	struct proc_stat st;
	char name[32];

	memset(v, 0, sizeof(*v));
	snprintf(name, sizeof(name), "%d/stat", pid);
	capbuf_init(&cb, 8192);
	int e = proc_read_once(procfd, name, &cb);
	if (e == 0 && cb.buf && proc_stat_parse(cb.buf, cb.len, &st) == 0) {
		v->ok = true;
		v->pid_field = (int)strtol(cb.buf, NULL, 10);
		size_t n = st.comm_len < sizeof(v->comm) - 1 ? st.comm_len : sizeof(v->comm) - 1;
		memcpy(v->comm, st.comm, n);
		v->start = st.starttime;
	} else if (e == 0) {
		e = -EINVAL;
	}
	capbuf_release(&cb);
	return e;
}

static json_t *view_json(const struct pview *v)
{
	json_t *o = json_object();
	json_set_bytes(o, "comm", v->comm, strlen(v->comm));
	json_set_int(o, "start_ticks", (int64_t)v->start);
	json_set_int(o, "pid_in_stat", v->pid_field);
	return o;
}

/* How the pid's two views disagree, or NULL (p->ok false: it is gone). */
static const char *compare(int priv, int host, int pid, struct pview *p, struct pview *h)
{
	int he = read_view(host, pid, h);
	read_view(priv, pid, p);
	if (!p->ok)
		return NULL;   /* gone meanwhile */
	if (he < 0) {   /* the folder itself, or only its stat? */
		int probe = proc_open_pid(host, pid);
		if (probe >= 0)
			close(probe);
		return probe < 0 ? "missing-in-host-view" : "unreadable-in-host-view";
	}
	if (h->pid_field != pid || h->start != p->start || strcmp(h->comm, p->comm) != 0)
		return "differs-in-host-view";
	return NULL;
}

static void one_pid(struct capbuf *out, int priv, int host, int pid, unsigned *ndiff)
{
	struct pview p, h;

	if (!compare(priv, host, pid, &p, &h))
		return;
	/* asked again: a process that exec'd (a new comm) or ended between the
	 * two reads agrees now; an overmount or a forged file still differs */
	const char *kind = compare(priv, host, pid, &p, &h);
	if (!kind)
		return;
	json_t *o = json_object();
	json_set_int(o, "pid", pid);
	json_set_str(o, "kind", kind);
	json_set_new(o, "private", view_json(&p));
	json_set_new(o, "host", strcmp(kind, "differs-in-host-view") == 0 ? view_json(&h) :
		     json_null());
	json_append_line(out, o);
	json_decref(o);
	(*ndiff)++;
}

/* The mountinfo lines on or under /proc: one record each. */
static void mounts(struct capbuf *out, const char *text, unsigned *nmounts)
{
	for (const char *p = text; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *line = strndup(p, len);
		if (line) {
			char *f[5] = { 0 }, *save = NULL, *t = strtok_r(line, " ", &save);
			for (int k = 0; k < 5 && t; k++, t = strtok_r(NULL, " ", &save))
				f[k] = t;
			const char *sep = strstr(p, " - ");
			char type[32] = "";
			if (sep && sep < p + len)
				for (size_t i = 0; i + 1 < sizeof(type) && sep[3 + i] &&
				     sep + 3 + i < p + len && sep[3 + i] != ' '; i++)
					type[i] = sep[3 + i], type[i + 1] = '\0';
			json_t *o = json_object();
			json_set_str(o, "kind", "mount-on-proc");
			json_set_bytes(o, "mount_point", f[4] ? f[4] : "", f[4] ? strlen(f[4]) : 0);
			json_set_str(o, "fstype", type);
			json_set_new(o, "usual", json_boolean(
				(f[4] && strcmp(f[4], "/proc") == 0 && strcmp(type, "proc") == 0) ||
				(f[4] && strcmp(f[4], "/proc/sys/fs/binfmt_misc") == 0 &&
				 (strcmp(type, "binfmt_misc") == 0 || strcmp(type, "autofs") == 0))));
			json_set_bytes(o, "mountinfo", p, len);
			json_append_line(out, o);
			json_decref(o);
			(*nmounts)++;
			free(line);
		}
		p = nl ? nl + 1 : NULL;
	}
}

/* Mounts made on irsnap's own /proc after it was made: only another
 * process that entered irsnap's mount namespace (setns, as root) can
 * make one, to cover a file irsnap opens after its folder was checked.
 * Every mount whose parent is the view's mount, or such a mount, in the
 * namespace's mountinfo: one record each. */
static void view_mounts(int priv, struct capbuf *out, unsigned *n)
{
	struct statx sx;
	struct capbuf mi;
	uint64_t ids[64];
	size_t nids = 0;

	if (priv < 0 || statx(priv, "", AT_EMPTY_PATH, STATX_MNT_ID, &sx) < 0 ||
	    !(sx.stx_mask & STATX_MNT_ID))
		return;
	ids[nids++] = sx.stx_mnt_id;
	capbuf_init(&mi, 16u << 20);
	if (proc_read(priv, "self/mountinfo", &mi) < 0 && !mi.len) {
		capbuf_release(&mi);
		return;
	}
	/* a child may be listed before its parent: passes until none is new */
	for (bool grew = true; grew && nids < sizeof(ids) / sizeof(ids[0]);) {
		grew = false;
		for (const char *p = mi.buf, *end = mi.buf + mi.len; p && p < end;) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
			struct mi_line m;
			if (mountinfo_parse(p, len, &m) < 0) {
				p = nl ? nl + 1 : NULL;
				continue;
			}
			bool in = false, under = false;
			for (size_t k = 0; k < nids; k++) {
				in |= ids[k] == m.id;
				under |= ids[k] == m.parent;
			}
			if (under && !in && nids < sizeof(ids) / sizeof(ids[0])) {
				ids[nids++] = m.id;
				grew = true;
				json_t *o = json_object();
				json_set_str(o, "kind", "mount-in-irsnap-view");
				json_set_bytes(o, "mountinfo", p, len);
				/* the pid whose folder it covers: /proc/<pid>... */
				const struct mi_field *mp = &m.mount_point;
				if (mp->n > 6 && memcmp(mp->s, "/proc/", 6) == 0 &&
				    mp->s[6] >= '1' && mp->s[6] <= '9')
					json_set_int(o, "pid", strtol(mp->s + 6, NULL, 10));
				json_append_line(out, o);
				json_decref(o);
				(*n)++;
			}
			p = nl ? nl + 1 : NULL;
		}
	}
	capbuf_release(&mi);
}

/* ---- the pid space, probed without readdir (issue 14, item 2) ---------- */


static int pid_cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

static bool listed(const int *v, size_t n, int pid)
{
	return bsearch(&pid, v, n, sizeof(*v), pid_cmp) != NULL;
}

/* The pids readdir of this /proc lists, sorted: 0, or -1 without it. */
static int list_pids(int procfd, int **ret, size_t *n, bool *lost)
{
	size_t a = 0;
	int dfd = procfd >= 0 ? dup(procfd) : -1;
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	struct dirent *de;

	*ret = NULL, *n = 0, *lost = false;
	if (!d) {
		if (dfd >= 0)
			close(dfd);
		return -1;
	}
	rewinddir(d);   /* a dup shares the offset: an earlier listing left it at the end */
	while ((de = readdir(d))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		if (*end || pid <= 0 || pid > 0x7fffffff)
			continue;
		if (vec_reserve((void **)ret, &a, *n + 1, sizeof(**ret)))
			(*ret)[(*n)++] = (int)pid;
		else
			*lost = true;
	}
	closedir(d);
	if (*n)
		qsort(*ret, *n, sizeof(**ret), pid_cmp);
	return 0;
}

static long read_long(int procfd, const char *name)
{
	struct capbuf cb;
	long v = -1;

	capbuf_init(&cb, 64);
	if (proc_read_once(procfd, name, &cb) == 0 && cb.buf)
		v = strtol(cb.buf, NULL, 10);
	capbuf_release(&cb);
	return v;
}

/* A kernel rootkit can drop a pid from readdir and still let it be found
 * by number: every pid up to the highest in use (the last one given, or the
 * highest listed) and 64 Ki beyond is asked for with kill(pid, 0), which
 * signals nothing; one that answers, is not listed and is no thread of a
 * listed process (its Tgid) is recorded. Bounded by pid_max and 3 s. */
static void probe_pids(struct run *r, int priv, const int *v, size_t n, struct capbuf *out,
		       unsigned *nhidden)
{
	long pid_max = read_long(priv, "sys/kernel/pid_max");
	long last = read_long(priv, "sys/kernel/ns_last_pid");
	long top = n ? v[n - 1] : 0;
	long limit = (last > top ? last : top) + 65536;
	if (pid_max > 0 && limit > pid_max)
		limit = pid_max;
	double t0 = run_elapsed(r), deadline = t0 + 3.0;
	long p;
	int *fresh = NULL;
	size_t nfresh = 0;
	bool fresh_read = false;

	for (p = 1; p <= limit; p++) {
		if ((p & 4095) == 0 && run_elapsed(r) > deadline)
			break;
		if (kill((pid_t)p, 0) < 0 && errno != EPERM)
			continue;
		if (listed(v, n, (int)p))
			continue;
		char name[48];
		struct capbuf st;
		snprintf(name, sizeof(name), "%ld/status", p);
		capbuf_init(&st, 1u << 16);
		int e = proc_read_once(priv, name, &st);
		size_t len;
		const char *tg = e == 0 && st.buf ? proc_status_field(st.buf, "Tgid", &len) : NULL;
		long tgid = tg ? strtol(tg, NULL, 10) : -1;
		if (tgid != p && tgid > 0 && listed(v, n, (int)tgid)) {
			capbuf_release(&st);
			continue;   /* a thread of a listed process */
		}
		if (e == -ENOENT || e == -ESRCH) {
			capbuf_release(&st);
			continue;   /* it ended meanwhile */
		}
		/* started after the listing? readdir again (once, when first
		 * needed): a new process is listed now, a hidden one still not */
		if (!fresh_read) {
			bool lost;
			fresh_read = true;
			if (list_pids(priv, &fresh, &nfresh, &lost) < 0 || lost)
				nfresh = 0, free(fresh), fresh = NULL;
		}
		long fg = tgid > 0 ? tgid : p;
		if (fresh && (listed(fresh, nfresh, (int)p) || listed(fresh, nfresh, (int)fg))) {
			capbuf_release(&st);
			continue;
		}
		const char *comm = e == 0 && st.buf ? proc_status_field(st.buf, "Name", &len) : NULL;
		json_t *o = json_object();
		json_set_int(o, "pid", p);
		json_set_str(o, "kind", "hidden-from-readdir");
		json_set_int(o, "tgid", tgid);
		json_set_bytes(o, "comm", comm ? comm : "", comm ? len : 0);
		json_append_line(out, o);
		json_decref(o);
		capbuf_release(&st);
		(*nhidden)++;
	}
	free(fresh);
	run_log(r, "processes: pid probe: 1 to %ld of %ld asked in %.3f s (%s); %u pids answer "
		"but are not listed", p - 1, limit, run_elapsed(r) - t0,
		p > limit ? "all" : "stopped at its 3 s", *nhidden);
}

struct probe_job {
	struct run *r;
	int priv;
	const int *pids;
	size_t n;
	struct capbuf out;
	unsigned nhidden;
};

static void *probe_thread(void *v)
{
	struct probe_job *j = v;

	probe_pids(j->r, j->priv, j->pids, j->n, &j->out, &j->nhidden);
	return NULL;
}

struct views {
	struct capbuf out;
	unsigned ndiff, nmounts, nview_mounts;
	size_t npids;
};

/* Both views compared and the pid space probed: the records, not yet
 * emitted (run on a thread of its own while the volatile members are
 * archived: plan.c). NULL when out of memory or without a /proc. */
void *proc_views_read(struct run *r)
{
	int *pids = NULL;
	bool lost = false;

	struct views *vw = calloc(1, sizeof(*vw));
	if (!vw)
		return NULL;
	capbuf_init(&vw->out, 64u << 20);
	int priv = proc_open_root();   /* the private view, or the host's only */
	if (list_pids(priv, &pids, &vw->npids, &lost) < 0) {
		if (priv >= 0)
			close(priv);
		return vw;
	}
	/* the probe asks the kernel, the cross-view reads two procfs: at once */
	struct probe_job pj = { .r = r, .priv = priv, .pids = pids, .n = vw->npids };
	capbuf_init(&pj.out, 64u << 20);
	pthread_t t;
	bool threaded = !lost && pscan_thread(&t, probe_thread, &pj) == 0;
	for (size_t i = 0; r->host_procfd >= 0 && i < vw->npids; i++)   /* two views */
		one_pid(&vw->out, priv, r->host_procfd, pids[i], &vw->ndiff);
	if (threaded)
		pthread_join(t, NULL);
	else if (!lost)
		probe_pids(r, priv, pids, vw->npids, &pj.out, &pj.nhidden);
	else   /* a listed pid not kept would read as hidden: no probe */
		run_log(r, "processes: pid probe not made: out of memory for the pid list");
	if (pj.out.len)
		capbuf_add(&vw->out, pj.out.buf, pj.out.len);
	capbuf_release(&pj.out);
	free(pids);
	if (r->host_procfd >= 0)   /* a private view: what was mounted on it */
		view_mounts(priv, &vw->out, &vw->nview_mounts);
	close(priv);
	if (r->host_proc_mounts)
		mounts(&vw->out, r->host_proc_mounts, &vw->nmounts);
	return vw;
}

int proc_views(struct run *r)
{
	struct views *vw = r->after_volatile_data ? r->after_volatile_data : proc_views_read(r);

	r->after_volatile_data = NULL;
	if (!vw)
		return 0;
	run_log(r, "processes: /proc views: %zu pids in the private view, %u missing or "
		"different in the host's, %u host mounts on or under /proc, %u mounts made on "
		"irsnap's own /proc while it read", vw->npids, vw->ndiff, vw->nmounts,
		vw->nview_mounts);
	int ret = run_emit(r, "processes", "volatile/proc-views.jsonl", &vw->out);
	capbuf_release(&vw->out);
	free(vw);
	return ret;
}
