/* capbuf.c - the capped buffer of capbuf.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capbuf.h"
#include "banned.h"

void capbuf_init(struct capbuf *cb, size_t max)
{
	memset(cb, 0, sizeof(*cb));
	cb->max = max;
}

/* Make room for `extra` more bytes plus the NUL; never beyond max + 1. */
static int capbuf_grow(struct capbuf *cb, size_t extra)
{
	size_t need, want;

	if (__builtin_add_overflow(cb->len, extra, &need) || need > cb->max)
		return -E2BIG;
	need += 1;
	if (need <= cb->alloc)
		return 0;
	want = cb->alloc ? cb->alloc : 256;
	while (want < need) {
		if (__builtin_mul_overflow(want, 2, &want)) {
			want = need;
			break;
		}
	}
	if (want > cb->max + 1)
		want = cb->max + 1;
	char *p = realloc(cb->buf, want);
	if (!p)
		return -ENOMEM;
	cb->buf = p;
	cb->alloc = want;
	return 0;
}

int capbuf_add_slow(struct capbuf *cb, const void *data, size_t n)
{
	size_t room = cb->max - cb->len;
	size_t take = n < room ? n : room;
	int r;

	r = capbuf_grow(cb, take);
	if (r < 0)
		return r;
	if (take)
		memcpy(cb->buf + cb->len, data, take);
	cb->len += take;
	if (cb->buf)
		cb->buf[cb->len] = '\0';
	cb->wanted += n;
	if (take < n) {
		cb->truncated = true;
		return -E2BIG;
	}
	return 0;
}

int capbuf_reserve(struct capbuf *cb, size_t n)
{
	return capbuf_grow(cb, n);
}

int capbuf_addstr(struct capbuf *cb, const char *s)
{
	return capbuf_add(cb, s, strlen(s));
}

int capbuf_vprintf(struct capbuf *cb, const char *fmt, va_list ap)
{
	char small[512];
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(small, sizeof(small), fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n < sizeof(small))
		return capbuf_add(cb, small, (size_t)n);

	char *big = malloc((size_t)n + 1);
	if (!big)
		return -ENOMEM;
	if (vsnprintf(big, (size_t)n + 1, fmt, ap) != n) {
		free(big);
		return -EINVAL;
	}
	int r = capbuf_add(cb, big, (size_t)n);
	free(big);
	return r;
}

int capbuf_printf(struct capbuf *cb, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = capbuf_vprintf(cb, fmt, ap);
	va_end(ap);
	return r;
}

void capbuf_reset(struct capbuf *cb)
{
	cb->len = 0;
	cb->wanted = 0;
	cb->truncated = false;
	if (cb->buf)
		cb->buf[0] = '\0';
}

void capbuf_release(struct capbuf *cb)
{
	free(cb->buf);
	capbuf_init(cb, cb->max);
}

char *capbuf_detach(struct capbuf *cb, size_t *ret_len)
{
	char *p = cb->buf;

	if (!p) {
		p = calloc(1, 1);
		if (!p)
			return NULL;
	}
	if (ret_len)
		*ret_len = cb->len;
	cb->buf = NULL;
	cb->len = cb->alloc = 0;
	cb->wanted = 0;
	cb->truncated = false;
	return p;
}

int capbuf_read_fd_once(struct capbuf *cb, int fd)
{
	char chunk[16384];
	ssize_t n;

	do
		n = read(fd, chunk, sizeof(chunk));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	int r = capbuf_add(cb, chunk, (size_t)n);
	if (r < 0 || (size_t)n < sizeof(chunk))
		return r;
	return capbuf_read_fd(cb, fd);   /* a full chunk: read on to the end */
}

int capbuf_read_fd(struct capbuf *cb, int fd)
{
	char chunk[16384];

	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return 0;
		int r = capbuf_add(cb, chunk, (size_t)n);
		if (r < 0)
			return r;
	}
}
