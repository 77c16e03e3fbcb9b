/*
 * walksteps.c - the profile steps that walk a tree (walk.h): `tree` (raw
 * copies of every file, capped per file and in total), `list` (metadata of
 * everything, with copies of executables and scripts) and `timeline` (Sleuth
 * Kit bodyfile lines, with SHA-256 of the executables of binary folders).
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
#include "walk.h"
#include "walksteps.h"
#include "banned.h"

#define HASH_EXEC_CAP (1ull << 30)

struct plan_ctx {
	struct run *r;
	const char *listing_name;      /* list: member prefix (encoded path) */
	unsigned listing_seq;
	const struct step *s;
	uint64_t copied;               /* tree: bytes copied so far */
	uint64_t skipped_total;        /* tree: files left out by max-total */
	struct capbuf *listing;
	struct capbuf *body;           /* timeline chunk being filled */
	unsigned *body_seq;
	int fatal;
};

static int emit_body_chunk(struct run *r, struct capbuf *body, unsigned *seq)
{
	char member[64];

	if (!body->len)
		return 0;
	snprintf(member, sizeof(member), "timeline/bodyfile.%04u", ++*seq);
	int ret = run_emit(r, "timeline", member, body);
	capbuf_reset(body);
	return ret;
}

/* listing/<path>.NNNN.jsonl: cut every 16 MiB so memory stays bounded */
static int emit_listing_chunk(struct plan_ctx *c)
{
	struct capbuf name;
	int ret;

	if (!c->listing->len && c->listing_seq)
		return 0;
	capbuf_init(&name, 65536);
	capbuf_printf(&name, "%s.%04u.jsonl", c->listing_name, ++c->listing_seq);
	ret = run_emit(c->r, "list", name.buf, c->listing);
	capbuf_release(&name);
	capbuf_reset(c->listing);
	return ret;
}

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

static int tree_visit(void *vctx, const struct walk_entry *e)
{
	struct plan_ctx *c = vctx;

	if (S_ISDIR(e->st->stx_mode))
		return 0;
	if (c->s->max_total && S_ISREG(e->st->stx_mode) &&
	    c->copied + e->st->stx_size > c->s->max_total) {
		c->skipped_total++;
		return 0;
	}
	int ret = host_copy_at(c->r, "tree", e->dirfd, e->name, e->path, c->s->max_file,
			       COPY_OPTIONAL);
	if (S_ISREG(e->st->stx_mode))
		c->copied += e->st->stx_size < c->s->max_file ? e->st->stx_size : c->s->max_file;
	return ret < 0 ? ret : 0;
}

static void jw_stx_time(struct jw *w, const char *key, const struct statx_timestamp *t)
{
	char buf[RFC3339_LEN];
	fmt_rfc3339_ns(buf, t->tv_sec, (long)t->tv_nsec);
	jw_str(w, key, buf);
}

