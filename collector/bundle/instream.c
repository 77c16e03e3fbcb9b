/* instream.c - a bundle's bytes, hashed, decrypted, decompressed (instream.h). */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agecrypt.h"
#include "hashthread.h"
#include "instream.h"
#include "unpack.h"
#include "banned.h"

#define RBUF (1u << 20)
#define AGE_MAGIC_TEXT "age-encryption.org/v1\n"

struct instream {
	int fd;
	struct hashthread *hash;
	unsigned char sk[32];
	bool have_sk, checked, locked;   /* locked: encrypted to a key we lack */
	uint64_t total;
	/* a block read before the layer under it was known: given again */
	const unsigned char *first, *dfirst;
	size_t first_len, dfirst_len;
	struct agereader *age;
	unsigned char *abuf;         /* decrypted bytes */
	struct unpacker *z;
	unsigned char *zbuf;         /* decompressed bytes */
	unsigned char tail[4];       /* the compressed stream's last 4 bytes */
	char why[256], layers[24];
};

/* The input's next block, read into a slot of the hash thread's ring and
 * hashed there while it is used. */
static ssize_t raw(struct instream *s, const void **out)
{
	if (s->first) {
		*out = s->first;
		s->first = NULL;
		return (ssize_t)s->first_len;
	}
	unsigned char *b = hashthread_claim(s->hash);
	ssize_t n;
	for (;;) {
		n = read(s->fd, b, RBUF);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			struct pollfd p = { .fd = s->fd, .events = POLLIN };
			poll(&p, 1, -1);
			continue;
		}
		break;
	}
	if (n < 0)
		return -errno;
	if (n > 0 && hashthread_publish(s->hash, (size_t)n) < 0)
		return -EIO;
	s->total += (uint64_t)n;
	*out = b;
	return n;
}

static ssize_t raw_cb(void *ctx, const void **buf) { return raw(ctx, buf); }

/* The decrypted stream's next block (the raw one when not encrypted). */
static ssize_t dec(struct instream *s, const void **out)
{
	ssize_t n;
	if (s->dfirst) {
		*out = s->dfirst;
		s->dfirst = NULL;
		n = (ssize_t)s->dfirst_len;
	} else if (s->age) {
		n = agereader_read(s->age, s->abuf, RBUF);
		*out = s->abuf;
		if (n == -EBADMSG)
			snprintf(s->why, sizeof(s->why), "the encrypted stream does not authenticate "
				 "(a changed, reordered or missing chunk)");
	} else {
		n = raw(s, out);
	}
	for (ssize_t i = n > 4 ? n - 4 : 0; i < n; i++) {   /* gzip's ISIZE, later */
		memmove(s->tail, s->tail + 1, 3);
		s->tail[3] = ((const unsigned char *)*out)[i];
	}
	return n;
}

static ssize_t dec_cb(void *ctx, const void **buf) { return dec(ctx, buf); }

static bool zmagic(const unsigned char *p, size_t n)
{
	return (n >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd) ||
	       (n >= 2 && p[0] == 0x1f && p[1] == 0x8b);
}

