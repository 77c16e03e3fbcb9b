/*
 * slowmounts.h - the mount points of FUSE, NFS, CIFS, 9p and the like in
 * irsnap's own view of the host's tree (fsguard.h reads the table at start
 * and hands it here): a host file at or under one is never opened or
 * stat'ed (hostfile.c, walk.c). Parsing and lookup only; reads nothing.
 */
#ifndef IRSNAP_SLOWMOUNTS_H
#define IRSNAP_SLOWMOUNTS_H

#include <stdbool.h>
#include <stddef.h>

/* Whether a file system type may wait on a server (FUSE, NFS, CIFS, 9p...). */
bool slowmounts_type_slow(const char *type);

/* Learn them from a mountinfo text (replacing what was known). */
void slowmounts_set(const char *text, size_t len);
void slowmounts_free(void);
/* Whether an absolute path is at or under one; its type. */
bool slowmounts_path(const char *path, char *type, size_t size);

#endif
