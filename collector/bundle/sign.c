/* sign.c - Ed25519 keys, signatures and fingerprints (sign.h). */
#include <errno.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sign.h"
#include "textutil.h"
#include "banned.h"

#define KEYFILE_MAX (64u << 10)

int crypto_init(void)
{
	/* no config file, no engines loaded from the host's openssl.cnf */
	if (OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG |
				OPENSSL_INIT_NO_ATEXIT, NULL) != 1)
		return -EIO;
	return 0;
}

int key_generate(EVP_PKEY **ret)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");

	if (!k)
		return -EIO;
	*ret = k;
	return 0;
}

static int key_check_type(EVP_PKEY *k)
{
	return EVP_PKEY_is_a(k, "ED25519") ? 0 : -EINVAL;
}

int key_load_private_fd(int fd, EVP_PKEY **ret)
{
	struct capbuf cb;
	int r;

	capbuf_init(&cb, KEYFILE_MAX);
	r = capbuf_read_fd(&cb, fd);
	if (r < 0) {
		OPENSSL_cleanse(cb.buf, cb.alloc);
		capbuf_release(&cb);
		return r;
	}
	BIO *bio = BIO_new_mem_buf(cb.buf ? cb.buf : "", (int)cb.len);
	EVP_PKEY *k = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	if (cb.buf)
		OPENSSL_cleanse(cb.buf, cb.alloc);
	capbuf_release(&cb);
	if (!k)
		return -EINVAL;
	if (key_check_type(k) < 0) {
		EVP_PKEY_free(k);
		return -EINVAL;
	}
	*ret = k;
	return 0;
}

int key_load_public(const void *pem, size_t len, EVP_PKEY **ret)
{
	if (len > KEYFILE_MAX)
		return -E2BIG;
	BIO *bio = BIO_new_mem_buf(pem, (int)len);
	EVP_PKEY *k = bio ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;

	BIO_free(bio);
	if (!k)
		return -EINVAL;
	if (key_check_type(k) < 0) {
		EVP_PKEY_free(k);
		return -EINVAL;
	}
	*ret = k;
	return 0;
}

static int bio_to_capbuf(BIO *bio, struct capbuf *out)
{
	char *data = NULL;
	long n = BIO_get_mem_data(bio, &data);

	if (n < 0 || !data)
		return -EIO;
	return capbuf_add(out, data, (size_t)n);
}

int key_public_pem(EVP_PKEY *key, struct capbuf *out)
{
	BIO *bio = BIO_new(BIO_s_mem());
	int r = -EIO;

	if (bio && PEM_write_bio_PUBKEY(bio, key) == 1)
		r = bio_to_capbuf(bio, out);
	BIO_free(bio);
	return r;
}

int key_private_pem(EVP_PKEY *key, struct capbuf *out)
{
	BIO *bio = BIO_new(BIO_s_secmem());
	int r = -EIO;

	if (!bio)
		bio = BIO_new(BIO_s_mem());
	if (bio && PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL) == 1)
		r = bio_to_capbuf(bio, out);
	BIO_free(bio);
	return r;
}


int key_fingerprint(EVP_PKEY *key, char ret[FINGERPRINT_LEN])
{
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(key, &der);
	char hex[65];
	int r;

	if (n <= 0)
		return -EIO;
	r = sha256_hex(der, (size_t)n, hex);
	OPENSSL_free(der);
	if (r < 0)
		return r;
	memcpy(ret, "sha256:", 7);
	memcpy(ret + 7, hex, 65);
	return 0;
}

int key_sign(EVP_PKEY *key, const void *msg, size_t len,
	     unsigned char sig[ED25519_SIG_LEN])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t siglen = ED25519_SIG_LEN;
	int r = -EIO;

	if (ctx && EVP_DigestSignInit(ctx, NULL, NULL, NULL, key) == 1 &&
	    EVP_DigestSign(ctx, sig, &siglen, msg, len) == 1 &&
	    siglen == ED25519_SIG_LEN)
		r = 0;
	EVP_MD_CTX_free(ctx);
	return r;
}

int key_verify(EVP_PKEY *key, const void *msg, size_t len,
	       const unsigned char *sig, size_t siglen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int r = -EIO;

	if (ctx && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key) == 1) {
		int v = EVP_DigestVerify(ctx, sig, siglen, msg, len);
		r = v == 1 ? 0 : -EBADMSG;
	}
	EVP_MD_CTX_free(ctx);
	return r;
}

void key_free(EVP_PKEY *key)
{
	EVP_PKEY_free(key);
}
