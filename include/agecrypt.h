/*
 * agecrypt.h - the age format (age-encryption.org/v1) for X25519
 * recipients, built from OpenSSL's X25519, HKDF-SHA-256, HMAC-SHA-256 and
 * ChaCha20-Poly1305 (issue 20, item 5): what `age -d -i identity` reads on
 * any workstation. The writer takes a stream and gives the encrypted
 * stream to a sink: the header (one X25519 stanza per recipient, its MAC),
 * a 16-byte nonce, then the payload in the STREAM construction, 64 KiB
 * chunks each sealed with its counter and a last-chunk flag. The reader
 * does the reverse with one identity. Memory stays one chunk each way.
 */
#ifndef IRSNAP_AGECRYPT_H
#define IRSNAP_AGECRYPT_H

#include <stddef.h>
#include <sys/types.h>

#define AGE_KEY_LEN 32

/* "age1…" (bech32) into the X25519 public key; 0 or -EINVAL. */
int age_parse_recipient(const char *s, unsigned char pk[AGE_KEY_LEN]);
/* "AGE-SECRET-KEY-1…" into the X25519 secret key; 0 or -EINVAL. */
int age_parse_identity(const char *s, unsigned char sk[AGE_KEY_LEN]);

struct agewriter;
/* n recipients (32-byte keys); the header goes to sink at once. 0,
 * -EINVAL, -ENOMEM, -EIO, or the sink's error. */
int agewriter_open(struct agewriter **ret, const unsigned char (*pk)[AGE_KEY_LEN], size_t n,
		   int (*sink)(void *ctx, const void *p, size_t n), void *ctx);
int agewriter_write(struct agewriter *a, const void *p, size_t n);
/* The last chunk sealed and given to the sink; a freed. */
int agewriter_close(struct agewriter *a);

struct agereader;
/* The header read through read_fn (blocks of the input, as unpack.h's),
 * the file key unwrapped with the identity, the header's MAC checked.
 * 0; -ENOKEY (no stanza for this identity), -EBADMSG (a header or MAC
 * that does not hold), -ENOMEM, or read_fn's error. */
int agereader_open(struct agereader **ret, const unsigned char sk[AGE_KEY_LEN],
		   ssize_t (*read_fn)(void *ctx, const void **buf), void *ctx);
/* The next decrypted bytes: count, 0 at the end, -EBADMSG (a chunk that
 * does not authenticate, a missing last chunk, bytes after it). */
ssize_t agereader_read(struct agereader *a, void *buf, size_t n);
void agereader_close(struct agereader *a);

#endif
