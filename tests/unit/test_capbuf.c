/* Unit tests of capbuf.c: the cap holds, truncation is reported. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capbuf.h"
#include "tap.h"

int main(void)
{
	struct capbuf cb;
	int p[2];

	capbuf_init(&cb, 10);
	CHECK(capbuf_addstr(&cb, "hello") == 0);
	CHECK(cb.len == 5 && strcmp(cb.buf, "hello") == 0);
	CHECK(capbuf_addstr(&cb, " world") == -E2BIG);
	CHECK(cb.len == 10 && strcmp(cb.buf, "hello worl") == 0);
	CHECK(cb.truncated && cb.wanted == 11);
	CHECK(capbuf_addstr(&cb, "x") == -E2BIG && cb.len == 10 && cb.wanted == 12);
	capbuf_reset(&cb);
	CHECK(cb.len == 0 && !cb.truncated && cb.buf[0] == '\0');
	CHECK(capbuf_printf(&cb, "%d-%s", 42, "ab") == 0 && strcmp(cb.buf, "42-ab") == 0);
	capbuf_release(&cb);

	/* a printf longer than the internal small buffer */
	capbuf_init(&cb, 100000);
	char big[3000];
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK(capbuf_printf(&cb, "<%s>", big) == 0 && cb.len == sizeof(big) + 1);
	size_t n;
	char *d = capbuf_detach(&cb, &n);
	CHECK(d && n == sizeof(big) + 1 && d[0] == '<' && d[n - 1] == '>');
	free(d);
	CHECK(cb.buf == NULL && cb.len == 0);

	/* reading an fd under a cap */
	capbuf_init(&cb, 4);
	CHECK(pipe(p) == 0);
	CHECK(write(p[1], "123456", 6) == 6);
	close(p[1]);
	CHECK(capbuf_read_fd(&cb, p[0]) == -E2BIG);
	CHECK(cb.len == 4 && memcmp(cb.buf, "1234", 4) == 0);
	close(p[0]);
	capbuf_release(&cb);

	capbuf_init(&cb, 0);
	CHECK(capbuf_add(&cb, "a", 1) == -E2BIG && cb.len == 0);
	CHECK(capbuf_add(&cb, "", 0) == 0);
	capbuf_release(&cb);
	return tap_done("capbuf");
}
