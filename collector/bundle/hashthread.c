/* hashthread.c - the output written and hashed on a helper thread, in place
 * (hashthread.h). */
#include <errno.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hashthread.h"
#include "pscan.h"
#include "agecrypt.h"
#include "zwrite.h"
#include "textutil.h"
#include "banned.h"

/* Four slots (of 1000 KiB, bundle.c): measured against eight, 1 GiB of
 * logs to a pipe was no slower (medians 0.85 / 0.90 s and 0.90 / 0.96 s,
 * seven interleaved runs each way), and every run holds 4 MB less locked
 * memory once its bundle passes 4 MB. */
#define SLOTS 4

struct hashthread {
	EVP_MD_CTX *ctx;
	pthread_t th;
	bool threaded, done;
	int err;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int fd;                  /* each slot written here first; -1: hash only */
	struct zwriter *z;       /* compressing, then */
	struct agewriter *age;   /* encrypting: the hash is of what is written */
	uint64_t written;
	unsigned char *mem;      /* SLOTS slots of slot_bytes */
	size_t slot_bytes;
	size_t len[SLOTS];       /* what each published slot holds */
	size_t head, tail;       /* slots published / hashed */
};

/* A slot out to the fd: short writes looped, EINTR retried. */
static int write_all(int fd, const unsigned char *p, size_t left)
{
	while (left) {
		ssize_t n = write(fd, p, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		p += n;
		left -= (size_t)n;
	}
	return 0;
}

/* Bytes as they go to the fd: written, counted, hashed. */
static int out(void *v, const void *p, size_t n)
{
	struct hashthread *h = v;
	int e = __atomic_load_n(&h->err, __ATOMIC_RELAXED);   /* nothing after a failed write */
	if (e < 0)
		return e;
	e = write_all(h->fd, p, n);
	if (e < 0)
		return e;
	h->written += n;
	return EVP_DigestUpdate(h->ctx, p, n) == 1 ? 0 : -EIO;
}

/* Bytes after the compressor: encrypted (when asked), then out. */
static int enc(void *v, const void *p, size_t n)
{
	struct hashthread *h = v;
	return h->age ? agewriter_write(h->age, p, n) : out(h, p, n);
}

/* One slot: compressed and encrypted (when asked), written (unless an
 * earlier write failed) and hashed as written; without an fd, hashed. */
static int one_slot(struct hashthread *h, const unsigned char *p, size_t n, int err)
{
	if (h->fd < 0)
		return EVP_DigestUpdate(h->ctx, p, n) == 1 ? 0 : -EIO;
	if (err)
		return 0;
	return h->z ? zwriter_write(h->z, p, n) : enc(h, p, n);
}

static void *consume(void *arg)
{
	struct hashthread *h = arg;

	pthread_mutex_lock(&h->mu);
	for (;;) {
		while (h->head == h->tail && !h->done)
			pthread_cond_wait(&h->cv, &h->mu);
		if (h->head == h->tail && h->done)
			break;
		size_t k = h->tail % SLOTS;
		int err = h->err;
		pthread_mutex_unlock(&h->mu);
		int e = one_slot(h, h->mem + k * h->slot_bytes, h->len[k], err);
		pthread_mutex_lock(&h->mu);
		if (e < 0 && !h->err)
			__atomic_store_n(&h->err, e, __ATOMIC_RELAXED);
		h->tail++;
		pthread_cond_broadcast(&h->cv);
	}
	pthread_mutex_unlock(&h->mu);
	return NULL;
}

int hashthread_start(struct hashthread **ret, size_t slot_bytes, int fd,
		     const struct hash_out *o)
{
	const char *compress = o ? o->compress : NULL;
	struct hashthread *h = calloc(1, sizeof(*h));

	if (!h)
		return -ENOMEM;
	h->fd = fd;
	h->slot_bytes = slot_bytes;
	h->ctx = EVP_MD_CTX_new();
	h->mem = malloc(SLOTS * slot_bytes);
	int r = !h->ctx || !h->mem ? -ENOMEM :
		EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1 ? -EIO : 0;
	/* the age header goes out now (it is the stream's first bytes) */
	if (r == 0 && o && o->nage && fd >= 0)
		r = agewriter_open(&h->age, o->age, o->nage, out, h);
	if (r == 0 && compress && fd >= 0)
		r = zwriter_open(&h->z, compress, enc, h);
	if (r < 0) {
		if (h->age)
			agewriter_close(h->age);
		EVP_MD_CTX_free(h->ctx);
		free(h->mem);
		free(h);
		return r;
	}
	if (pthread_mutex_init(&h->mu, NULL) == 0) {
		if (pthread_cond_init(&h->cv, NULL) == 0 && pscan_thread(&h->th, consume, h) == 0)
			h->threaded = true;
		if (!h->threaded)
			pthread_mutex_destroy(&h->mu);
	}
	*ret = h;
	return 0;
}

unsigned char *hashthread_claim(struct hashthread *h)
{
	if (!h->threaded)
		return h->mem;   /* one slot, hashed inline when published */
	pthread_mutex_lock(&h->mu);
	while (h->head - h->tail == SLOTS)
		pthread_cond_wait(&h->cv, &h->mu);
	unsigned char *p = h->mem + (h->head % SLOTS) * h->slot_bytes;
	pthread_mutex_unlock(&h->mu);
	return p;
}

int hashthread_publish(struct hashthread *h, size_t n)
{
	if (!h->threaded) {
		int e = h->err ? h->err : one_slot(h, h->mem, n, 0);
		if (e < 0 && !h->err)
			__atomic_store_n(&h->err, e, __ATOMIC_RELAXED);
		return e;
	}
	pthread_mutex_lock(&h->mu);
	h->len[h->head % SLOTS] = n;
	h->head++;
	pthread_cond_broadcast(&h->cv);
	int err = h->err;
	pthread_mutex_unlock(&h->mu);
	return err;
}

int hashthread_error(struct hashthread *h)
{
	return __atomic_load_n(&h->err, __ATOMIC_RELAXED);
}

int hashthread_finish(struct hashthread *h, char ret_hex[65], uint64_t *ret_written)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	int r = 0;

	if (h->threaded) {
		pthread_mutex_lock(&h->mu);
		h->done = true;
		pthread_cond_broadcast(&h->cv);
		pthread_mutex_unlock(&h->mu);
		pthread_join(h->th, NULL);
		pthread_mutex_destroy(&h->mu);
		pthread_cond_destroy(&h->cv);
	}
	r = h->err;   /* the helper's, or the inline publishes' */
	if (h->z) {   /* the compressor's last bytes, written and hashed */
		int e = zwriter_close(h->z);
		if (r == 0)
			r = e;
	}
	if (h->age) {   /* the last chunk, sealed as the last */
		int e = r ? (agewriter_close(h->age), r) : agewriter_close(h->age);
		if (r == 0)
			r = e;
	}
	if (ret_written)
		*ret_written = h->written;
	if (EVP_DigestFinal_ex(h->ctx, md, &mdlen) == 1 && mdlen == 32 && r == 0)
		hex_encode(ret_hex, md, 32);
	else {
		ret_hex[0] = '\0';
		r = r ? r : -EIO;
	}
	EVP_MD_CTX_free(h->ctx);
	free(h->mem);
	free(h);
	return r;
}
