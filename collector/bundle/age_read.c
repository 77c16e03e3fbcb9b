/*
 * age_read.c - an age stream decrypted with one X25519 identity
 * (agecrypt.h): the header parsed and its MAC checked before any payload
 * byte is given, then the STREAM chunks opened in order; a chunk that does
 * not authenticate, a missing last chunk or a byte after it ends the
 * stream with -EBADMSG.
 */
#include <errno.h>
#include <openssl/crypto.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "age_int.h"
#include "banned.h"

#define HEADER_MAX (1u << 16)

struct agereader {
	ssize_t (*read)(void *ctx, const void **buf);
	void *ctx;
	const unsigned char *in;          /* the input block being used */
	size_t inlen;
	bool eof, done;
	int err;
	unsigned char key[32];
	uint64_t counter;
	unsigned char ct[AGE_CHUNK + AGE_TAG + 1];
	unsigned char pt[AGE_CHUNK];
	size_t ptlen, ptpos;
};

/* The next input byte, or -1 at the end (or an error, in a->err). */
static int next_byte(struct agereader *a)
{
	while (!a->inlen && !a->eof) {
		const void *p;
		ssize_t n = a->read(a->ctx, &p);
		if (n < 0) {
			a->err = (int)n;
			a->eof = true;
		} else if (n == 0) {
			a->eof = true;
		} else {
			a->in = p;
			a->inlen = (size_t)n;
		}
	}
	if (!a->inlen)
		return -1;
	a->inlen--;
	return *a->in++;
}

/* One X25519 stanza's body against the identity: the file key, or not. */
static int unwrap(const unsigned char sk[32], const unsigned char pk[32], const char *share_b64,
		  size_t share_len, const char *body_b64, size_t body_len,
		  unsigned char fk[AGE_FILE_KEY])
{
	unsigned char share[33], body[AGE_FILE_KEY + AGE_TAG + 1], shared[32], salt[64], wrap[32];
	static const unsigned char zero[12];
	if (age_unb64(share_b64, share_len, share, sizeof(share)) != 32 ||
	    age_unb64(body_b64, body_len, body, sizeof(body)) != AGE_FILE_KEY + AGE_TAG)
		return -EBADMSG;
	memcpy(salt, share, 32);
	memcpy(salt + 32, pk, 32);
	int r = age_x25519(sk, share, shared);
	if (r == 0)
		r = age_hkdf(shared, 32, salt, 64, AGE_X25519_INFO, wrap);
	if (r == 0)
		r = age_open(wrap, zero, body, sizeof(body) - 1, fk);
	OPENSSL_cleanse(shared, sizeof(shared));
	OPENSSL_cleanse(wrap, sizeof(wrap));
	return r;
}

/* The header, whole: the file key from a stanza for sk, the MAC checked,
 * the nonce read; the payload key made. */
