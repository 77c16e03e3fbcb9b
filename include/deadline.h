/*
 * deadline.h - run a call that may never return (a stat, open or read on a
 * file system whose server an intruder controls: FUSE, NFS, CIFS, 9p) on a
 * thread of its own, and wait for it only so long.
 *
 * The call works on a private copy of its argument (`size` bytes, copied in
 * and, when it returns in time, back out): nothing it touches belongs to
 * the caller, so the caller may leave it behind. A call left behind keeps
 * its thread until the kernel answers it, or until irsnap exits (the exit
 * kills it: FUSE and NFS waits are killable); it frees its copy itself. The
 * argument must therefore hold no pointer the caller frees, and every fd it
 * names is the call's own, closed by the call.
 */
#ifndef IRSNAP_DEADLINE_H
#define IRSNAP_DEADLINE_H

#include <stdbool.h>
#include <errno.h>
#include <stddef.h>

/* Whether to give up waiting now (the run is stopping); may be NULL. */
typedef bool (*deadline_stop_fn)(void *ctx);

/*
 * fn(arg) on a new thread, waited for at most `ms` milliseconds, or until
 * stop(ctx) says so (asked every 50 ms). 0: it returned, and `arg` holds its
 * result. -ETIMEDOUT or -EINTR: left behind, `arg` unchanged. Nothing ran
 * (deadline_not_run: the fds in `arg` are still the caller's): -ECANCELED
 * when stop() said so before, -ENOMEM, -EAGAIN when no thread could be made.
 * `waited_ms` (may be NULL): how long the caller waited.
 */
int deadline_run(void (*fn)(void *arg), void *arg, size_t size, unsigned ms,
		 deadline_stop_fn stop, void *ctx, unsigned *waited_ms);

static inline bool deadline_not_run(int e)
{
	return e == -ECANCELED || e == -ENOMEM || e == -EAGAIN;
}

/* Calls left behind so far (still blocked, or returned late), for run.json. */
unsigned deadline_abandoned(void);

#endif
