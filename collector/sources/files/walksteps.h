/*
 * walksteps.h - the walking steps of a profile (tree, list, timeline), run
 * by the plan (plan.h). The timeline's bodyfile is cut every 16 MiB into
 * timeline/bodyfile.NNNN: `body` holds the chunk being filled across steps
 * and walk_body_flush() archives the last one.
 */
#ifndef IRSNAP_WALKSTEPS_H
#define IRSNAP_WALKSTEPS_H

#include "capbuf.h"
#include "profile.h"
#include "run.h"

#define BODY_CHUNK (16u << 20)       /* bodyfile members are cut at 16 MiB */

int walk_step(struct run *r, const struct step *s, struct capbuf *body, unsigned *seq);
int walk_body_flush(struct run *r, struct capbuf *body, unsigned *seq);

#endif
