/*
 * bundle.h - the only writer of the evidence tar (bundle format v1, DESIGN §4).
 *
 * The bundle writer owns the output fd, the libarchive handle and every
 * SHA-256 computed over archived bytes, so a recorded hash is always the hash
 * of the exact bytes in the tar. Sources never see libarchive or OpenSSL.
 *
 * The tar is irsnap's own subset (tarfmt.h), the one verify accepts.
 * Members are named relative to the bundle folder "<id>/"; names must satisfy
 * member_name_safe() (textutil.h) and the rules of tarnames_place(), checked
 * whole before anything is written. Parent directories are emitted on first
 * use, each just before its first member. Each member's "<sha256>  <name>" line goes into the manifest in the
 * order written, except the two sealing members (manifest and signature).
 *
 * Errors: every call returns 0 or -errno. A failure to write the output is
 * fatal and sticky: from then on every call returns the same -errno at once,
 * and bundle_error() describes it ("cannot write '<path>': <reason>").
 * Other failures (-EEXIST for a duplicate name, -EINVAL for an unsafe name,
 * -ENOTDIR for a name under a file, -ENAMETOOLONG) concern one member only.
 */
#ifndef IRSNAP_BUNDLE_H
#define IRSNAP_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sha256.h"

/* The bundle format (README, "Bundle format"): written into run.json and
 * read back by verify, which accepts this one and the ones before it.
 * /2: the tar subset specified byte for byte; sparse host files copied by
 * their data extents, with "sparse" in their index record.
 * /3: the bodyfile's hash column is MD5's (0: plaso refuses anything else),
 * the SHA-256 of hashed executables in timeline/sha256.NNNN beside it. */
#define BUNDLE_FORMAT "irsnap-bundle/3"
#define BUNDLE_FORMATS_READ { "irsnap-bundle/1", "irsnap-bundle/2", "irsnap-bundle/3" }

struct bundle;

/* Take over `fd` (not closed by the bundle) and start the archive with the
 * top folder "<id>/". `display` names the output in messages. `mtime` is the
 * modification time given to every member (the collection time). */
int bundle_open(struct bundle **ret, int fd, const char *display,
		const char *id, int64_t mtime);
/* The same, the stream compressed and encrypted as it goes out
 * (hashthread.h's struct hash_out; NULL: neither): the bundle's SHA-256
 * and size are then of the bytes written. */
struct hash_out;
int bundle_open_z(struct bundle **ret, int fd, const char *display,
		  const char *id, int64_t mtime, const struct hash_out *o);

/* A whole member from memory. */
int bundle_add_bytes(struct bundle *b, const char *name, const void *data,
		     size_t len, char ret_sha256[SHA256_HEX_LEN]);

/* A streamed member of a size declared up front. bundle_write() refuses
 * bytes beyond the declared size (-EFBIG); bundle_end() pads a short member
 * with zero bytes (a tar member's size is fixed in its header) and reports
 * how many bytes were padded, so the caller can record it. */
int bundle_begin(struct bundle *b, const char *name, uint64_t size);
int bundle_write(struct bundle *b, const void *data, size_t len);
/* The same without a copy: the room left in the block being filled (a
 * file's bytes are read straight into it), then bundle_wrote() of how many
 * were put there. NULL and *room 0 when no member is open or the bundle
 * is dead. */
void *bundle_space(struct bundle *b, size_t *room);
int bundle_wrote(struct bundle *b, size_t len);
int bundle_end(struct bundle *b, char ret_sha256[SHA256_HEX_LEN],
	       uint64_t *ret_padded);

bool bundle_has(const struct bundle *b, const char *name);

/* A reader of every member as it is archived: fn(ctx, name, bytes, len) for
 * each write, then fn(ctx, name, NULL, 0) at its end; the name is the
 * member's below the top folder. One at a time, on the writing thread. */
void bundle_set_tap(struct bundle *b, void (*fn)(void *ctx, const char *name,
						 const void *data, size_t len), void *ctx);

/* The manifest text so far (sha256sum(1) format). */
const char *bundle_manifest(const struct bundle *b, size_t *ret_len);

/* Write MANIFEST.sha256 and then MANIFEST.sha256.sig (raw signature bytes),
 * outside the manifest. Returns the manifest's own SHA-256. */
int bundle_seal(struct bundle *b, const unsigned char *sig, size_t siglen,
		char ret_manifest_sha256[SHA256_HEX_LEN]);

/* Finish the archive (end-of-archive blocks) and return the SHA-256 of every
 * byte written to the output. Safe to call after a fatal error. */
int bundle_close(struct bundle *b, char ret_total_sha256[SHA256_HEX_LEN],
		 uint64_t *ret_total_bytes);

const char *bundle_error(const struct bundle *b);
/* Whether the output has failed (the one test of "the bundle is dead"):
 * a caller stops on it and keeps going on any other error, which concerns
 * one member only. */
/* The bytes the bundle holds so far (written or about to be). */
uint64_t bundle_bytes(const struct bundle *b);
bool bundle_dead(const struct bundle *b);
void bundle_free(struct bundle *b);

#endif
