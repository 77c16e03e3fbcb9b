/* zbuf round-trips what it is given, across chunk boundaries, and honours
 * its cap on the compressed size. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "zbuf.h"

struct acc {
	char *buf;
	size_t len;
};

static int sink(void *ctx, const void *p, size_t n)
{
	struct acc *a = ctx;
	memcpy(a->buf + a->len, p, n);
	a->len += n;
	return 0;
}

int main(void)
{
	struct zbuf zb;
	size_t total = 3u << 20;
	char *in = malloc(total);
	struct acc out = { malloc(total), 0 };
	uint64_t x = 12345;

	REQUIRE(in && out.buf);

	for (size_t i = 0; i < total; i++) {   /* half text-like, half noise */
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		in[i] = i % 2 ? (char)('a' + (x >> 60)) : (char)(x >> 56);
	}
	REQUIRE(zbuf_init(&zb, 8u << 20) == 0);
	for (size_t off = 0; off < total; off += 1000)
		CHECK(zbuf_add(&zb, in + off, off + 1000 <= total ? 1000 : total - off) == 0);
	CHECK(zb.raw_len == total);
	REQUIRE(zbuf_replay(&zb, sink, &out) == 0);
	CHECK(out.len == total && memcmp(in, out.buf, total) == 0);
	zbuf_free(&zb);

	/* JSON Lines compress well: the reason the index lives in one */
	CHECK(zbuf_init(&zb, 1u << 20) == 0);
	const char *rec = "{\"member\":\"fs/var/log/syslog\",\"kind\":\"file\",\"status\":\"ok\"}\n";
	for (int i = 0; i < 100000; i++)
		zbuf_add(&zb, rec, strlen(rec));
	out.len = 0;
	CHECK(zb.err == 0 && zb.out.len * 10 < zb.raw_len);
	zbuf_free(&zb);

	/* the cap: incompressible data beyond it is refused, stickily */
	CHECK(zbuf_init(&zb, 4096) == 0);
	int r = 0;
	for (size_t off = 0; off < 1u << 20 && r == 0; off += 4096)
		r = zbuf_add(&zb, in + off, 4096);
	CHECK(r == -E2BIG && zbuf_add(&zb, "x", 1) == -E2BIG);
	zbuf_free(&zb);
	free(in);
	free(out.buf);
	return tap_done("zbuf");
}
