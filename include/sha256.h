/*
 * sha256.h - SHA-256 of memory and of what an fd yields, as lowercase hex.
 *
 * The one hashing contract sources may use (they never see OpenSSL): the
 * implementation (bundle/sha256.c) is OpenSSL's EVP. Every call returns 0
 * or -errno; `ret` always holds SHA256_HEX_LEN bytes (64 hex and a NUL).
 */
#ifndef IRSNAP_SHA256_H
#define IRSNAP_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_HEX_LEN 65

/* SHA-256 of a memory block. */
int sha256_hex(const void *data, size_t len, char ret[SHA256_HEX_LEN]);
/* SHA-256 of what an fd yields to EOF, reading at most `cap` bytes:
 * -E2BIG when the cap cut it (the hash is then of the first cap bytes). */
int sha256_fd(int fd, uint64_t cap, char ret[SHA256_HEX_LEN], uint64_t *ret_bytes);
/* SHA-256 of irsnap's own binary, through /proc/self/exe; "" when unreadable. */
void sha256_self(char out[SHA256_HEX_LEN]);
/* MD5 of the same, for the digests package databases record (dpkg's
 * md5sums): to compare with them, never to name evidence. */
#define MD5_HEX_LEN 33
int md5_fd(int fd, uint64_t cap, char ret[MD5_HEX_LEN], uint64_t *ret_bytes);
/* The digest an rpm header names (MD5, SHA1, SHA224, SHA256, SHA384,
 * SHA512), likewise: -EINVAL for another name. */
#define DIGEST_HEX_MAX 129
int digest_named_fd(const char *name, int fd, uint64_t cap, char ret[DIGEST_HEX_MAX],
		    uint64_t *ret_bytes);

/* A running SHA-256: NULL when out of memory; update returns 0 or -EIO;
 * final writes the hex and frees the state (NULL: writes "" and -EIO). */
struct sha256_run;
struct sha256_run *sha256_run_new(void);
int sha256_run_update(struct sha256_run *h, const void *data, size_t len);
int sha256_run_final(struct sha256_run *h, char ret[SHA256_HEX_LEN]);

#endif
