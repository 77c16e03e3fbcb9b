/*
 * spool.h - a record buffer whose memory does not grow with the records.
 *
 * Records are written into `buf` (a capbuf, as everywhere else); once it
 * holds more than SPOOL_SPILL bytes, spool_flush() moves them into a zbuf
 * (LZ4 blocks, zbuf.h). spool_emit() archives everything as one member,
 * decompressing block by block straight into the bundle, and records the
 * artifact like run_emit(). A JSON Lines member of 100 MB then costs about
 * 15 to 25 MB.
 */
#ifndef IRSNAP_SPOOL_H
#define IRSNAP_SPOOL_H

#include "capbuf.h"
#include "fdwalk.h"
#include "run.h"
#include "sha256.h"
#include "zbuf.h"

#define SPOOL_SPILL (1u << 20)

/* struct spool { struct capbuf buf; struct zbuf z; } is declared in
 * fdwalk.h, which run.h includes (the run context holds one). */

int spool_init(struct spool *s);
/* Cheap when buf is small; call after each record. */
void spool_flush(struct spool *s);
/* Append records built elsewhere (a thread's chunk, pscan.h), then flush;
 * a truncated source marks the spool truncated. */
void spool_add(struct spool *s, const struct capbuf *from);
/* Records compressed elsewhere (a thread's chunk, zbuf.h) after those held;
 * `truncated`: that chunk lost records to its cap. */
void spool_add_z(struct spool *s, struct zbuf *from, bool truncated);
/* A chunk's records, compressed where they were made (in a worker thread),
 * so that the ordered merge only copies blocks: `raw` is moved into `z` and
 * emptied (its `truncated` flag kept for the merge). */
void spool_pack(struct zbuf *z, struct capbuf *raw);
int spool_emit(struct run *r, const char *step, const char *member, struct spool *s);

/* A spool that holds nothing: every flush hands the records to `sink` (in
 * order, once each), so memory stays at SPOOL_SPILL whatever the volume.
 * What makes members too big to hold: they are rendered twice, once into
 * a spool_counter to learn their size and hash, then into the bundle
 * (spool_stream_begin/end), and the two renderings are compared. */
void spool_stream(struct spool *s, int (*sink)(void *ctx, const void *p, size_t n), void *ctx);
bool spool_streams(const struct spool *s);
/* Hand over what buf holds (a stream's end); 0 or the sink's first error. */
int spool_drain(struct spool *s);

struct spool_counter {
	uint64_t bytes;
	struct sha256_run *md;
};
int spool_counter_init(struct spool_counter *k);
int spool_counter_sink(void *ctx, const void *p, size_t n);
/* The hex SHA-256 of everything counted; frees the hash state. */
int spool_counter_end(struct spool_counter *k, char ret[SHA256_HEX_LEN]);

/* A generated member written while it is rendered: `size` (and the
 * `expect` hash) from a spool_counter pass over the same input. The spool
 * is set to stream into the member; spool_stream_end() drains it, ends the
 * member and records the artifact: a rendering shorter than `size` is
 * padded, a longer one cut, and a hash that differs from `expect` is
 * recorded as a partial artifact (the input changed between the passes). */
struct spool_stream_member {
	struct run *r;
	struct artifact a;
	const char *member;
	uint64_t size, written;
	int err;                 /* of bundle_begin() or a write */
};
int spool_stream_begin(struct run *r, const char *step, const char *member, uint64_t size,
		       struct spool *s, struct spool_stream_member *m);
int spool_stream_end(struct spool_stream_member *m, struct spool *s,
		     const char expect[SHA256_HEX_LEN], bool truncated);
/* While r->defer_spools is set, spool_emit() takes the records over (the
 * caller's spool is left empty) and archives nothing: the volatile steps read
 * everything first, and spool_flush_deferred() archives it all afterwards, in
 * the order it was given. 0 or the first archiving error. */
struct deferred_spool {
	char *step, *member;
	struct spool s;
};
int spool_flush_deferred(struct run *r);
void spool_free(struct spool *s);

#endif
