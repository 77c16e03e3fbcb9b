/*
 * age_int.h - the primitives the age writer and reader share (age_prim.c):
 * HKDF-SHA-256, X25519, ChaCha20-Poly1305 with a 12-byte nonce, HMAC,
 * base64 without padding (age's header encoding).
 */
#ifndef IRSNAP_AGE_INT_H
#define IRSNAP_AGE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "agecrypt.h"

#define AGE_CHUNK 65536
#define AGE_TAG 16
#define AGE_FILE_KEY 16
#define AGE_MAGIC "age-encryption.org/v1\n"
#define AGE_X25519_INFO "age-encryption.org/v1/X25519"

int age_hkdf(const void *ikm, size_t ikm_len, const void *salt, size_t salt_len,
	     const char *info, unsigned char out[32]);
/* The public key of a secret one, and the shared secret of two. */
int age_x25519_public(const unsigned char sk[32], unsigned char pk[32]);
int age_x25519(const unsigned char sk[32], const unsigned char pk[32], unsigned char out[32]);
/* ChaCha20-Poly1305: out holds n + 16 (seal) or n - 16 (open) bytes. */
int age_seal(const unsigned char key[32], const unsigned char nonce[12], const void *in,
	     size_t n, unsigned char *out);
int age_open(const unsigned char key[32], const unsigned char nonce[12], const void *in,
	     size_t n, unsigned char *out);
int age_hmac(const unsigned char key[32], const void *p, size_t n, unsigned char out[32]);
/* Standard base64 without '=' (out: 4 * ceil(n / 3) + 1); its length. */
size_t age_b64(const unsigned char *in, size_t n, char *out);
/* The reverse, strict (canonical, no padding); the length or -1. */
long age_unb64(const char *in, size_t n, unsigned char *out, size_t room);
/* STREAM's nonce: the 11-byte big-endian counter, then 1 for the last. */
void age_stream_nonce(uint64_t counter, int last, unsigned char nonce[12]);

#endif
