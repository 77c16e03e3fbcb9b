/* age_prim.c - the age format's primitives over OpenSSL (age_int.h). */
#include <errno.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <string.h>

#include "age_int.h"
#include "banned.h"

int age_hkdf(const void *ikm, size_t ikm_len, const void *salt, size_t salt_len,
	     const char *info, unsigned char out[32])
{
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, NULL);
	size_t len = 32;
	int ok = c && EVP_PKEY_derive_init(c) > 0 && EVP_PKEY_CTX_set_hkdf_md(c, EVP_sha256()) > 0 &&
		 EVP_PKEY_CTX_set1_hkdf_key(c, ikm, (int)ikm_len) > 0 &&
		 (!salt_len || EVP_PKEY_CTX_set1_hkdf_salt(c, salt, (int)salt_len) > 0) &&
		 EVP_PKEY_CTX_add1_hkdf_info(c, (const unsigned char *)info, (int)strlen(info)) > 0 &&
		 EVP_PKEY_derive(c, out, &len) > 0 && len == 32;
	EVP_PKEY_CTX_free(c);
	return ok ? 0 : -EIO;
}

int age_x25519_public(const unsigned char sk[32], unsigned char pk[32])
{
	EVP_PKEY *k = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, sk, 32);
	size_t len = 32;
	int ok = k && EVP_PKEY_get_raw_public_key(k, pk, &len) > 0 && len == 32;
	EVP_PKEY_free(k);
	return ok ? 0 : -EIO;
}

int age_x25519(const unsigned char sk[32], const unsigned char pk[32], unsigned char out[32])
{
	EVP_PKEY *k = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, sk, 32);
	EVP_PKEY *p = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, pk, 32);
	EVP_PKEY_CTX *c = k ? EVP_PKEY_CTX_new(k, NULL) : NULL;
	size_t len = 32;
	int ok = c && p && EVP_PKEY_derive_init(c) > 0 && EVP_PKEY_derive_set_peer(c, p) > 0 &&
		 EVP_PKEY_derive(c, out, &len) > 0 && len == 32;
	EVP_PKEY_CTX_free(c);
	EVP_PKEY_free(p);
	EVP_PKEY_free(k);
	if (ok) {   /* a low-order point gives all zeros: refused, as age does */
		unsigned char z = 0;
		for (int i = 0; i < 32; i++)
			z |= out[i];
		ok = z != 0;
	}
	return ok ? 0 : -EIO;
}

static int aead(int enc, const unsigned char key[32], const unsigned char nonce[12],
		const unsigned char *in, size_t n, unsigned char *out)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int len = 0, fl = 0;
	size_t body = enc ? n : n - AGE_TAG;
	int ok = c && (enc || n >= AGE_TAG) &&
		 EVP_CipherInit_ex(c, EVP_chacha20_poly1305(), NULL, NULL, NULL, enc) > 0 &&
		 EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) > 0 &&
		 EVP_CipherInit_ex(c, NULL, NULL, key, nonce, enc) > 0 &&
		 (enc || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, AGE_TAG,
					     (void *)(in + body)) > 0) &&
		 EVP_CipherUpdate(c, out, &len, in, (int)body) > 0 &&
		 EVP_CipherFinal_ex(c, out + len, &fl) > 0 &&
		 (!enc || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, AGE_TAG, out + body) > 0);
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : enc ? -EIO : -EBADMSG;
}

int age_seal(const unsigned char key[32], const unsigned char nonce[12], const void *in,
	     size_t n, unsigned char *out)
{
	return aead(1, key, nonce, in, n, out);
}

int age_open(const unsigned char key[32], const unsigned char nonce[12], const void *in,
	     size_t n, unsigned char *out)
{
	return aead(0, key, nonce, in, n, out);
}

int age_hmac(const unsigned char key[32], const void *p, size_t n, unsigned char out[32])
{
	size_t len = 0;
	return EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, 32, p, n, out, 32, &len) &&
	       len == 32 ? 0 : -EIO;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t age_b64(const unsigned char *in, size_t n, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0) |
			     (i + 2 < n ? in[i + 2] : 0);
		out[o++] = b64[v >> 18 & 63];
		out[o++] = b64[v >> 12 & 63];
		if (i + 1 < n)
			out[o++] = b64[v >> 6 & 63];
		if (i + 2 < n)
			out[o++] = b64[v & 63];
	}
	out[o] = '\0';
	return o;
}

long age_unb64(const char *in, size_t n, unsigned char *out, size_t room)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t o = 0;

	if (n % 4 == 1)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const char *c = memchr(b64, in[i], 64);
		if (!c || !in[i])
			return -1;
		acc = acc << 6 | (uint32_t)(c - b64);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o == room)
				return -1;
			out[o++] = (unsigned char)(acc >> bits);
		}
	}
	if (acc & ((1u << bits) - 1))
		return -1;   /* not canonical: stray low bits */
	return (long)o;
}

void age_stream_nonce(uint64_t counter, int last, unsigned char nonce[12])
{
	memset(nonce, 0, 12);
	for (int i = 0; i < 8; i++)
		nonce[10 - i] = (unsigned char)(counter >> (8 * i));
	nonce[11] = last ? 1 : 0;
}
