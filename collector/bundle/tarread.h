/*
 * tarread.h - the strict reader of irsnap's tar subset (tarfmt.h), for
 * verify and every later reader of bundles.
 *
 * tarread_run() reads the stream once, block by block, and accepts only
 * what collect writes: each header is parsed, the header bytes collect
 * would write for that name, type, size and mtime are made by tar_encode()
 * and compared byte for byte; names are placed with tarnames_place() and
 * every directory must come just before its first member; data padding and
 * the end of the archive (two zero blocks, zeros to a whole record, then
 * end of input) must be zero. The first break of the subset is reported
 * through `fail` with the rule and the member, and stops the parsing (after
 * it, framing is ambiguous: no verdict may depend on how one tar reader
 * resolves that); the input is still read to its end, so that the SHA-256
 * and size of the whole bundle are always those of every byte.
 *
 * Callbacks, all optional: `member` before a member's data (a directory has
 * none), `data` for each piece of a regular member's data in order,
 * `member_end` after it. A callback returning < 0 stops the reading with
 * that error.
 */
#ifndef IRSNAP_TARREAD_H
#define IRSNAP_TARREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tar_member {
	const char *name;      /* the whole name, NUL-terminated */
	size_t name_len;
	bool dir;
	uint64_t size;
	uint64_t offset;       /* of its first header block */
};

struct tarread_ops {
	int (*member)(void *ctx, const struct tar_member *m);
	int (*data)(void *ctx, const void *buf, size_t n);
	int (*member_end)(void *ctx, const struct tar_member *m);
	/* a break of the subset: the rule, the member's name if known */
	void (*fail)(void *ctx, const char *rule, const char *name, size_t nlen);
};

struct tarread_result {
	char sha256[65];       /* of every byte read */
	uint64_t bytes;
	unsigned members, dirs;
	bool subset_ok;        /* no break of the subset, and a proper end */
	int64_t mtime;         /* the members' mtime (-1 if none read) */
};

/* Returns 0 (verdict in res->subset_ok), -EINVAL when the input does not
 * start with a ustar header at all (not a tar), or -errno when reading
 * failed (res still holds what was read). */
/* The age identity's secret key (agecrypt.h) an encrypted bundle is read
 * with from now on, or NULL: none (it is then refused, saying so). */
void tarread_identity(const unsigned char *sk);
int tarread_run(int fd, const struct tarread_ops *ops, void *ctx,
		struct tarread_result *res);

#endif
