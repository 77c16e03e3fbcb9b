/* progress.c - the responder's view of a collection (progress.h). */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"
#include "pscan.h"
#include "textutil.h"
#include "banned.h"

struct progress {
	enum progress_mode mode;
	int fd;
	size_t nsteps;
	pthread_mutex_t mu;          /* the step, the line on the terminal */
	pthread_cond_t cv;
	pthread_t th;
	bool threaded, stop, drawn;
	size_t step;
	char what[160];
	struct timespec step_start;
	uint64_t artifacts, bytes;   /* atomics */
};

static void put(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t k = write(fd, s, n);
		if (k <= 0)
			return;   /* a closed terminal: nothing to tell */
		s += k;
		n -= (size_t)k;
	}
}

static struct progress *shown_now;   /* the one on a terminal, for say() */
static pthread_mutex_t shown_mu = PTHREAD_MUTEX_INITIALIZER;

void progress_clear_line(void)
{
	pthread_mutex_lock(&shown_mu);
	struct progress *p = shown_now;
	if (p) {
		pthread_mutex_lock(&p->mu);
		if (p->drawn)
			put(p->fd, "\r\033[K", 4);
		p->drawn = false;
		pthread_mutex_unlock(&p->mu);
	}
	pthread_mutex_unlock(&shown_mu);
}

static double since(const struct timespec *t0)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

/* "1.2 GiB", "512 KiB" */
static void human(char *buf, size_t n, uint64_t v)
{
	static const char *const u[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double d = (double)v;
	int k = 0;
	while (d >= 1024 && k < 4) {
		d /= 1024;
		k++;
	}
	snprintf(buf, n, k ? "%.1f %s" : "%.0f %s", d, u[k]);
}

/* "23,410" */
static void grouped(char *buf, size_t n, uint64_t v)
{
	char raw[32];
	int len = snprintf(raw, sizeof(raw), "%llu", (unsigned long long)v);
	size_t o = 0;
	for (int i = 0; i < len && o + 2 < n; i++) {
		if (i && (len - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = raw[i];
	}
	buf[o] = '\0';
}

/* The status line, under mu: cut to the terminal's width (a wrapped line
 * cannot be rewritten in place). */
static void draw(struct progress *p)
{
	char line[512], bytes[32], arts[32];
	struct winsize ws;
	size_t width = 80;

	if (ioctl(p->fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 10)
		width = ws.ws_col;
	human(bytes, sizeof(bytes), __atomic_load_n(&p->bytes, __ATOMIC_RELAXED));
	grouped(arts, sizeof(arts), __atomic_load_n(&p->artifacts, __ATOMIC_RELAXED));
	int n = snprintf(line, sizeof(line), "\r[%zu/%zu] %s \xe2\x80\x94 %.1f s \xe2\x80\x94 %s "
			 "written \xe2\x80\x94 %s artifacts", p->step + 1, p->nsteps, p->what,
			 since(&p->step_start), bytes, arts);
	size_t len = n < 0 ? 0 : (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1;
	/* columns, not bytes: each em dash is three bytes and one column */
	size_t cols = 0, cut = len;
	for (size_t i = 1; i < len; i++) {
		if (((unsigned char)line[i] & 0xc0) != 0x80)
			cols++;
		if (cols >= width) {
			cut = i;
			break;
		}
	}
	put(p->fd, line, cut);
	put(p->fd, "\033[K", 3);
	p->drawn = true;
}

static void *ticker(void *arg)
{
	struct progress *p = arg;
	struct timespec until;

	pthread_mutex_lock(&p->mu);
	while (!p->stop) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 250000000;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&p->cv, &p->mu, &until);
		if (!p->stop && p->what[0])
			draw(p);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

struct progress *progress_start(enum progress_mode m, int fd, size_t nsteps)
{
	struct progress *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->mode = m;
	p->fd = fd;
	p->nsteps = nsteps;
	clock_gettime(CLOCK_MONOTONIC, &p->step_start);
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	if (m == PROGRESS_TTY && pscan_thread(&p->th, ticker, p) == 0)
		p->threaded = true;
	if (m == PROGRESS_TTY) {
		pthread_mutex_lock(&shown_mu);
		shown_now = p;
		pthread_mutex_unlock(&shown_mu);
	}
	return p;
}

enum progress_mode progress_mode(const struct progress *p)
{
	return p ? p->mode : PROGRESS_QUIET;
}

void progress_step(struct progress *p, size_t i, const char *kind, const char *what)
{
	char name[160];

	if (!p)
		return;
	struct shown s = shown(what);   /* host or profile bytes, escaped */
	snprintf(name, sizeof(name), "%.12s%s%.140s", kind, kind[0] ? " " : "", s.s);
	pthread_mutex_lock(&p->mu);
	p->step = i;
	snprintf(p->what, sizeof(p->what), "%s", name);
	clock_gettime(CLOCK_MONOTONIC, &p->step_start);
	if (p->mode == PROGRESS_LINES) {
		char line[256];
		int n = snprintf(line, sizeof(line), "irsnap: [%zu/%zu] %s\n", i + 1, p->nsteps, name);
		put(p->fd, line, n < 0 ? 0 : (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
	} else if (p->mode == PROGRESS_TTY) {
		draw(p);
	}
	pthread_mutex_unlock(&p->mu);
}

void progress_artifact(struct progress *p)
{
	if (p)
		__atomic_add_fetch(&p->artifacts, 1, __ATOMIC_RELAXED);
}

void progress_bytes(struct progress *p, uint64_t total)
{
	if (p)
		__atomic_store_n(&p->bytes, total, __ATOMIC_RELAXED);
}

void progress_note(struct progress *p, const char *line)
{
	if (!p || p->mode == PROGRESS_QUIET || p->mode == PROGRESS_VERBOSE)
		return;   /* verbose: the work log already says it */
	pthread_mutex_lock(&p->mu);
	if (p->mode == PROGRESS_TTY && p->drawn)
		put(p->fd, "\r\033[K", 4);
	put(p->fd, "irsnap: ", 8);
	put(p->fd, line, strlen(line));
	put(p->fd, "\n", 1);
	if (p->mode == PROGRESS_TTY && p->what[0])
		draw(p);
	pthread_mutex_unlock(&p->mu);
}

void progress_log(struct progress *p, const char *line, size_t len)
{
	if (!p || p->mode != PROGRESS_VERBOSE)
		return;
	pthread_mutex_lock(&p->mu);
	put(p->fd, "irsnap: ", 8);
	put(p->fd, line, len);
	pthread_mutex_unlock(&p->mu);
}

void progress_end(struct progress *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&shown_mu);
	if (shown_now == p)
		shown_now = NULL;
	pthread_mutex_unlock(&shown_mu);
	pthread_mutex_lock(&p->mu);
	p->stop = true;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	if (p->threaded)
		pthread_join(p->th, NULL);
	if (p->mode == PROGRESS_TTY && p->drawn)
		put(p->fd, "\r\033[K", 4);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	free(p);
}
