/*
 * walk.h - walking a host directory tree without following or changing it.
 *
 * Directories are opened with openat(parent, name, O_DIRECTORY|O_NOFOLLOW|
 * O_NOATIME) and listed through that fd; every entry is statx'ed with
 * AT_SYMLINK_NOFOLLOW. Symbolic links are never followed (so no loop can
 * form), no file is opened by the walker, and the walk does not enter
 * /proc, /sys, /dev or a pseudo or network file system (proc, sysfs,
 * devpts, cgroup, NFS, CIFS/SMB, FUSE...) it meets at a mount point. Path
 * strings grow as needed (no PATH_MAX); depth is capped by the caller.
 * Memory is one open directory per level. The root itself is reached
 * through no symbolic link but root's (trustpath.h): -ELOOP, with the link
 * in the stats, for one a user made.
 */
#ifndef IRSNAP_WALK_H
#define IRSNAP_WALK_H

#include <stdint.h>
#include <sys/stat.h>

#include <stdbool.h>

#include "trustpath.h"

struct walk_entry {
	int dirfd;                 /* the entry's directory */
	const char *name;          /* in dirfd */
	const char *path;          /* full host path */
	size_t path_len;
	const struct statx *st;
	unsigned depth;
};

/* Return 0 to go on, > 0 to skip this directory's contents, < 0 to stop
 * the walk (a fatal bundle error). */
typedef int (*walk_fn)(void *ctx, const struct walk_entry *e);

struct walk_stats {
	uint64_t entries, dirs, unreadable, too_deep, mounts_skipped;
	struct untrusted_link link;   /* why a root was refused with -ELOOP */
};

/* `stop`, when given, is asked before each entry: true ends the walk (a
 * signal asked the run to stop), which then returns 0. */
int walk_tree(const char *root, unsigned max_depth, walk_fn fn, void *ctx,
	      struct walk_stats *stats, bool (*stop)(void *arg), void *stop_arg);

#endif
