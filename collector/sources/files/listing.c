/* listing.c - the `list` step: metadata of everything under a path into
 * listing/<path>.NNNN.jsonl, with copies of executables and scripts. */
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

/* an executable, or a script ("#!"), by its mode and first bytes */
static bool is_exec_or_script(int dirfd, const char *name, const struct statx *st)
{
	if (!S_ISREG(st->stx_mode))
		return false;
	if (st->stx_mode & 0111)
		return true;
	int fd = host_open(dirfd, name, 0, NULL, NULL);
	char magic[2];
	bool script = fd >= 0 && pread(fd, magic, 2, 0) == 2 && magic[0] == '#' && magic[1] == '!';
	if (fd >= 0)
		close(fd);
	return script;
}

int emit_listing_chunk(struct plan_ctx *c)
{
	struct capbuf name;
	int ret;

	if (!c->listing->len && c->listing_seq)
		return 0;
	capbuf_init(&name, 65536);
	do {   /* a list and a tree of the same folder: the second goes on numbering */
		capbuf_reset(&name);
		capbuf_printf(&name, "%s.%04u.jsonl", c->listing_name, ++c->listing_seq);
	} while (run_has_member(c->r, name.buf) && c->listing_seq < 100000);
	ret = run_emit(c->r, "list", name.buf, c->listing);
	capbuf_release(&name);
	capbuf_reset(c->listing);
	return ret;
}


static void jw_stx_time(struct jw *w, const char *key, const struct statx_timestamp *t)
{
	char buf[RFC3339_LEN];
	fmt_rfc3339_ns(buf, t->tv_sec, (long)t->tv_nsec);
	jw_str(w, key, buf);
}

/* The fields of one entry's listing line, the jw left open for the step's own. */
void listing_begin(struct plan_ctx *c, const struct walk_entry *e, struct jw *w)
{
	const struct statx *st = e->st;
	char buf[32];

	jw_begin(w, c->listing);
	jw_bytes(w, "path", e->path, e->path_len);
	jw_str(w, "type", file_type_name(st->stx_mode));
	snprintf(buf, sizeof(buf), "%04o", st->stx_mode & 07777);
	jw_str(w, "mode", buf);
	jw_int(w, "uid", st->stx_uid);
	jw_int(w, "gid", st->stx_gid);
	jw_int(w, "size", (int64_t)st->stx_size);
	snprintf(buf, sizeof(buf), "%u:%u", st->stx_dev_major, st->stx_dev_minor);
	jw_str(w, "dev", buf);
	jw_int(w, "ino", (int64_t)st->stx_ino);
	jw_int(w, "nlink", st->stx_nlink);
	jw_stx_time(w, "atime", &st->stx_atime);
	jw_stx_time(w, "mtime", &st->stx_mtime);
	jw_stx_time(w, "ctime", &st->stx_ctime);
	if (st->stx_mask & STATX_BTIME)
		jw_stx_time(w, "btime", &st->stx_btime);
	else
		jw_null(w, "btime");
	if (S_ISLNK(st->stx_mode)) {
		char *t = NULL;
		size_t tl;
		if (host_readlink(e->dirfd, e->name, &t, &tl) == 0)
			jw_bytes(w, "link_target", t, tl);
		free(t);
	}
}

int list_visit(void *vctx, const struct walk_entry *e)
{
	struct plan_ctx *c = vctx;
	const struct statx *st = e->st;
	struct jw w;

	bool copy = c->s->max_file && is_exec_or_script(e->dirfd, e->name, st);
	uint64_t want = st->stx_size < c->s->max_file ? st->stx_size : c->s->max_file;
	bool over = copy && c->s->max_total && c->copied + want > c->s->max_total;
	/* copied first: the listing says what came of it */
	struct copy_outcome got = { .copied = false };
	if (copy && !over) {
		int ret = host_copy_at_told(c->r, "list", e->dirfd, e->name, e->path,
					    c->s->max_file, COPY_OPTIONAL, &got);
		if (ret < 0)
			return ret;
		c->copied += want;
	}
	listing_begin(c, e, &w);
	jw_bool(&w, "copied", got.copied);
	if (over) {   /* recorded: what was left out, and why */
		jw_str(&w, "not_copied", "max-total reached");
		c->skipped_total++;
		c->skipped_bytes += want;
	} else if (copy && !got.copied) {
		jw_str(&w, "not_copied", got.why);
	}
	jw_end(&w);
	if (c->listing->len > BODY_CHUNK - 65536 && emit_listing_chunk(c) < 0)
		return -EIO;
	return 0;
}

/* TSK bodyfile: MD5|name|inode|mode_as_string|UID|GID|size|atime|mtime|ctime|crtime
 * with SHA-256 in the hash column (or 0), names escaped so '|' and newlines
 * cannot break a line. */
/* The system binary directories: an executable whose directory is named
 * bin, sbin or libexec (/usr/bin, /usr/local/sbin, /opt/x/bin ...). */
