/* tree.c - the `tree` step: every file under a path, raw, capped per file and in total. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "copy.h"
#include "hostfile.h"
#include "jsonw.h"
#include "jsonx.h"
#include "sha256.h"
#include "spool.h"
#include "textutil.h"
#include "walk.h"
#include "walkctx.h"
#include "walksteps.h"
#include "banned.h"

/* Every entry of the tree, links and folders too, in its listing (so an
 * enabled unit's link is seen beside the unit, not only in index.jsonl);
 * `why`: NULL, or why a file was not copied. */
static int tree_listing(struct plan_ctx *c, const struct walk_entry *e, bool copied,
			const char *why)
{
	struct jw w;

	listing_begin(c, e, &w);
	jw_bool(&w, "copied", copied);
	if (why)
		jw_str(&w, "not_copied", why);
	jw_end(&w);
	if (c->listing->len > BODY_CHUNK - 65536 && emit_listing_chunk(c) < 0)
		return -EIO;
	return 0;
}

int tree_visit(void *vctx, const struct walk_entry *e)
{
	struct plan_ctx *c = vctx;

	if (S_ISDIR(e->st->stx_mode))
		return tree_listing(c, e, false, NULL);
	uint64_t want = e->st->stx_size < c->s->max_file ? e->st->stx_size : c->s->max_file;
	if (c->s->max_total && S_ISREG(e->st->stx_mode) && c->copied + want > c->s->max_total) {
		c->skipped_total++;
		c->skipped_bytes += want;
		return tree_listing(c, e, false, "max-total reached");
	}
	/* copied first (links, FIFOs and devices recorded in the index, never
	 * opened): the listing says what came of it (a file that vanished or
	 * could not be opened since the walk saw it is not copied) */
	struct copy_outcome got = { .copied = false };
	int ret = host_copy_at_told(c->r, "tree", e->dirfd, e->name, e->path, c->s->max_file,
				    COPY_OPTIONAL, &got);
	if (ret < 0)
		return ret;
	if (S_ISREG(e->st->stx_mode))
		c->copied += want;
	bool file = S_ISREG(e->st->stx_mode);
	return tree_listing(c, e, file && got.copied, file && !got.copied ? got.why : NULL);
}