static int list_visit(void *vctx, const struct walk_entry *e)
{
	struct plan_ctx *c = vctx;
	const struct statx *st = e->st;
	struct jw w;
	char buf[32];

	jw_begin(&w, c->listing);
	jw_bytes(&w, "path", e->path, e->path_len);
	jw_str(&w, "type", file_type_name(st->stx_mode));
	snprintf(buf, sizeof(buf), "%04o", st->stx_mode & 07777);
	jw_str(&w, "mode", buf);
	jw_int(&w, "uid", st->stx_uid);
	jw_int(&w, "gid", st->stx_gid);
	jw_int(&w, "size", (int64_t)st->stx_size);
	snprintf(buf, sizeof(buf), "%u:%u", st->stx_dev_major, st->stx_dev_minor);
	jw_str(&w, "dev", buf);
	jw_int(&w, "ino", (int64_t)st->stx_ino);
	jw_int(&w, "nlink", st->stx_nlink);
	jw_stx_time(&w, "atime", &st->stx_atime);
	jw_stx_time(&w, "mtime", &st->stx_mtime);
	jw_stx_time(&w, "ctime", &st->stx_ctime);
	if (st->stx_mask & STATX_BTIME)
		jw_stx_time(&w, "btime", &st->stx_btime);
	else
		jw_null(&w, "btime");
	if (S_ISLNK(st->stx_mode)) {
		char *t = NULL;
		size_t tl;
		if (host_readlink(e->dirfd, e->name, &t, &tl) == 0)
			jw_bytes(&w, "link_target", t, tl);
		free(t);
	}
	bool copy = c->s->max_file && is_exec_or_script(e->dirfd, e->name, st);
	jw_bool(&w, "copied", copy);
	jw_end(&w);
	if (c->listing->len > BODY_CHUNK - 65536 && emit_listing_chunk(c) < 0)
		return -EIO;
	if (copy) {
		int ret = host_copy_at(c->r, "list", e->dirfd, e->name, e->path, c->s->max_file,
				       COPY_OPTIONAL);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* TSK bodyfile: MD5|name|inode|mode_as_string|UID|GID|size|atime|mtime|ctime|crtime
 * with SHA-256 in the hash column (or 0), names escaped so '|' and newlines
 * cannot break a line. */
/* The system binary directories: an executable whose directory is named
 * bin, sbin or libexec (/usr/bin, /usr/local/sbin, /opt/x/bin ...). */
static bool in_binary_dir(const char *path, size_t n)
{
	static const char *const dirs[] = { "bin", "sbin", "libexec" };
	const char *end = path + n, *slash = NULL;

	for (const char *p = end; p > path; p--)
		if (p[-1] == '/') {
			slash = p - 1;
			break;
		}
	if (!slash || slash == path)
		return false;
	const char *start = slash;
	while (start > path && start[-1] != '/')
		start--;
	size_t len = (size_t)(slash - start);
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (len == strlen(dirs[i]) && memcmp(start, dirs[i], len) == 0)
			return true;
	return false;
}

static void mode_string(unsigned mode, char out[13])
{
	char t = S_ISDIR(mode) ? 'd' : S_ISLNK(mode) ? 'l' : S_ISCHR(mode) ? 'c' :
		 S_ISBLK(mode) ? 'b' : S_ISFIFO(mode) ? 'p' : S_ISSOCK(mode) ? 's' : 'r';
	const char *rwx = "rwxrwxrwx";
	out[0] = t == 'r' ? 'r' : t;
	out[1] = '/';
	out[2] = t == 'r' ? '-' : t;
	for (int i = 0; i < 9; i++)
		out[3 + i] = (mode & (0400u >> i)) ? rwx[i] : '-';
	if (mode & 04000)
		out[5] = out[5] == 'x' ? 's' : 'S';
	if (mode & 02000)
		out[8] = out[8] == 'x' ? 's' : 'S';
	if (mode & 01000)
		out[11] = out[11] == 'x' ? 't' : 'T';
	out[12] = '\0';
}

static void body_name(struct capbuf *out, const char *s, size_t n)
{
	struct capbuf esc;
	capbuf_init(&esc, n * 4 + 16);
	text_escape(&esc, s, n);
	for (size_t i = 0; i < esc.len; i++) {
		if (esc.buf[i] == '|')
			capbuf_addstr(out, "\\x7c");
		else
			capbuf_add(out, &esc.buf[i], 1);
	}
	capbuf_release(&esc);
}

static int timeline_visit(void *vctx, const struct walk_entry *e)
{
	struct plan_ctx *c = vctx;
	const struct statx *st = e->st;
	char sha[65] = "0", mode[13];

	if (c->s->hash_exec && S_ISREG(st->stx_mode) && (st->stx_mode & 0111) &&
	    in_binary_dir(e->path, e->path_len)) {
		int fd = host_open(e->dirfd, e->name, 0, NULL, NULL);
		uint64_t n;
		if (fd >= 0) {
			if (sha256_fd(fd, HASH_EXEC_CAP, sha, &n) < 0)
				snprintf(sha, sizeof(sha), "0");
			close(fd);
		}
	}
	mode_string(st->stx_mode, mode);
	capbuf_printf(c->body, "%s|", sha);
	body_name(c->body, e->path, e->path_len);
	if (S_ISLNK(st->stx_mode)) {
		char *t = NULL;
		size_t tl;
		if (host_readlink(e->dirfd, e->name, &t, &tl) == 0) {
			capbuf_addstr(c->body, " -> ");
			body_name(c->body, t, tl);
		}
		free(t);
	}
	capbuf_printf(c->body, "|%" PRIu64 "|%s|%u|%u|%" PRIu64 "|%lld|%lld|%lld|%lld\n",
		      (uint64_t)st->stx_ino, mode, st->stx_uid, st->stx_gid,
		      (uint64_t)st->stx_size, (long long)st->stx_atime.tv_sec,
		      (long long)st->stx_mtime.tv_sec, (long long)st->stx_ctime.tv_sec,
		      (st->stx_mask & STATX_BTIME) ? (long long)st->stx_btime.tv_sec : 0LL);
	if (c->body->len > BODY_CHUNK - 65536)
		return emit_body_chunk(c->r, c->body, c->body_seq) < 0 ? -EIO : 0;
	return 0;
}

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

int walk_step(struct run *r, const struct step *s, struct capbuf *body, unsigned *seq)
{
	struct plan_ctx c = { .r = r, .s = s, .body = body, .body_seq = seq };
	int ret = 0;

	switch (s->kind) {
	case STEP_TREE:
		ret = run_walk(r, s, tree_visit, &c, "tree");
		if (c.skipped_total)
			run_log(r, "tree '%s': max-total of %" PRIu64 " bytes reached: %" PRIu64
				" files left out", shown(s->arg).s, s->max_total, c.skipped_total);
		return ret;
	case STEP_LIST: {
		struct capbuf listing;
		struct capbuf name;
		capbuf_init(&listing, BODY_CHUNK);
		capbuf_init(&name, 65536);
		capbuf_addstr(&name, "listing/");
		member_encode(&name, s->arg, strlen(s->arg));
		c.listing = &listing;
		c.listing_name = name.buf;
		ret = run_walk(r, s, list_visit, &c, "list");
		if (ret == 0)
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

int walk_body_flush(struct run *r, struct capbuf *body, unsigned *seq)
{
	return emit_body_chunk(r, body, seq);
}
