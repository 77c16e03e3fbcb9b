/*
 * proc_adapter.c - libproc2 behind one door (proctable.h).
 */
#include <errno.h>
#include <pthread.h>
#include <libproc2/pids.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proctable.h"
#include "pscan.h"
#include "banned.h"

/* Numeric items only: see proctable.h for why. */
/* Items of /proc/<pid>/stat only: libproc2 then reads one file per process
 * (ids from status would make it read status too, which the process source
 * reads itself anyway, on several threads). */
static enum pids_item proc_items[] = {
	PIDS_ID_PID, PIDS_ID_PPID, PIDS_ID_PGRP, PIDS_ID_SESSION, PIDS_ID_TPGID,
	PIDS_TTY, PIDS_STATE, PIDS_NICE, PIDS_PRIORITY, PIDS_NLWP, PIDS_FLAGS,
	PIDS_TICS_BEGAN, PIDS_TICS_USER, PIDS_TICS_SYSTEM, PIDS_VSIZE_BYTES,
	PIDS_RSS,
};
enum rel {
	R_PID, R_PPID, R_PGRP, R_SID, R_TPGID, R_TTY, R_STATE, R_NICE, R_PRIO, R_NLWP, R_FLAGS,
	R_BEGAN, R_UTIME, R_STIME, R_VSIZE, R_RSS, R_COUNT
};
_Static_assert(sizeof(proc_items) / sizeof(proc_items[0]) == R_COUNT,
	       "proc_items and enum rel must match");

#define V(rel, type, s) ((s)->head[rel].result.type)

static void copy_proc(struct proc_entry *p, struct pids_stack *s, unsigned long page_kib)
{
	memset(p, 0, sizeof(*p));
	p->pid = V(R_PID, s_int, s);
	p->ppid = V(R_PPID, s_int, s);
	p->pgid = V(R_PGRP, s_int, s);
	p->sid = V(R_SID, s_int, s);
	p->tpgid = V(R_TPGID, s_int, s);
	p->tty = V(R_TTY, s_int, s);
	p->state = V(R_STATE, s_ch, s);
	p->nice = V(R_NICE, s_int, s);
	p->priority = V(R_PRIO, s_int, s);
	p->nlwp = V(R_NLWP, s_int, s);
	p->flags = V(R_FLAGS, ul_int, s);
	p->start_ticks = V(R_BEGAN, ull_int, s);
	p->utime = V(R_UTIME, ull_int, s);
	p->stime = V(R_STIME, ull_int, s);
	p->vsize = V(R_VSIZE, ul_int, s);
	p->rss_kib = V(R_RSS, ul_int, s) * page_kib;
}

int proctable_read(struct proctable *ret)
{
	struct pids_info *info = NULL;
	struct pids_fetch *f;
	int r;

	long page = sysconf(_SC_PAGESIZE);
	unsigned long page_kib = page >= 1024 ? (unsigned long)page / 1024 : 4;

	memset(ret, 0, sizeof(*ret));
	r = procps_pids_new(&info, proc_items, R_COUNT);
	if (r < 0)
		return r;
	f = procps_pids_reap(info, PIDS_FETCH_TASKS_ONLY);
	if (!f) {
		r = errno ? -errno : -EIO;
		goto out;
	}
	size_t n = (size_t)f->counts->total;
	ret->procs = calloc(n ? n : 1, sizeof(*ret->procs));
	if (!ret->procs) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		copy_proc(&ret->procs[i], f->stacks[i], page_kib);
	ret->nprocs = n;

	r = 0;
out:
	procps_pids_unref(&info);
	if (r < 0)
		proctable_free(ret);
	return r;
}

void proctable_free(struct proctable *t)
{
	free(t->procs);
	memset(t, 0, sizeof(*t));
}

struct proctable_prefetch {
	pthread_t th;
	struct proctable t;
	int err;
};

static void *prefetch_run(void *arg)
{
	struct proctable_prefetch *pf = arg;

	pf->err = proctable_read(&pf->t);
	return NULL;
}

struct proctable_prefetch *proctable_prefetch(void)
{
	struct proctable_prefetch *pf = calloc(1, sizeof(*pf));

	if (pf && pscan_thread(&pf->th, prefetch_run, pf) < 0) {
		free(pf);
		pf = NULL;
	}
	return pf;
}

int proctable_take(struct proctable_prefetch *pf, struct proctable *ret)
{
	if (!pf)
		return proctable_read(ret);
	pthread_join(pf->th, NULL);
	int r = pf->err;
	*ret = pf->t;
	free(pf);
	return r;
}

void proctable_prefetch_drop(struct proctable_prefetch *pf)
{
	struct proctable t;

	if (pf && proctable_take(pf, &t) == 0)
		proctable_free(&t);
}
