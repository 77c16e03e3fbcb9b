/*
 * proctable.h - the process table from libproc2, as plain structs.
 *
 * proc_adapter.c is the only file that includes libproc2's headers. It asks
 * for numeric items only (never user or group names, never PIDS_SD_*, never
 * NUMA nodes), so libproc2 never calls getpwuid, sd_* or libnuma; the static
 * build also refuses every dlopen (static_shims.c).
 *
 * proctable_read() enumerates every process (one entry per tgid); threads
 * are read by the process source from /proc/<pid>/task itself, so libproc2
 * reads each process once (a second reap with PIDS_FETCH_THREADS_TOO read
 * every process again, for tasks the source re-read anyway). Entries are
 * copied out of libproc2, so the snapshot stays valid after libproc2 is
 * released. Raw bytes (comm,
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
	int nice, priority, nlwp;
	unsigned long flags;                /* stat flags (PF_KTHREAD ...) */
	unsigned long long start_ticks;     /* stat starttime, ticks since boot */
	unsigned long long utime, stime;    /* ticks */
	unsigned long vsize;                /* bytes */
	unsigned long rss_kib;              /* stat rss (pages) in KiB */
};

struct proctable {
	struct proc_entry *procs;
	size_t nprocs;
};

/* 0, or -errno (-ENOENT when /proc is not mounted). */
int proctable_read(struct proctable *ret);

/* The same read started early on a helper thread (while the sockets step
 * reads its tables on one core, the other is free), collected later by
 * proctable_take(); proctable_take() without a start reads now. */
struct proctable_prefetch;
struct proctable_prefetch *proctable_prefetch(void);   /* NULL: not started */
int proctable_take(struct proctable_prefetch *pf, struct proctable *ret);
void proctable_prefetch_drop(struct proctable_prefetch *pf);   /* never taken */
void proctable_free(struct proctable *t);

#define PF_KTHREAD_FLAG 0x00200000UL

#endif
