/*
 * zbuf.h - a record buffer kept compressed in memory.
 *
 * The index must be one member written at the end (its size goes in the tar
 * header first), yet a walk of a million files makes a million index lines;
 * generated JSON Lines members (processes, sockets, wtmp records) likewise.
 * zbuf keeps them compressed in independent LZ4 blocks of ZBUF_BLOCK raw
 * bytes (JSON Lines shrink four- to tenfold) and replays them, block by
 * block, straight into the bundle. Memory is bounded by the compressed cap,
 * not the raw size. LZ4 rather than zlib: compressing is several times
 * faster, and this sits on the volatile snapshot's path.
 */
#ifndef IRSNAP_ZBUF_H
#define IRSNAP_ZBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capbuf.h"

#define ZBUF_BLOCK (256u << 10)

struct zbuf {
	struct capbuf out;       /* blocks: u32 raw length, u32 stored length, bytes */
	struct capbuf stage;     /* raw bytes not yet a whole block */
	uint64_t raw_len;        /* bytes accepted */
	bool ready;
	int err;                 /* sticky: -ENOMEM, -E2BIG (cap), -EIO */
};

int zbuf_init(struct zbuf *zb, size_t max_compressed);
int zbuf_add(struct zbuf *zb, const void *data, size_t n);
/* Everything, decompressed block by block, into `sink` (after zbuf_add()s;
 * a last partial block is compressed first). */
int zbuf_replay(struct zbuf *zb, int (*sink)(void *ctx, const void *p, size_t n), void *ctx);
/* Compress what is staged (a last partial block), so that the blocks hold
 * everything added; then `from`'s blocks can follow in another zbuf. */
int zbuf_seal(struct zbuf *zb);
/* Append everything `from` holds after what `zb` holds, moving compressed
 * blocks (no recompression): lets threads compress their own records and a
 * merge only copy them, in order. `from` is left empty. */
int zbuf_append(struct zbuf *zb, struct zbuf *from);
/* Bytes held compressed (blocks) and still raw (stage). */
size_t zbuf_held(const struct zbuf *zb);
void zbuf_free(struct zbuf *zb);

#endif
