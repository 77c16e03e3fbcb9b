/* zbuf.c - deflated in-memory record buffer (zbuf.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "zbuf.h"
#include "banned.h"

#define ZCHUNK 65536

int zbuf_init(struct zbuf *zb, size_t max_compressed)
{
	memset(zb, 0, sizeof(*zb));
	capbuf_init(&zb->out, max_compressed);
	if (deflateInit(&zb->z, Z_BEST_SPEED) != Z_OK)
		return zb->err = -ENOMEM;
	zb->ready = true;
	return 0;
}

static int pump(struct zbuf *zb, int flush)
{
	unsigned char chunk[ZCHUNK];
	int zr;

	do {
		zb->z.next_out = chunk;
		zb->z.avail_out = sizeof(chunk);
		zr = deflate(&zb->z, flush);
		if (zr == Z_STREAM_ERROR)
			return zb->err = -EIO;
		size_t have = sizeof(chunk) - zb->z.avail_out;
		if (have && capbuf_add(&zb->out, chunk, have) < 0)
			return zb->err = -E2BIG;
	} while (zb->z.avail_out == 0 || (flush == Z_FINISH && zr != Z_STREAM_END));
	return 0;
}

int zbuf_add(struct zbuf *zb, const void *data, size_t n)
{
	if (zb->err)
		return zb->err;
	if (!zb->ready || zb->finished)
		return zb->err = -EINVAL;
	const unsigned char *p = data;
	while (n) {
		size_t take = n > (1u << 30) ? (1u << 30) : n;
		zb->z.next_in = (unsigned char *)p;
		zb->z.avail_in = (uInt)take;
		int r = pump(zb, Z_NO_FLUSH);
		if (r < 0)
			return r;
		zb->raw_len += take;
		p += take;
		n -= take;
	}
	return 0;
}

int zbuf_replay(struct zbuf *zb, int (*sink)(void *ctx, const void *p, size_t n), void *ctx)
{
	unsigned char chunk[ZCHUNK];
	z_stream in;
	int r = 0, zr;

	if (!zb->ready)
		return -EINVAL;
	if (!zb->finished) {
		zb->z.next_in = NULL;
		zb->z.avail_in = 0;
		if (!zb->err && pump(zb, Z_FINISH) < 0)
			return zb->err;
		zb->finished = true;
	}
	memset(&in, 0, sizeof(in));
	if (inflateInit(&in) != Z_OK)
		return -ENOMEM;
	in.next_in = (unsigned char *)(zb->out.buf ? zb->out.buf : "");
	in.avail_in = (uInt)zb->out.len;
	do {
		in.next_out = chunk;
		in.avail_out = sizeof(chunk);
		zr = inflate(&in, Z_NO_FLUSH);
		if (zr != Z_OK && zr != Z_STREAM_END && !(zr == Z_BUF_ERROR && in.avail_in == 0)) {
			r = -EIO;
			break;
		}
		size_t have = sizeof(chunk) - in.avail_out;
		if (have && (r = sink(ctx, chunk, have)) < 0)
			break;
		if (zr == Z_BUF_ERROR)
			break;
	} while (zr != Z_STREAM_END);
	inflateEnd(&in);
	return r;
}

void zbuf_free(struct zbuf *zb)
{
	if (zb->ready)
		deflateEnd(&zb->z);
	capbuf_release(&zb->out);
	memset(zb, 0, sizeof(*zb));
}
