/*
 * walksteps.h - the walking steps of a profile (tree, list, timeline), run
 * by the plan (plan.h). The timeline's bodyfile is cut every 16 MiB into
 * timeline/bodyfile.NNNN, each preceded by timeline/sha256.NNNN (the
 * SHA-256 of that chunk's hashed executables, `sha256sum` lines: the
 * bodyfile's hash column is MD5's, which irsnap leaves 0, so plaso and
 * mactime both read it): `tl` holds the chunk being filled across steps
 * and walk_body_flush() archives the last one.
 */
#ifndef IRSNAP_WALKSTEPS_H
#define IRSNAP_WALKSTEPS_H

#include "capbuf.h"
#include "profile.h"
#include "run.h"

#define BODY_CHUNK (16u << 20)       /* bodyfile members are cut at 16 MiB */

struct timeline_out {
	struct capbuf body;        /* bodyfile lines of the chunk */
	struct capbuf sums;        /* "<sha256>  <name as in the bodyfile>" lines */
	unsigned seq;              /* chunks archived */
	struct capbuf files;       /* timeline/files.NNNN.jsonl being filled */
	unsigned files_seq;
};
void timeline_out_init(struct timeline_out *tl);
void timeline_out_release(struct timeline_out *tl);

int walk_step(struct run *r, const struct step *s, struct timeline_out *tl);
int walk_body_flush(struct run *r, struct timeline_out *tl);

#endif
