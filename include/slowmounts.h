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

/* One line of /proc/<pid>/mountinfo (not NUL-terminated), split without
 * copying: "36 35 98:0 /root /mnt opts [optional...] - type src opts".
 * The mount point is as the kernel wrote it (octal escapes kept). */
struct mountinfo_fields {
	int id;
	const char *point;
	size_t point_len;
	char type[48];
};
bool mountinfo_line(const char *s, size_t n, struct mountinfo_fields *f);

/* Learn them from a mountinfo text (replacing what was known). */
void slowmounts_set(const char *text, size_t len);
void slowmounts_free(void);
/* Whether an absolute path is at or under one; its type. */
bool slowmounts_path(const char *path, char *type, size_t size);

#endif
