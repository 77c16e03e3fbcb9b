/*
 * sign.h - Ed25519 signing keys and the signer fingerprint (OpenSSL EVP).
 *
 * crypto_init() must run before any other OpenSSL call: it initialises
 * libcrypto with OPENSSL_INIT_NO_LOAD_CONFIG so no openssl.cnf (and through
 * it no engine or provider module) is ever read from the host.
 *
 * The fingerprint of a key is "sha256:" + hex SHA-256 of its DER
 * SubjectPublicKeyInfo, i.e. what
 *   openssl pkey -pubin -in signer.pub.pem -outform DER | sha256sum
 * prints. Private keys live only in OpenSSL's key object; key_free() lets
 * OpenSSL wipe them.
 */
#ifndef IRSNAP_SIGN_H
#define IRSNAP_SIGN_H

#include <stddef.h>
#include <stdint.h>

#include "capbuf.h"
#include "sha256.h"

#define FINGERPRINT_LEN (7 + 64 + 1)
#define ED25519_SIG_LEN 64

typedef struct evp_pkey_st EVP_PKEY;

int crypto_init(void);
int key_generate(EVP_PKEY **ret);
/* Load a PEM private key (PKCS#8) from an fd; must be Ed25519. */
int key_load_private_fd(int fd, EVP_PKEY **ret);
/* Load a PEM public key (SubjectPublicKeyInfo) from memory; must be Ed25519. */
int key_load_public(const void *pem, size_t len, EVP_PKEY **ret);
int key_public_pem(EVP_PKEY *key, struct capbuf *out);
int key_private_pem(EVP_PKEY *key, struct capbuf *out);
int key_fingerprint(EVP_PKEY *key, char ret[FINGERPRINT_LEN]);
int key_sign(EVP_PKEY *key, const void *msg, size_t len,
	     unsigned char sig[ED25519_SIG_LEN]);
/* 0 when the signature is valid, -EBADMSG when not, -errno on failure. */
int key_verify(EVP_PKEY *key, const void *msg, size_t len,
	       const unsigned char *sig, size_t siglen);
void key_free(EVP_PKEY *key);


#endif
