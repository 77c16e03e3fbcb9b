/*
 * proc_adapter.c - libproc2 behind one door (proctable.h).
 */
#include <errno.h>
#include <libproc2/pids.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proctable.h"
#include "banned.h"

/* Numeric items only: see proctable.h for why. */
static enum pids_item proc_items[] = {
	PIDS_ID_PID, PIDS_ID_PPID, PIDS_ID_PGRP, PIDS_ID_SESSION, PIDS_ID_TPGID,
	PIDS_TTY, PIDS_STATE,
	PIDS_ID_RUID, PIDS_ID_EUID, PIDS_ID_SUID, PIDS_ID_FUID,
	PIDS_ID_RGID, PIDS_ID_EGID, PIDS_ID_SGID, PIDS_ID_FGID,
	PIDS_SUPGIDS, PIDS_NICE, PIDS_PRIORITY, PIDS_NLWP, PIDS_FLAGS,
	PIDS_TICS_BEGAN, PIDS_TICS_USER, PIDS_TICS_SYSTEM, PIDS_VSIZE_BYTES,
	PIDS_VM_RSS, PIDS_ID_TGID,
};
enum rel {
	R_PID, R_PPID, R_PGRP, R_SID, R_TPGID, R_TTY, R_STATE,
	R_RUID, R_EUID, R_SUID, R_FUID, R_RGID, R_EGID, R_SGID, R_FGID,
	R_SUPGIDS, R_NICE, R_PRIO, R_NLWP, R_FLAGS,
	R_BEGAN, R_UTIME, R_STIME, R_VSIZE, R_RSS, R_TGID, R_COUNT
};
_Static_assert(sizeof(proc_items) / sizeof(proc_items[0]) == R_COUNT,
	       "proc_items and enum rel must match");

#define V(rel, type, s) ((s)->head[rel].result.type)

static void copy_proc(struct proc_entry *p, struct pids_stack *s)
{
	memset(p, 0, sizeof(*p));
	p->pid = V(R_PID, s_int, s);
	p->ppid = V(R_PPID, s_int, s);
	p->pgid = V(R_PGRP, s_int, s);
	p->sid = V(R_SID, s_int, s);
	p->tpgid = V(R_TPGID, s_int, s);
	p->tty = V(R_TTY, s_int, s);
	p->state = V(R_STATE, s_ch, s);
	p->ruid = V(R_RUID, u_int, s);
	p->euid = V(R_EUID, u_int, s);
	p->suid = V(R_SUID, u_int, s);
	p->fuid = V(R_FUID, u_int, s);
	p->rgid = V(R_RGID, u_int, s);
	p->egid = V(R_EGID, u_int, s);
	p->sgid = V(R_SGID, u_int, s);
	p->fgid = V(R_FGID, u_int, s);
	const char *g = V(R_SUPGIDS, str, s);
	snprintf(p->supgids, sizeof(p->supgids), "%s", g && strcmp(g, "-") != 0 ? g : "");
	p->nice = V(R_NICE, s_int, s);
	p->priority = V(R_PRIO, s_int, s);
	p->nlwp = V(R_NLWP, s_int, s);
	p->flags = V(R_FLAGS, ul_int, s);
	p->start_ticks = V(R_BEGAN, ull_int, s);
	p->utime = V(R_UTIME, ull_int, s);
	p->stime = V(R_STIME, ull_int, s);
	p->vsize = V(R_VSIZE, ul_int, s);
	p->rss_kib = V(R_RSS, ul_int, s);
}

int proctable_read(struct proctable *ret)
{
	struct pids_info *info = NULL;
	struct pids_fetch *f;
	int r;

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
		copy_proc(&ret->procs[i], f->stacks[i]);
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
