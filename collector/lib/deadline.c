/* deadline.c - calls that may never return, on threads of their own (deadline.h). */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "deadline.h"
#include "pscan.h"
#include "banned.h"

#define POLL_MS 50

struct job {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	void (*fn)(void *);
	int refs;                 /* the caller's and the thread's */
	bool done;
	size_t size;
	_Alignas(max_align_t) unsigned char arg[];
};

static atomic_uint abandoned;

static void job_put(struct job *j)
{
	pthread_mutex_lock(&j->mu);
	bool last = --j->refs == 0;
	pthread_mutex_unlock(&j->mu);
	if (last) {
		pthread_cond_destroy(&j->cv);
		pthread_mutex_destroy(&j->mu);
		free(j);
	}
}

static void *job_main(void *v)
{
	struct job *j = v;

	j->fn(j->arg);
	pthread_mutex_lock(&j->mu);
	j->done = true;
	pthread_cond_signal(&j->cv);
	pthread_mutex_unlock(&j->mu);
	job_put(j);
	return NULL;
}

static unsigned ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	long long ms = (t.tv_sec - t0->tv_sec) * 1000LL + (t.tv_nsec - t0->tv_nsec) / 1000000;
	return ms < 0 ? 0 : (unsigned)ms;
}

int deadline_run(void (*fn)(void *arg), void *arg, size_t size, unsigned ms,
		 deadline_stop_fn stop, void *ctx, unsigned *waited_ms)
{
	struct job *j;
	pthread_condattr_t ca;
	pthread_t th;
	struct timespec t0;
	int ret = 0;

	if (waited_ms)
		*waited_ms = 0;
	if (stop && stop(ctx))
		return -ECANCELED;   /* the run is stopping: start nothing new */
	j = malloc(sizeof(*j) + size);
	if (!j)
		return -ENOMEM;
	memset(j, 0, sizeof(*j));
	pthread_mutex_init(&j->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&j->cv, &ca);
	pthread_condattr_destroy(&ca);
	j->fn = fn;
	j->refs = 2;
	j->size = size;
	memcpy(j->arg, arg, size);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (pscan_thread(&th, job_main, j) < 0) {
		j->refs = 1;
		job_put(j);
		return -EAGAIN;
	}
	pthread_detach(th);
	pthread_mutex_lock(&j->mu);
	while (!j->done) {
		unsigned spent = ms_since(&t0);
		if (spent >= ms) {
			ret = -ETIMEDOUT;
			break;
		}
		if (stop && stop(ctx)) {
			ret = -EINTR;
			break;
		}
		unsigned step = ms - spent < POLL_MS ? ms - spent : POLL_MS;
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += (long)step * 1000000L;
		until.tv_sec += until.tv_nsec / 1000000000L;
		until.tv_nsec %= 1000000000L;
		pthread_cond_timedwait(&j->cv, &j->mu, &until);
	}
	if (ret == 0)
		memcpy(arg, j->arg, size);
	pthread_mutex_unlock(&j->mu);
	if (ret < 0)
		atomic_fetch_add(&abandoned, 1);
	if (waited_ms)
		*waited_ms = ms_since(&t0);
	job_put(j);
	return ret;
}

unsigned deadline_abandoned(void)
{
	return atomic_load(&abandoned);
}
