/* zbuf.c - LZ4-compressed in-memory record buffer (zbuf.h). */
#include <errno.h>
#include <lz4.h>
#include <stdlib.h>
#include <string.h>

#include "zbuf.h"
#include "banned.h"

#define STORED_RAW 0x80000000u   /* in the stored length: kept uncompressed */

int zbuf_init(struct zbuf *zb, size_t max_compressed)
{
	memset(zb, 0, sizeof(*zb));
	capbuf_init(&zb->out, max_compressed);
	capbuf_init(&zb->stage, ZBUF_BLOCK);
	zb->ready = true;
	return 0;
}

/* Compress one block (at most ZBUF_BLOCK bytes) onto the output. */
static int put_block(struct zbuf *zb, const char *p, size_t n)
{
	int bound = LZ4_compressBound((int)n);
	char *tmp = malloc((size_t)bound);

	if (!tmp)
		return zb->err = -ENOMEM;
	int c = LZ4_compress_default(p, tmp, (int)n, bound);
	uint32_t hdr[2] = { (uint32_t)n, 0 };
	const char *body = tmp;
	if (c <= 0 || (size_t)c >= n) {   /* incompressible: keep it as it is */
		hdr[1] = (uint32_t)n | STORED_RAW;
		body = p;
		c = (int)n;
	} else {
		hdr[1] = (uint32_t)c;
	}
	int r = capbuf_add(&zb->out, hdr, sizeof(hdr));
	if (r == 0)
		r = capbuf_add(&zb->out, body, (size_t)c);
	free(tmp);
	if (r < 0)
		return zb->err = r == -E2BIG ? -E2BIG : -ENOMEM;
	return 0;
}

int zbuf_add(struct zbuf *zb, const void *data, size_t n)
{
	const char *p = data;

	if (zb->err)
		return zb->err;
	if (!zb->ready)
		return zb->err = -EINVAL;
	while (n) {
		if (zb->stage.len == 0 && n >= ZBUF_BLOCK) {   /* whole blocks: no copy */
			int r = put_block(zb, p, ZBUF_BLOCK);
			if (r < 0)
				return r;
			p += ZBUF_BLOCK;
			n -= ZBUF_BLOCK;
			zb->raw_len += ZBUF_BLOCK;
			continue;
		}
		size_t take = ZBUF_BLOCK - zb->stage.len;
		if (take > n)
			take = n;
		if (capbuf_add(&zb->stage, p, take) < 0)
			return zb->err = -ENOMEM;
		p += take;
		n -= take;
		zb->raw_len += take;
		if (zb->stage.len == ZBUF_BLOCK) {
			int r = put_block(zb, zb->stage.buf, zb->stage.len);
			capbuf_reset(&zb->stage);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

int zbuf_replay(struct zbuf *zb, int (*sink)(void *ctx, const void *p, size_t n), void *ctx)
{
	if (!zb->ready)
		return -EINVAL;
	if (zb->stage.len && !zb->err) {
		put_block(zb, zb->stage.buf, zb->stage.len);
		capbuf_reset(&zb->stage);
	}
	if (zb->err)
		return zb->err;
	char *raw = malloc(ZBUF_BLOCK);
	const char *p = zb->out.buf, *end = p ? p + zb->out.len : NULL;
	int r = 0;

	if (!raw)
		return -ENOMEM;
	while (p && p < end && r == 0) {
		uint32_t hdr[2];
		if ((size_t)(end - p) < sizeof(hdr)) {
			r = -EIO;
			break;
		}
		memcpy(hdr, p, sizeof(hdr));
		p += sizeof(hdr);
		size_t stored = hdr[1] & ~STORED_RAW;
		if (hdr[0] > ZBUF_BLOCK || stored > (size_t)(end - p)) {
			r = -EIO;
			break;
		}
		if (hdr[1] & STORED_RAW) {
			r = sink(ctx, p, stored);
		} else {
			int d = LZ4_decompress_safe(p, raw, (int)stored, ZBUF_BLOCK);
			r = d == (int)hdr[0] ? sink(ctx, raw, (size_t)d) : -EIO;
		}
		p += stored;
	}
	free(raw);
	return r;
}

int zbuf_seal(struct zbuf *zb)
{
	if (zb->err)
		return zb->err;
	if (zb->stage.len) {
		int r = put_block(zb, zb->stage.buf, zb->stage.len);
		capbuf_reset(&zb->stage);
		return r;
	}
	return 0;
}

int zbuf_append(struct zbuf *zb, struct zbuf *from)
{
	int r = zbuf_seal(zb);

	if (r == 0)
		r = zbuf_seal(from);
	if (r == 0 && from->err)
		r = from->err;
	if (r == 0 && from->out.len) {
		r = capbuf_add(&zb->out, from->out.buf, from->out.len);
		if (r < 0)
			zb->err = r == -E2BIG ? -E2BIG : -ENOMEM;
	}
	if (r == 0)
		zb->raw_len += from->raw_len;
	else if (!zb->err)
		zb->err = r;
	capbuf_reset(&from->out);
	from->raw_len = 0;
	return r;
}

size_t zbuf_held(const struct zbuf *zb)
{
	return zb->out.len + zb->stage.len;
}

void zbuf_free(struct zbuf *zb)
{
	capbuf_release(&zb->out);
	capbuf_release(&zb->stage);
	memset(zb, 0, sizeof(*zb));
}
