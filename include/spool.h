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
