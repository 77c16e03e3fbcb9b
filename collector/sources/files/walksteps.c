/*
 * walksteps.c - running the profile steps that walk a tree (walk.h) with
 * their visitor: `tree` (tree.c), `list` (listing.c), `timeline`
 * (timeline.c); the work log of each walk.
 */
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
#include "trustpath.h"
#include "walk.h"
#include "walkctx.h"
#include "walksteps.h"
#include "banned.h"

static bool walk_should_stop(void *r)
{
	return run_should_stop(r);
}

static int run_walk(struct run *r, const struct step *s, walk_fn fn, struct plan_ctx *c,
		    const char *what)
{
	struct walk_stats st;
	int e = walk_tree(s->arg, s->max_depth, fn, c, &st, walk_should_stop, r);

	if (e < 0 && e != -EIO && run_bundle_dead(r))
		return e;
	if (e == -ELOOP) {
		run_log(r, "%s '%s': not walked: its path passes through a symbolic link root does "
			"not own ('%s', uid %lld), or more than 40 links: the walk would list "
			"another folder under this name", what, shown(s->arg).s,
			shown(st.link.path).s, st.link.uid);
		return 0;
	}
	if (e < 0 && (e == -ENOENT || e == -ENOTDIR || e == -EPERM || e == -EXDEV || e == -EACCES)) {
		run_log(r, "%s '%s': not walked: %s", what, shown(s->arg).s,
			e == -EXDEV ? "a pseudo or network file system" :
			e == -EPERM ? "never walked (/proc, /sys, /dev)" : strerror(-e));
		return 0;
	}
	run_log(r, "%s '%s': %" PRIu64 " entries in %" PRIu64 " directories; %" PRIu64
		" unreadable, %" PRIu64 " beyond max-depth %u, %" PRIu64 " mounts not entered",
		what, shown(s->arg).s, st.entries, st.dirs, st.unreadable, st.too_deep,
		s->max_depth, st.mounts_skipped);
	return e < 0 ? e : 0;
}

/* Reaching a step's max-total is recorded: how many files, how many bytes. */
static void log_left_out(struct run *r, const char *what, const struct step *s,
			 const struct plan_ctx *c)
{
	if (c->skipped_total)
		run_log(r, "%s '%s': max-total of %" PRIu64 " bytes reached: %" PRIu64 " files (%"
			PRIu64 " bytes) left out", what, shown(s->arg).s, s->max_total,
			c->skipped_total, c->skipped_bytes);
}

/* Whether the folder `s` names was walked already by a step of this kind,
 * under another name through root's links (merged /usr: a profile names
 * both /usr/lib/systemd/system and /lib/systemd/system, for the hosts
 * where the second is a folder of its own). Logged when so. A root that
 * does not resolve is left to the walk, which says why. */
static bool walked_before(struct run *r, const struct step *s, const char *what)
{
	struct capbuf folder, key;
	bool seen = false;

	capbuf_init(&folder, 1u << 20);
	capbuf_init(&key, 1u << 20);
	if (trusted_resolve(s->arg, &folder, NULL) == 0 &&
	    capbuf_printf(&key, "%s\t%s", what, folder.buf) == 0 &&
	    strset_add(&r->walked_roots, key.buf) == 0) {
		seen = true;
		run_log(r, "%s '%s': not walked: it is the folder '%s', which an earlier %s step "
			"walked (through root's links)", what, shown(s->arg).s, shown(folder.buf).s,
			what);
	}
	capbuf_release(&key);
	capbuf_release(&folder);
	return seen;
}

int walk_step(struct run *r, const struct step *s, struct timeline_out *tl)
{
	struct plan_ctx c = { .r = r, .s = s, .tl = tl };
	int ret = 0;

	switch (s->kind) {
	case STEP_TREE:
	case STEP_LIST: {
		const char *what = s->kind == STEP_TREE ? "tree" : "list";
		if (walked_before(r, s, what))
			return 0;
		struct capbuf listing;
		struct capbuf name;
		capbuf_init(&listing, BODY_CHUNK);
		capbuf_init(&name, 65536);
		capbuf_addstr(&name, "listing/");
		member_encode(&name, s->arg, strlen(s->arg));
		c.listing = &listing;
		c.listing_name = name.buf;
		ret = run_walk(r, s, s->kind == STEP_TREE ? tree_visit : list_visit, &c, what);
		log_left_out(r, what, s, &c);
		/* a tree of a folder that is not there leaves no empty listing */
		if (ret == 0 && (s->kind == STEP_LIST || listing.len || c.listing_seq))
			ret = emit_listing_chunk(&c);
		capbuf_release(&name);
		capbuf_release(&listing);
		return ret;
	}
	case STEP_TIMELINE:
		return run_walk(r, s, timeline_visit, &c, "timeline");
	default:
		break;
	}
	return ret;
}

int walk_body_flush(struct run *r, struct timeline_out *tl)
{
	int e = emit_body_chunk(r, tl);
	int f = emit_files_chunk(r, tl);
	return e < 0 ? e : f;
}

void timeline_out_init(struct timeline_out *tl)
{
	capbuf_init(&tl->body, BODY_CHUNK);
	capbuf_init(&tl->sums, BODY_CHUNK);
	capbuf_init(&tl->files, BODY_CHUNK);
	tl->seq = 0;
	tl->files_seq = 0;
}

void timeline_out_release(struct timeline_out *tl)
{
	capbuf_release(&tl->body);
	capbuf_release(&tl->sums);
	capbuf_release(&tl->files);
}