/* The first blocks: which layers the bundle has. */
static int layers(struct instream *s)
{
	const void *p;
	ssize_t n = raw(s, &p);
	size_t ml = sizeof(AGE_MAGIC_TEXT) - 1;

	s->checked = true;
	if (n <= 0)
		return (int)n;
	s->first = p;
	s->first_len = (size_t)n;
	if ((size_t)n >= ml && !memcmp(p, AGE_MAGIC_TEXT, ml)) {
		if (!s->have_sk) {
			snprintf(s->why, sizeof(s->why), "the bundle is encrypted (age): give the "
				 "lab's identity (--identity FILE)");
			s->locked = true;
			return -ENOKEY;
		}
		if (!(s->abuf = malloc(RBUF)))
			return -ENOMEM;
		int r = agereader_open(&s->age, s->sk, raw_cb, s);
		if (r < 0) {
			snprintf(s->why, sizeof(s->why), r == -ENOKEY ? "the bundle is encrypted (age) "
				 "to other recipients than this identity" : "its age header does not hold "
				 "(a changed byte, or not made by age)");
			s->locked = r == -ENOKEY;
			return r == -ENOKEY ? r : -EBADMSG;
		}
		snprintf(s->layers, sizeof(s->layers), "age");
	}
	n = dec(s, &p);
	if (n <= 0)
		return (int)n;
	s->dfirst = p;
	s->dfirst_len = (size_t)n;
	if (zmagic(p, (size_t)n)) {
		if (!(s->zbuf = malloc(RBUF)))
			return -ENOMEM;
		int r = unpack_open_cb(&s->z, dec_cb, s, UINT64_MAX);
		if (r < 0) {
			snprintf(s->why, sizeof(s->why), "its compressed stream cannot be read (%s)",
				 s->z ? unpack_error(s->z) : "no memory");
			return r == -ENOMEM ? r : -EBADMSG;
		}
		size_t l = strlen(s->layers);
		snprintf(s->layers + l, sizeof(s->layers) - l, "%s%s", l ? "+" : "", unpack_filter(s->z));
	}
	return 0;
}

int instream_open(struct instream **ret, int fd, struct hashthread *hash, const unsigned char *sk)
{
	struct instream *s = calloc(1, sizeof(*s));

	*ret = s;
	if (!s)
		return -ENOMEM;
	s->fd = fd;
	s->hash = hash;
	if (sk) {
		memcpy(s->sk, sk, 32);
		s->have_sk = true;
	}
	return 0;
}

ssize_t instream_block(struct instream *s, const unsigned char **p)
{
	const void *v = NULL;
	ssize_t n;

	if (!s->checked && (n = layers(s)) < 0)
		return n;
	if (s->z) {
		n = unpack_read(s->z, s->zbuf, RBUF);
		v = s->zbuf;
		if (n < 0 && !s->why[0])
			snprintf(s->why, sizeof(s->why), "the compressed stream is corrupt or "
				 "truncated (%s)", unpack_error(s->z));
		if (n < 0)
			n = -EBADMSG;
	} else {
		n = dec(s, &v);
		if (n == -EBADMSG && !s->why[0])
			snprintf(s->why, sizeof(s->why), "the encrypted stream is cut or changed");
	}
	*p = v;
	return n;
}

int instream_finish(struct instream *s)
{
	const void *p;
	ssize_t n;
	uint64_t extra = 0;

	if (!s->checked)
		return 0;
	if (s->locked) {   /* unreadable to us: its hash and size still whole */
		while (raw(s, &p) > 0)
			;
		return 0;
	}
	if (s->z) {   /* what the decompressor left of the decrypted stream */
		while ((n = dec(s, &p)) > 0)
			extra += (uint64_t)n;
		uint32_t isize = (uint32_t)s->tail[0] | (uint32_t)s->tail[1] << 8 |
				 (uint32_t)s->tail[2] << 16 | (uint32_t)s->tail[3] << 24;
		/* gzip's reader drops what follows its member unseen */
		if (!strcmp(unpack_filter(s->z), "gzip") && isize != (uint32_t)unpack_out_bytes(s->z))
			extra++;
	}
	if (s->age || s->z)   /* the input's rest, for its hash */
		while ((n = raw(s, &p)) > 0)
			extra += (uint64_t)n;
	if (!extra)
		return 0;
	snprintf(s->why, sizeof(s->why), "bytes after the end of the %s stream",
		 s->age ? "encrypted" : "compressed");
	return -EBADMSG;
}

const char *instream_why(const struct instream *s)
{
	return s->why[0] ? s->why : "no reason";
}

uint64_t instream_total(const struct instream *s)
{
	return s->total;
}

const char *instream_layers(const struct instream *s)
{
	return s->layers;
}

void instream_close(struct instream *s)
{
	if (!s)
		return;
	unpack_close(s->z);
	agereader_close(s->age);
	free(s->zbuf);
	free(s->abuf);
	explicit_bzero(s->sk, sizeof(s->sk));
	free(s);
}
