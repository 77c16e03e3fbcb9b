/*
 * hostfile.h - reading host files without changing them or trusting them.
 *
 * host_open() is the only way irsnap opens a host path for reading:
 *  - the path is lstat'ed first: only regular files (and directories, with
 *    HOST_DIR) are ever opened; FIFOs, sockets and devices are refused
 *    without an open, so no device is ever touched;
 *  - the open uses O_RDONLY|O_NOFOLLOW|O_NONBLOCK|O_CLOEXEC|O_NOATIME, and
 *    retries without O_NOATIME when the kernel refuses it (EPERM: not the
 *    owner and no CAP_FOWNER), reporting that through ret_noatime;
 *  - the opened fd is fstat'ed and must be the same dev/ino and type as the
 *    lstat (a swap between the two is refused: -ESTALE).
 * A symbolic link is never followed: -ELOOP, and the caller may record the
 * target with host_readlink().
 *
 * host_copy() archives one host file under fs/<encoded path> as an artifact:
 * stat data, SHA-256, O_NOATIME status, truncation at `cap`, growth or
 * shrinkage while read. Every outcome goes to the index; only a fatal bundle
 * error is returned.
 */
#ifndef IRSNAP_HOSTFILE_H
#define IRSNAP_HOSTFILE_H

#include <errno.h>
#include <stdint.h>
#include <sys/stat.h>

#include "run.h"

#define HOST_DIR 1
/* Longer member names (deep paths) go under fs-long/<sha256 of the path>:
 * GNU tar and bsdtar cannot extract names beyond PATH_MAX. */
#define MEMBER_NAME_MAX 1024
/* host_open() refuses anything but a regular file (or directory) with this */
#define EFTYPE_NOT_REGULAR EMEDIUMTYPE

int host_open(int dirfd, const char *path, int flags, int *ret_noatime,
	      struct statx *ret_st);
/* opendir() for a host directory, never through a symlink (O_NOFOLLOW). */
#include <dirent.h>
DIR *host_opendir(const char *path);
/* The target of a symlink, NUL-terminated, malloc'ed. */
int host_readlink(int dirfd, const char *path, char **ret, size_t *ret_len);
/* Read a small host file (a /proc or /etc value) into cb: -E2BIG if capped. */
int host_read_small(int dirfd, const char *path, struct capbuf *cb);

enum copy_policy {
	COPY_LENIENT,   /* a symlink is recorded (kind symlink, status ok) */
	COPY_STRICT,    /* anything but a regular file is an error */
	COPY_OPTIONAL,  /* as lenient, and an absent file is recorded as such */
};

/* Archive `size` bytes (at most `cap`) of an open fd as `member`, filling
 * the artifact's member, bytes, sha256 and truncation. Returns 0 or the
 * bundle's error (already recorded in the artifact). */
int copy_fd_to_member(struct run *r, struct artifact *a, int fd, const char *member,
		      uint64_t size, uint64_t cap);

int host_copy(struct run *r, const char *step, const char *path, uint64_t cap,
	      enum copy_policy policy);
/* The same for `name` relative to an open directory; `path` is its full
 * host path, for the record and the member name. */
int host_copy_at(struct run *r, const char *step, int dirfd, const char *name,
		 const char *path, uint64_t cap, enum copy_policy policy);

#endif
