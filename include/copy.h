/*
 * copy.h - raw copies of host files into the bundle, as artifacts.
 *
 * host_copy() archives one host file under fs/<encoded path> as an artifact:
 * stat data, SHA-256, O_NOATIME status, truncation at `cap`, growth or
 * shrinkage while read. It opens with host_open() (hostfile.h), so FIFOs,
 * devices and symlinks are recorded, never opened or followed. Every
 * outcome goes to the index; only a fatal bundle error is returned.
 */
#ifndef IRSNAP_COPY_H
#define IRSNAP_COPY_H

#include <stdbool.h>
#include <stdint.h>

#include "hostfile.h"
#include "run.h"

/* Longer member names (deep paths) go under fs-long/<sha256 of the path>:
 * GNU tar and bsdtar cannot extract names beyond PATH_MAX. */
#define MEMBER_NAME_MAX 1024

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
/* What a copy came to, for a listing written after it: whether the bundle
 * holds the file's bytes (whole, cut at the cap, or as far as they could be
 * read), and if not, why (the index record's message). */
struct copy_outcome {
	bool copied;
	char why[512];   /* as an artifact's message */
};
/* host_copy_at, telling `out` what came of it. */
int host_copy_at_told(struct run *r, const char *step, int dirfd, const char *name,
		      const char *path, uint64_t cap, enum copy_policy policy,
		      struct copy_outcome *out);

#endif
