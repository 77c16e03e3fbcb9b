/*
 * hostfile.h - reading host files without changing them or trusting them.
 *
 * host_open() is the only way irsnap opens a host path for reading:
 *  - the type is looked at first, through an O_PATH descriptor (it reads
 *    nothing, opens no device, triggers no automount): only regular files
 *    (and directories, with HOST_DIR) are ever opened for reading; FIFOs,
 *    sockets and devices are refused, so no device is ever touched;
 *  - the open uses O_RDONLY|O_NOFOLLOW|O_NONBLOCK|O_CLOEXEC|O_NOATIME, and
 *    retries without O_NOATIME when the kernel refuses it (EPERM: not the
 *    owner and no CAP_FOWNER), reporting that through ret_noatime;
 *  - the opened fd is fstat'ed and must be the same dev/ino and type as the
 *    O_PATH one (a swap between the two is refused: -ESTALE).
 * A symbolic link is never followed, at the end of the path or anywhere in
 * it (openat2 RESOLVE_NO_SYMLINKS; on kernels before 5.6, each component is
 * checked): -ELOOP, and the caller may record the link met with
 * host_link_in_path() and its target with host_readlink(). Where a folder
 * of the path is a link, nothing is stat'ed through it: -ENOENT only when
 * root's links lead to nothing, -EREMOTE onto a slow mount (trustpath.h).
 * Nothing here records or archives: that is copy.h's, in run/.
 */
#ifndef IRSNAP_HOSTFILE_H
#define IRSNAP_HOSTFILE_H

#include <errno.h>
#include <stdint.h>
#include <sys/stat.h>

#include "capbuf.h"

#define HOST_DIR 1
/* host_open() refuses anything but a regular file (or directory) with this */
#define EFTYPE_NOT_REGULAR EMEDIUMTYPE

int host_open(int dirfd, const char *path, int flags, int *ret_noatime,
	      struct statx *ret_st);
/* The first component of `path` before its last that is a symbolic link:
 * 0 and (if ret_link) its path, malloc'ed; -ENOENT when there is none. */
int host_link_in_path(int dirfd, const char *path, char **ret_link);
/* opendir() for a host directory: a link at its end is not followed
 * (O_NOFOLLOW); links in its folders only when root owns them, and never
 * onto a slow mount (trustpath.h: EREMOTE, ELOOP for a user's link). */
#include <dirent.h>
DIR *host_opendir(const char *path);
/* lstat(2) that follows no link anywhere in the path (the last component
 * may be one: it is what is stat'ed): -ELOOP for a link before it. No
 * open for I/O; the caller keeps slow mounts away (slowmounts.h). */
int host_lstat(int dirfd, const char *path, struct statx *st);
/* statx(2) of an absolute path, for a probe (is it there, how big): its
 * folders resolved through root's links only and never onto a slow mount
 * (trustpath.h), its last component not followed. -EREMOTE for a slow
 * mount, -ELOOP for a user's link, -EINVAL for a last component ".." or
 * a relative path, else statx's error. A path from a record an intruder
 * wrote ("../mnt/x") cannot reach a stalled mount either. */
int host_stat_path(const char *path, unsigned mask, struct statx *st);
/* The target of a symlink, NUL-terminated, malloc'ed. */
int host_readlink(int dirfd, const char *path, char **ret, size_t *ret_len);
/* Read a small host file (a /proc or /etc value) into cb: -E2BIG if capped. */
int host_read_small(int dirfd, const char *path, struct capbuf *cb);

/* statx of an open fd (the basic stats and the birth time). */
int statx_fd(int fd, struct statx *st);

#endif
