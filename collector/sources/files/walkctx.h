/*
 * walkctx.h - what the walking steps share (tree.c, listing.c, timeline.c,
 * run by walksteps.c): one walk's context and its visitors. Private to
 * sources/files/.
 */
#ifndef IRSNAP_WALKCTX_H
#define IRSNAP_WALKCTX_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "capbuf.h"
#include "profile.h"
#include "run.h"
#include "walk.h"
#include "walksteps.h"

#define HASH_EXEC_CAP (1ull << 30)

struct plan_ctx {
	struct run *r;
	const char *listing_name;      /* list: member prefix (encoded path) */
	unsigned listing_seq;
	const struct step *s;
	uint64_t copied;               /* tree, list: bytes copied so far */
	uint64_t skipped_total;        /* tree, list: files left out by max-total */
	uint64_t skipped_bytes;        /* ... and their bytes (up to max-file each) */
	struct capbuf *listing;
	struct timeline_out *tl;       /* timeline chunk being filled */
	int fatal;
};

/* what the timeline read of one entry beyond its statx */
struct file_extra {
	char sha[65];                  /* "" when not hashed */
	const char *link;              /* a symlink's target, or NULL */
	size_t link_len;
	unsigned char caps[64];        /* security.capability, raw */
	size_t caps_len;               /* 0: none */
};

/* the visitors (walk.h's walk_fn) of tree, list and timeline */
int tree_visit(void *vctx, const struct walk_entry *e);
int list_visit(void *vctx, const struct walk_entry *e);
int timeline_visit(void *vctx, const struct walk_entry *e);
/* a listing line's common fields (path, type, mode, ids, times, link
 * target), its jw left open for the step's own fields */
struct jw;
void listing_begin(struct plan_ctx *c, const struct walk_entry *e, struct jw *w);
/* the last listing member of a list step; the bodyfile chunk being filled */
int emit_listing_chunk(struct plan_ctx *c);
int emit_body_chunk(struct run *r, struct timeline_out *tl);
/* timeline/files.NNNN.jsonl: one entry's line, the chunk being filled */
int timeline_json_add(struct plan_ctx *c, const struct walk_entry *e,
		      const struct file_extra *x);
int emit_files_chunk(struct run *r, struct timeline_out *tl);

#endif
