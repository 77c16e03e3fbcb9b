/* pscan.c - ordered parallel work over items (pscan.h). */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>

#include "pscan.h"
#include "banned.h"

#define WINDOW 8                 /* chunks in flight at most */
#define MAX_THREADS PSCAN_MAX_THREADS
#define DEFAULT_MAX 4


struct state {
	const struct pscan *ps;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	size_t nchunks, next_claim, next_merge, done_items;
	void *slot[WINDOW];          /* finished chunk outputs, by index % WINDOW */
	bool filled[WINDOW];
	bool stopped;
	int err;
};

unsigned pscan_default_threads(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return 1;
	int n = CPU_COUNT(&set);
	return n < 1 ? 1 : n > DEFAULT_MAX ? DEFAULT_MAX : (unsigned)n;
}

int pscan_thread(pthread_t *th, void *(*fn)(void *), void *arg)
{
	pthread_attr_t at;
	int r = pthread_attr_init(&at);

	if (r)
		return -r;
	r = pthread_attr_setstacksize(&at, PSCAN_STACK);
	if (r == 0)
		r = pthread_create(th, &at, fn, arg);
	pthread_attr_destroy(&at);
	return -r;
}

/* Merge every finished chunk that is next in order. Called locked. */
static void merge_ready(struct state *s)
{
	while (s->next_merge < s->nchunks && s->filled[s->next_merge % WINDOW]) {
		size_t k = s->next_merge % WINDOW;
		void *out = s->slot[k];
		s->slot[k] = NULL;
		s->filled[k] = false;
		if (out)
			s->ps->merge(s->ps->ctx, out);
		s->next_merge++;
	}
	pthread_cond_broadcast(&s->cv);
}

static void *worker(void *arg)
{
	struct state *s = arg;
	const struct pscan *ps = s->ps;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		if (s->next_claim >= s->nchunks)
			break;
		if (!s->stopped && ps->stop && ps->stop(ps->ctx))
			s->stopped = true;
		size_t c = s->next_claim++;
		while (c >= s->next_merge + WINDOW)
			pthread_cond_wait(&s->cv, &s->mu);
		bool skip = s->stopped;
		pthread_mutex_unlock(&s->mu);

		void *out = skip ? NULL : ps->new_out(ps->ctx);
		size_t first = c * ps->chunk, n = 0;
		if (out) {
			for (size_t i = first; i < ps->nitems && i < first + ps->chunk; i++, n++)
				ps->work(ps->ctx, i, out);
			if (ps->finish)
				ps->finish(ps->ctx, out);
		}

		pthread_mutex_lock(&s->mu);
		if (!out && !skip)
			s->err = -ENOMEM;
		s->done_items += n;
		s->slot[c % WINDOW] = out;
		s->filled[c % WINDOW] = true;
		merge_ready(s);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

int pscan_run(const struct pscan *ps, size_t *ret_done)
{
	struct state s = { .ps = ps };
	pthread_t th[MAX_THREADS];
	unsigned want = ps->threads ? ps->threads : pscan_default_threads(), started = 0;

	if (want > MAX_THREADS)
		want = MAX_THREADS;

	if (want > MAX_THREADS)
		want = MAX_THREADS;
	s.nchunks = ps->chunk ? (ps->nitems + ps->chunk - 1) / ps->chunk : 0;
	pthread_mutex_init(&s.mu, NULL);
	pthread_cond_init(&s.cv, NULL);
	for (unsigned i = 1; i < want && s.nchunks > 1; i++)
		if (pscan_thread(&th[started], worker, &s) == 0)
			started++;
	worker(&s);
	for (unsigned i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_destroy(&s.mu);
	pthread_cond_destroy(&s.cv);
	if (ret_done)
		*ret_done = s.done_items;
	return s.err;
}
