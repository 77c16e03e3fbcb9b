/*
 * isolate.h - collecting through the kernel's own view, in a mount
 * namespace of irsnap's own (issue 14, items 1 and 7).
 *
 * Before the output is opened, isolate_begin() keeps what only the host's
 * namespace shows: an O_PATH fd of its root and of the working directory
 * (to check at the end that the output is still where it was written), an
 * fd of the host's /proc as mounted there (overmounts and all, for the
 * cross-view), and its mount table (/proc/self/mountinfo and mounts: the
 * kernel source records these, not irsnap's own copy).
 *
 * After the output is opened and before any thread starts, isolate_views()
 * unshares the mount namespace (nothing propagates back: every mount is
 * made private first), gives itself a /proc that carries none of the
 * host's overmounts — the host's procfs bound alone over /proc (no MS_REC)
 * when the mount at /proc is the whole procfs of irsnap's pid namespace
 * with nothing hidden, else a procfs mounted for irsnap — and makes every
 * mount read-only and noatime
 * (mount_setattr, AT_RECURSIVE): no read can change an access time and no
 * write can reach a host file system, enforced by the kernel. The output's
 * fd was opened before, through the host's mount, and stays writable.
 * Without the privilege (not root) or the kernel support, irsnap goes on
 * with the host's view, and says which in run.json ("views").
 */
#ifndef IRSNAP_ISOLATE_H
#define IRSNAP_ISOLATE_H

#include <stdbool.h>
#include <stddef.h>

struct isolation {
	int host_root, host_cwd;   /* O_PATH, of the starting namespace; or -1 */
	int host_proc;             /* the host's /proc, or -1 */
	/* the starting mount namespace itself: held open, it outlives irsnap's
	 * move (run by exec as its last process, it would be torn down, and
	 * host_root would lead nowhere) */
	int host_ns;
	char *proc_mounts;         /* host mountinfo lines on or under /proc */
	char *mountinfo, *mounts;  /* the host's mount table, read before leaving it */
	bool mountinfo_cut, mounts_cut;   /* over 16 MiB: the copies end there */
	bool private_ns, private_proc, readonly;
	bool proc_bound;   /* the host's procfs bound alone, not a new instance */
	/* a child holding the private namespace, so that its teardown is not
	 * in irsnap's exit (isolate.c); -1: none */
	int holder, holder_err;
	char proc_view[200], fs_view[200];   /* what run.json says */
};

void isolate_begin(struct isolation *iso);
void isolate_views(struct isolation *iso);
void isolate_free(struct isolation *iso);

#endif
