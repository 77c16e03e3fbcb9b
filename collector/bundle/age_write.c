/*
 * age_write.c - a stream encrypted to age X25519 recipients (agecrypt.h).
 * Only the recipients' public keys travel with irsnap; the file key is
 * random per bundle, wrapped once per recipient, and wiped at the end.
 */
#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

#include "age_int.h"
#include "capbuf.h"
#include "banned.h"

struct agewriter {
	unsigned char key[32];            /* the payload key */
	uint64_t counter;
	unsigned char buf[AGE_CHUNK];     /* the chunk being filled */
	size_t fill;
	unsigned char out[AGE_CHUNK + AGE_TAG];
	int (*sink)(void *ctx, const void *p, size_t n);
	void *ctx;
	int err;
};

/* "-> X25519 <share>\n<wrapped file key>\n" for one recipient. */
static int stanza(struct capbuf *h, const unsigned char pk[32], const unsigned char fk[16])
{
	unsigned char e[32], share[32] = { 0 }, shared[32] = { 0 }, salt[64], wrap[32] = { 0 };
	unsigned char body[AGE_FILE_KEY + AGE_TAG];
	char t[64];
	int r = RAND_bytes(e, sizeof(e)) == 1 ? 0 : -EIO;

	if (r == 0)
		r = age_x25519_public(e, share);
	if (r == 0)
		r = age_x25519(e, pk, shared);
	memcpy(salt, share, 32);
	memcpy(salt + 32, pk, 32);
	if (r == 0)
		r = age_hkdf(shared, 32, salt, 64, AGE_X25519_INFO, wrap);
	static const unsigned char zero[12];
	if (r == 0)
		r = age_seal(wrap, zero, fk, AGE_FILE_KEY, body);
	if (r == 0) {
		capbuf_addstr(h, "-> X25519 ");
		capbuf_add(h, t, age_b64(share, 32, t));
		capbuf_addstr(h, "\n");
		capbuf_add(h, t, age_b64(body, sizeof(body), t));   /* 43 < 64: one line */
		capbuf_addstr(h, "\n");
	}
	OPENSSL_cleanse(e, sizeof(e));
	OPENSSL_cleanse(shared, sizeof(shared));
	OPENSSL_cleanse(wrap, sizeof(wrap));
	return r;
}

int agewriter_open(struct agewriter **ret, const unsigned char (*pk)[AGE_KEY_LEN], size_t n,
		   int (*sink)(void *ctx, const void *p, size_t n), void *ctx)
{
	unsigned char fk[AGE_FILE_KEY], mk[32], mac[32], nonce[16];
	struct capbuf h;
	char t[64];
	int r = 0;

	*ret = NULL;
	if (!n)
		return -EINVAL;
	struct agewriter *a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->sink = sink;
	a->ctx = ctx;
	capbuf_init(&h, 1u << 20);
	capbuf_addstr(&h, AGE_MAGIC);
	if (RAND_bytes(fk, sizeof(fk)) != 1 || RAND_bytes(nonce, sizeof(nonce)) != 1)
		r = -EIO;
	for (size_t i = 0; r == 0 && i < n; i++)
		r = stanza(&h, pk[i], fk);
	capbuf_addstr(&h, "---");
	if (r == 0)
		r = age_hkdf(fk, sizeof(fk), NULL, 0, "header", mk);
	if (r == 0)
		r = age_hmac(mk, h.buf, h.len, mac);
	if (r == 0 && h.truncated)
		r = -ENOMEM;
	if (r == 0) {
		capbuf_addstr(&h, " ");
		capbuf_add(&h, t, age_b64(mac, 32, t));
		capbuf_addstr(&h, "\n");
		capbuf_add(&h, nonce, sizeof(nonce));
		r = age_hkdf(fk, sizeof(fk), nonce, sizeof(nonce), "payload", a->key);
	}
	if (r == 0 && !h.truncated)
		r = sink(ctx, h.buf, h.len);
	OPENSSL_cleanse(fk, sizeof(fk));
	OPENSSL_cleanse(mk, sizeof(mk));
	capbuf_release(&h);
	if (r < 0) {
		OPENSSL_cleanse(a, sizeof(*a));
		free(a);
		return r;
	}
	*ret = a;
	return 0;
}

/* The chunk held, sealed and given to the sink. */
static int seal_chunk(struct agewriter *a, int last)
{
	unsigned char nonce[12];

	age_stream_nonce(a->counter++, last, nonce);
	int r = age_seal(a->key, nonce, a->buf, a->fill, a->out);
	if (r == 0)
		r = a->sink(a->ctx, a->out, a->fill + AGE_TAG);
	a->fill = 0;
	return r;
}

int agewriter_write(struct agewriter *a, const void *p, size_t n)
{
	const unsigned char *c = p;

	while (n && !a->err) {
		/* a full chunk waits for the next byte: only then is it not the last */
		if (a->fill == AGE_CHUNK)
			a->err = seal_chunk(a, 0);
		size_t k = AGE_CHUNK - a->fill < n ? AGE_CHUNK - a->fill : n;
		memcpy(a->buf + a->fill, c, k);
		a->fill += k;
		c += k;
		n -= k;
	}
	return a->err;
}

int agewriter_close(struct agewriter *a)
{
	int r = a->err ? a->err : seal_chunk(a, 1);

	OPENSSL_cleanse(a, sizeof(*a));
	free(a);
	return r;
}
