/*
 * pscan.h - run one function over many items (processes) on a few threads,
 * and hand the results back in item order.
 *
 * Reading /proc is mostly the kernel generating text, per process and
 * independent between processes: two cores read two processes at once, and
 * the volatile snapshot takes about half as long (its skew with it).
 *
 * Items are cut into chunks of `chunk` consecutive items. A thread claims
 * the next chunk, calls work() on each of its items with that chunk's
 * private output (`out`, allocated by new_out), and when the chunk is done,
 * merge() receives the chunk outputs in chunk order, one call at a time,
 * under a lock: merge is where shared results grow. At most `window`
 * chunks are in flight, so memory stays bounded whatever the item count.
 * work() must touch only its item, its output and read-only or locked
 * shared state. The calling thread works too; with threads == 1 (or when a
 * thread cannot be created) everything runs on the caller, in order.
 */
#ifndef IRSNAP_PSCAN_H
#define IRSNAP_PSCAN_H

#include <pthread.h>
#include <stddef.h>

struct pscan {
	size_t nitems, chunk;
	unsigned threads;                       /* 0: pscan_default_threads() */
	void *ctx;
	void *(*new_out)(void *ctx);            /* NULL: out of memory */
	void (*work)(void *ctx, size_t item, void *out);
	/* optional: after a chunk's items, on its thread, unlocked (compress
	 * its records there, so that the merge only copies) */
	void (*finish)(void *ctx, void *out);
	void (*merge)(void *ctx, void *out);    /* in order; frees `out` */
	int (*stop)(void *ctx);                 /* non-zero: claim no more */
};

#define PSCAN_MAX_THREADS 8

/* The CPUs this process may run on, at most 4 (a responder's tool must
 * leave the server some room): the default of --threads. */
unsigned pscan_default_threads(void);
/* 0, or -ENOMEM when some chunk's output could not be allocated (its items
 * were not worked). The number of items worked is stored in *ret_done when
 * not NULL. */
int pscan_run(const struct pscan *ps, size_t *ret_done);

/* pthread_create with a small stack (PSCAN_STACK): the collector may have
 * locked its memory (mlockall MCL_FUTURE, lockdown.h), and a default 8 MiB
 * stack would then be 8 MiB of resident memory per thread. 0 or -errno. */
#define PSCAN_STACK (512u << 10)
int pscan_thread(pthread_t *th, void *(*fn)(void *), void *arg);

#endif
