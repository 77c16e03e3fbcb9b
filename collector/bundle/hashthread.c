/* hashthread.c - stream hashing on a helper thread (hashthread.h). */
#include <errno.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "hashthread.h"
#include "pscan.h"
#include "textutil.h"
#include "banned.h"

#define RING (8u << 20)

struct hashthread {
	EVP_MD_CTX *ctx;
	pthread_t th;
	bool threaded, done;
	int err;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	unsigned char *ring;
	size_t head, tail;       /* bytes produced / consumed, modulo nothing */
};

static void *consume(void *arg)
{
	struct hashthread *h = arg;

	pthread_mutex_lock(&h->mu);
	for (;;) {
		while (h->head == h->tail && !h->done)
			pthread_cond_wait(&h->cv, &h->mu);
		if (h->head == h->tail && h->done)
			break;
		size_t start = h->tail % RING, avail = h->head - h->tail;
		size_t n = avail < RING - start ? avail : RING - start;
		pthread_mutex_unlock(&h->mu);
		int ok = EVP_DigestUpdate(h->ctx, h->ring + start, n) == 1;
		pthread_mutex_lock(&h->mu);
		if (!ok)
			h->err = -EIO;
		h->tail += n;
		pthread_cond_broadcast(&h->cv);
	}
	pthread_mutex_unlock(&h->mu);
	return NULL;
}

int hashthread_start(struct hashthread **ret)
{
	struct hashthread *h = calloc(1, sizeof(*h));

	if (!h)
		return -ENOMEM;
	h->ctx = EVP_MD_CTX_new();
	if (!h->ctx || EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(h->ctx);
		free(h);
		return -EIO;
	}
	h->ring = malloc(RING);
	if (h->ring && pthread_mutex_init(&h->mu, NULL) == 0 &&
	    pthread_cond_init(&h->cv, NULL) == 0 && pscan_thread(&h->th, consume, h) == 0)
		h->threaded = true;
	*ret = h;
	return 0;
}

int hashthread_feed(struct hashthread *h, const void *data, size_t n)
{
	const unsigned char *p = data;

	if (!h->threaded)
		return EVP_DigestUpdate(h->ctx, data, n) == 1 ? 0 : -EIO;
	pthread_mutex_lock(&h->mu);
	while (n) {
		while (h->head - h->tail == RING)
			pthread_cond_wait(&h->cv, &h->mu);
		size_t start = h->head % RING, room = RING - (h->head - h->tail);
		size_t take = n < room ? n : room;
		if (take > RING - start)
			take = RING - start;
		memcpy(h->ring + start, p, take);
		h->head += take;
		p += take;
		n -= take;
		pthread_cond_broadcast(&h->cv);
	}
	int err = h->err;
	pthread_mutex_unlock(&h->mu);
	return err;
}

int hashthread_finish(struct hashthread *h, char ret_hex[65])
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
		r = h->err;
	}
	if (EVP_DigestFinal_ex(h->ctx, md, &mdlen) == 1 && mdlen == 32 && r == 0)
		hex_encode(ret_hex, md, 32);
	else {
		ret_hex[0] = '\0';
		r = r ? r : -EIO;
	}
	EVP_MD_CTX_free(h->ctx);
	free(h->ring);
	free(h);
	return r;
}
