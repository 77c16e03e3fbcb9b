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

int tree_visit(void *vctx, const struct walk_entry *e)
{
	struct plan_ctx *c = vctx;

	if (S_ISDIR(e->st->stx_mode))
		return 0;
	uint64_t want = e->st->stx_size < c->s->max_file ? e->st->stx_size : c->s->max_file;
	if (c->s->max_total && S_ISREG(e->st->stx_mode) && c->copied + want > c->s->max_total) {
		c->skipped_total++;
		c->skipped_bytes += want;
		return 0;
	}
	int ret = host_copy_at(c->r, "tree", e->dirfd, e->name, e->path, c->s->max_file,
			       COPY_OPTIONAL);
	if (S_ISREG(e->st->stx_mode))
		c->copied += e->st->stx_size < c->s->max_file ? e->st->stx_size : c->s->max_file;
	return ret < 0 ? ret : 0;
}

