/*
 * fsguard.h - never block on an intruder's file system (issue 14, item 4).
 *
 * A stat, open or read of a file on FUSE, NFS, CIFS, 9p and the like is
 * answered by a server, which an intruder may own and stop. Before irsnap
 * touches a process's exe or an fd's target, it learns the file's mount
 * without calling into it (the mnt_id in the fdinfo of an fd or an O_PATH
 * fd, matched against the process's mountinfo); a file on such a file
 * system, or on a mount in no table (detached with umount -l), is touched
 * only through fsguard_run: on a thread of its own, under a deadline
 * (deadline.h). A mount that let a call time out is not asked again.
 *
 * One table for the run, shared by the scanning threads (locked inside).
 */
#ifndef IRSNAP_FSGUARD_H
#define IRSNAP_FSGUARD_H

#include <stdbool.h>
#include <stddef.h>

#include "deadline.h"
#include "slowmounts.h"

#define FSGUARD_DEFAULT_MS 5000

struct fs_where {
	int mnt_id;               /* -1: unknown */
	char type[48];            /* "ext4", "fuse.sshfs"; "" when unknown */
	bool known;               /* found in a mount table */
	bool guarded;             /* slow or unknown: only through fsguard_run */
};

/* procfd: irsnap's /proc, for its own fdinfo; stop(ctx) is asked while
 * waiting, log(ctx, line) told of a mount that stalled. Before the first
 * process. */
void fsguard_init(int procfd, unsigned deadline_ms, deadline_stop_fn stop,
		  void (*log)(void *ctx, const char *line), void *ctx);
void fsguard_free(void);
unsigned fsguard_deadline_ms(void);

/* The mount of an open fd of irsnap's (an O_PATH one is enough), from its
 * fdinfo: -1 when not said. */
int fsguard_fd_mnt(int fd);

/* The mount of a file of a process's /proc folder `dirfd` ("exe",
 * "map_files/..."), learnt without calling into its file system: by
 * name_to_handle_at's mount id, else from the fdinfo of an O_PATH fd.
 * -1 when not said; -2 when the name leads nowhere (vanished). */
int fsguard_path_mnt(int dirfd, const char *name);
/* Where mount `mnt_id` is, from the table of the process whose /proc
 * directory is `pdir` (read once per table). */
void fsguard_where(int pdir, int mnt_id, struct fs_where *w);

/* Learn the mounts of a mountinfo text (the fuzz target's way in; the run
 * reads each namespace's table itself): whether one is slow. */
bool fsguard_add_table(const char *text, size_t len);

/* The same from the mounts learnt so far only (no table read). */
void fsguard_known(int mnt_id, struct fs_where *w);

/* Whether a path lookup inside the process's root may cross such a file
 * system: its mount namespace has one mounted anywhere (or is unreadable). */
bool fsguard_ns_guarded(int pdir);

/* fn(arg) under the deadline (deadline_run), unless mount `mnt_id` timed
 * out before (-EDEADLK, nothing run). A timeout marks the mount stalled.
 * mnt_id -1: unknown, marked nowhere. */
int fsguard_run(int mnt_id, void (*fn)(void *), void *arg, size_t size, unsigned *waited_ms);

/* The same for a path lookup inside the process (pdir): not made again in
 * a mount namespace where one timed out. */
int fsguard_lookup(int pdir, void (*fn)(void *), void *arg, size_t size, unsigned *waited_ms);

/* Whether a guarded call ran not at all (the fds in its argument are still
 * the caller's to close): deadline_not_run, or the mount stalled earlier. */
static inline bool fsguard_not_run(int e)
{
	return deadline_not_run(e) || e == -EDEADLK;
}

/* What a guarded call's result says, for a record: "no answer within 5 s
 * (fs fuse)", "fs fuse stalled earlier", "interrupted". */
void fsguard_reason(int err, const struct fs_where *w, unsigned waited_ms, char *buf,
		    size_t size);

#endif
