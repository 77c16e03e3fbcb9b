/*
 * proctable.h - the process table from libproc2, as plain structs.
 *
 * proc_adapter.c is the only file that includes libproc2's headers. It asks
 * for numeric items only (never user or group names, never PIDS_SD_*, never
 * NUMA nodes), so libproc2 never calls getpwuid, sd_* or libnuma; the static
 * build also refuses every dlopen (static_shims.c).
 *
 * proctable_read() enumerates every process (one entry per tgid) and, with
 * `want_tasks`, every task (thread). Entries are copied out of libproc2, so
 * the snapshot stays valid after libproc2 is released. Raw bytes (comm,
 * cmdline, environ, links) are not taken from libproc2: the process source
 * reads them itself through a /proc/<pid> directory fd.
 */
#ifndef IRSNAP_PROCTABLE_H
#define IRSNAP_PROCTABLE_H

#include <stddef.h>
#include <stdint.h>

struct proc_entry {
	int pid, ppid, pgid, sid, tpgid;
	int tty;                            /* stat tty_nr: major/minor packed */
	char state;                         /* R S D Z T t X I ... */
	unsigned ruid, euid, suid, fuid;
	unsigned rgid, egid, sgid, fgid;
	char supgids[512];                  /* status Groups:, space separated */
	int nice, priority, nlwp;
	unsigned long flags;                /* stat flags (PF_KTHREAD ...) */
	unsigned long long start_ticks;     /* stat starttime, ticks since boot */
	unsigned long long utime, stime;    /* ticks */
	unsigned long vsize;                /* bytes */
	unsigned long rss_kib;              /* status VmRSS */
};

struct task_entry {
	int tid, tgid;
	char state;
	unsigned long long start_ticks, utime, stime;
};

struct proctable {
	struct proc_entry *procs;
	size_t nprocs;
	struct task_entry *tasks;
	size_t ntasks;
};

/* 0, or -errno (-ENOENT when /proc is not mounted). */
int proctable_read(struct proctable *ret, int want_tasks);
void proctable_free(struct proctable *t);

#define PF_KTHREAD_FLAG 0x00200000UL

#endif
