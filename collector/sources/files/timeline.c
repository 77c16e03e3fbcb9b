/* timeline.c - the `timeline` step: Sleuth Kit bodyfile lines, cut every
 * 16 MiB, with SHA-256 of the executables of binary folders beside each
 * chunk (walksteps.h). */
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


int emit_body_chunk(struct run *r, struct timeline_out *tl)
{
	char member[64];
	int ret = 0;

	if (!tl->body.len)
		return 0;
	tl->seq++;
	if (tl->sums.len) {   /* first: a reader of the chunk knows its hashes */
		snprintf(member, sizeof(member), "timeline/sha256.%04u", tl->seq);
		ret = run_emit(r, "timeline", member, &tl->sums);
		capbuf_reset(&tl->sums);
	}
	snprintf(member, sizeof(member), "timeline/bodyfile.%04u", tl->seq);
	int e = run_emit(r, "timeline", member, &tl->body);
	capbuf_reset(&tl->body);
	return ret < 0 ? ret : e;
}

/* listing/<path>.NNNN.jsonl: cut every 16 MiB so memory stays bounded */

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

int timeline_visit(void *vctx, const struct walk_entry *e)
{
	struct plan_ctx *c = vctx;
	const struct statx *st = e->st;
	char sha[65] = "", mode[13];
	struct capbuf *body = &c->tl->body;

	if (c->s->hash_exec && S_ISREG(st->stx_mode) && (st->stx_mode & 0111) &&
	    in_binary_dir(e->path, e->path_len)) {
		int fd = host_open(e->dirfd, e->name, 0, NULL, NULL);
		uint64_t n;
		if (fd >= 0) {
			if (sha256_fd(fd, HASH_EXEC_CAP, sha, &n) < 0)
				sha[0] = '\0';
			close(fd);
		}
	}
	mode_string(st->stx_mode, mode);
	size_t name_at = body->len + 2;   /* after "0|" */
	capbuf_addstr(body, "0|");   /* the MD5 column: plaso accepts 0 or MD5 only */
	body_name(body, e->path, e->path_len);
	if (sha[0])   /* "<sha256>  <name>", the name as the bodyfile has it */
		capbuf_printf(&c->tl->sums, "%s  %.*s\n", sha, (int)(body->len - name_at),
			      body->buf + name_at);
	if (S_ISLNK(st->stx_mode)) {
		char *t = NULL;
		size_t tl;
		if (host_readlink(e->dirfd, e->name, &t, &tl) == 0) {
			capbuf_addstr(body, " -> ");
			body_name(body, t, tl);
		}
		free(t);
	}
	capbuf_printf(body, "|%" PRIu64 "|%s|%u|%u|%" PRIu64 "|%lld|%lld|%lld|%lld\n",
		      (uint64_t)st->stx_ino, mode, st->stx_uid, st->stx_gid,
		      (uint64_t)st->stx_size, (long long)st->stx_atime.tv_sec,
		      (long long)st->stx_mtime.tv_sec, (long long)st->stx_ctime.tv_sec,
		      (st->stx_mask & STATX_BTIME) ? (long long)st->stx_btime.tv_sec : 0LL);
	if (body->len > BODY_CHUNK - 65536 || c->tl->sums.len > BODY_CHUNK - 65536)
		return emit_body_chunk(c->r, c->tl) < 0 ? -EIO : 0;
	return 0;
}

