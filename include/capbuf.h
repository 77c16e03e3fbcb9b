/*
 * capbuf.h - a growable byte buffer with a maximum fixed at init.
 *
 * Contract:
 *  - capbuf_init() sets the maximum; the buffer never holds more than `max`
 *    bytes, whatever is appended.
 *  - An append that does not fit stores the bytes that do fit, sets
 *    `truncated`, adds the whole requested length to `wanted`, and returns
 *    -E2BIG. The caller records that as truncation (original size = wanted).
 *  - An allocation failure returns -ENOMEM and leaves the content unchanged.
 *  - `buf` is always NUL-terminated (one byte beyond `len`), so text can be
 *    read in place; the NUL is not counted in `len` and not in `max`.
 *  - capbuf_release() frees and resets to the empty state; after it the buffer
 *    may be reused with capbuf_init().
 */
#ifndef IRSNAP_CAPBUF_H
#define IRSNAP_CAPBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct capbuf {
	char *buf;        /* NULL until the first append */
	size_t len;       /* bytes held */
	size_t alloc;     /* bytes allocated, including the NUL */
	size_t max;       /* the cap fixed at init */
	uint64_t wanted;  /* bytes offered in total, stored or not */
	bool truncated;   /* some offered bytes did not fit */
};

void capbuf_init(struct capbuf *cb, size_t max);
int capbuf_add_slow(struct capbuf *cb, const void *data, size_t n);
/* Append n bytes; inline for the common case (room already allocated),
 * which the JSON writers hit several times per field. */
static inline int capbuf_add(struct capbuf *cb, const void *data, size_t n)
{
	if (cb->buf && n < cb->alloc - cb->len && n <= cb->max - cb->len) {
		__builtin_memcpy(cb->buf + cb->len, data, n);
		cb->len += n;
		cb->buf[cb->len] = '\0';
		cb->wanted += n;
		return 0;
	}
	return capbuf_add_slow(cb, data, n);
}
int capbuf_addstr(struct capbuf *cb, const char *s);
int capbuf_printf(struct capbuf *cb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int capbuf_vprintf(struct capbuf *cb, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
void capbuf_reset(struct capbuf *cb);   /* empty, keep memory and max */
/* Room for n more bytes now, so that adding them later cannot fail:
 * 0, -E2BIG (over max) or -ENOMEM. */
int capbuf_reserve(struct capbuf *cb, size_t n);
void capbuf_release(struct capbuf *cb);
/* Hand the bytes to the caller (who frees them); the buffer becomes empty. */
char *capbuf_detach(struct capbuf *cb, size_t *ret_len);

/* Read `fd` to end of file (or the cap) into `cb`. Returns 0, -E2BIG when
 * the cap cut the read (cb->wanted then counts only what was read: the rest
 * of the file is unknown), or -errno. EINTR is retried; EAGAIN is an error. */
int capbuf_read_fd(struct capbuf *cb, int fd);
/* The same for a file the kernel makes whole at the first read (a /proc
 * file shown by one function: stat, status, cgroup, fdinfo; and cmdline,
 * environ): a read shorter than asked is its end, so the usual last read
 * that returns 0 is skipped. Never for multi-record files (maps, net/tcp),
 * whose reads stop at a page. */
int capbuf_read_fd_once(struct capbuf *cb, int fd);

#endif
