/*
 * zbuf.h - a record buffer kept deflated in memory.
 *
 * The index must be one member written at the end (its size goes in the tar
 * header first), yet a walk of a million files makes a million index lines.
 * zbuf keeps them compressed (zlib, fastest level; JSON Lines shrink about
 * tenfold) and replays them, inflated in chunks, straight into the bundle.
 * Memory is bounded by the compressed cap, not the raw size.
 */
#ifndef IRSNAP_ZBUF_H
#define IRSNAP_ZBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

#include "capbuf.h"

struct zbuf {
	z_stream z;
	struct capbuf out;       /* compressed bytes */
	uint64_t raw_len;        /* bytes accepted */
	bool ready, finished;
	int err;                 /* sticky: -ENOMEM, -E2BIG (cap), -EIO */
};

int zbuf_init(struct zbuf *zb, size_t max_compressed);
int zbuf_add(struct zbuf *zb, const void *data, size_t n);
/* Inflate everything into `sink` in chunks (after zbuf_add()s; the
 * buffer is finished first). */
int zbuf_replay(struct zbuf *zb, int (*sink)(void *ctx, const void *p, size_t n), void *ctx);
void zbuf_free(struct zbuf *zb);

#endif