static int header(struct agereader *a, const unsigned char sk[32])
{
	char *h = malloc(HEADER_MAX + 1);
	size_t n = 0, mac_at = 0;
	unsigned char fk[AGE_FILE_KEY], pk[32], mk[32], mac[32], want[33], nonce[16];
	bool have = false;
	int r = -EBADMSG;

	if (!h)
		return -ENOMEM;
	/* lines up to and with "--- <mac>\n" */
	for (size_t line = 0; n < HEADER_MAX;) {
		int c = next_byte(a);
		if (c < 0)
			break;
		h[n++] = (char)c;
		if (c != '\n')
			continue;
		if (n - line > 4 && !memcmp(h + line, "--- ", 4)) {
			mac_at = line;
			break;
		}
		line = n;
	}
	h[n] = '\0';
	if (!mac_at || n < sizeof(AGE_MAGIC) - 1 || memcmp(h, AGE_MAGIC, sizeof(AGE_MAGIC) - 1) ||
	    age_x25519_public(sk, pk) < 0)
		goto out;
	/* each "-> X25519 <share>" stanza and its body line */
	for (char *p = h + sizeof(AGE_MAGIC) - 1; p < h + mac_at;) {
		char *eol = strchr(p, '\n');
		if (!eol || strncmp(p, "-> ", 3))
			goto out;
		char *body = eol + 1, *bend = strchr(body, '\n');
		if (!bend || bend > h + mac_at)
			goto out;
		if (!have && !strncmp(p, "-> X25519 ", 10) &&
		    unwrap(sk, pk, p + 10, (size_t)(eol - p - 10), body, (size_t)(bend - body), fk) == 0)
			have = true;
		/* another kind's body may take lines of 64: skip to the next "-> " */
		p = bend + 1;
		while (p < h + mac_at && strncmp(p, "-> ", 3)) {
			char *e = strchr(p, '\n');
			if (!e)
				goto out;
			p = e + 1;
		}
	}
	if (!have) {
		r = -ENOKEY;
		goto out;
	}
	size_t ml = n - mac_at - 5;   /* "--- " and "\n" */
	if (age_hkdf(fk, sizeof(fk), NULL, 0, "header", mk) < 0 ||
	    age_hmac(mk, h, mac_at + 3, mac) < 0 || age_unb64(h + mac_at + 4, ml, want, sizeof(want)) != 32 ||
	    CRYPTO_memcmp(mac, want, 32) != 0)
		goto out;
	for (size_t i = 0; i < sizeof(nonce); i++) {
		int c = next_byte(a);
		if (c < 0)
			goto out;
		nonce[i] = (unsigned char)c;
	}
	r = age_hkdf(fk, sizeof(fk), nonce, sizeof(nonce), "payload", a->key);
out:
	OPENSSL_cleanse(fk, sizeof(fk));
	free(h);
	return a->err ? a->err : r;
}

int agereader_open(struct agereader **ret, const unsigned char sk[AGE_KEY_LEN],
		   ssize_t (*read_fn)(void *ctx, const void **buf), void *ctx)
{
	struct agereader *a = calloc(1, sizeof(*a));

	*ret = NULL;
	if (!a)
		return -ENOMEM;
	a->read = read_fn;
	a->ctx = ctx;
	int r = header(a, sk);
	if (r < 0) {
		agereader_close(a);
		return r;
	}
	*ret = a;
	return 0;
}

/* The next chunk into pt: 0, or -EBADMSG. */
static int next_chunk(struct agereader *a)
{
	size_t n = 0;
	int c;
	unsigned char nonce[12];

	/* one byte more than a full chunk: whether another follows */
	while (n < sizeof(a->ct)) {
		if (!a->inlen) {   /* next_byte refills the block, or says the end */
			if ((c = next_byte(a)) < 0)
				break;
			a->ct[n++] = (unsigned char)c;
			continue;
		}
		size_t k = sizeof(a->ct) - n < a->inlen ? sizeof(a->ct) - n : a->inlen;
		memcpy(a->ct + n, a->in, k);
		a->in += k;
		a->inlen -= k;
		n += k;
	}
	if (a->err)
		return a->err;
	bool more = n == sizeof(a->ct);
	size_t len = more ? n - 1 : n;
	if (len < AGE_TAG || (more && len != AGE_CHUNK + AGE_TAG))
		return -EBADMSG;
	age_stream_nonce(a->counter, !more, nonce);
	if (age_open(a->key, nonce, a->ct, len, a->pt) < 0)
		return -EBADMSG;   /* forged, reordered, cut, or a last chunk not marked */
	a->counter++;
	a->ptlen = len - AGE_TAG;
	a->ptpos = 0;
	if (more) {   /* the byte read ahead starts the next chunk */
		a->in--;
		a->inlen++;
	} else {
		a->done = true;
	}
	return 0;
}

ssize_t agereader_read(struct agereader *a, void *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		if (a->ptpos == a->ptlen) {
			if (a->done)
				break;
			int r = next_chunk(a);
			if (r < 0)
				return got ? (ssize_t)got : r;
		}
		size_t k = a->ptlen - a->ptpos < n - got ? a->ptlen - a->ptpos : n - got;
		memcpy((char *)buf + got, a->pt + a->ptpos, k);
		a->ptpos += k;
		got += k;
	}
	return (ssize_t)got;
}

void agereader_close(struct agereader *a)
{
	if (!a)
		return;
	OPENSSL_cleanse(a, sizeof(*a));
	free(a);
}
