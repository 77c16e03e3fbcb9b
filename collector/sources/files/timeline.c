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
#include <sys/sysmacros.h>
#include <sys/xattr.h>

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

/* Shared libraries and kernel modules by name: *.so, *.so.N..., *.ko[.xz|.zst|.gz]. */
static bool is_code_name(const char *name)
{
	size_t n = strlen(name);
	static const char *const ko[] = { ".ko", ".ko.xz", ".ko.zst", ".ko.gz" };
	for (size_t i = 0; i < sizeof(ko) / sizeof(ko[0]); i++) {
		size_t k = strlen(ko[i]);
		if (n > k && strcmp(name + n - k, ko[i]) == 0)
			return true;
	}
	const char *so = strstr(name, ".so");
	while (so) {
		const char *t = so + 3;
		while (*t == '.' && t[1] >= '0' && t[1] <= '9') {
			t++;
			while (*t >= '0' && *t <= '9')
				t++;
		}
		if (!*t && so > name)
			return true;
		so = strstr(so + 1, ".so");
	}
	return false;
}

/* Hash it, read its capabilities: one open, never of anything but a
 * regular file, never changing its atime (host_open). */
static void read_file_extra(struct plan_ctx *c, const struct walk_entry *e,
			    struct file_extra *x)
{
	const struct statx *st = e->st;
	if (!S_ISREG(st->stx_mode))
		return;
	bool exec = st->stx_mode & 0111;
	bool hash = (c->s->hash_exec && exec && in_binary_dir(e->path, e->path_len)) ||
		    (c->s->hash_code && (exec || is_code_name(e->name)));
	if (!hash && !exec)   /* capabilities act only on what can be executed */
		return;
	int fd = host_open(e->dirfd, e->name, 0, NULL, NULL);
	if (fd < 0)
		return;
	if (exec) {
		ssize_t n = fgetxattr(fd, "security.capability", x->caps, sizeof(x->caps));
		if (n < 0 && errno == ERANGE)   /* larger than any revision: kept cut, marked bad */
			n = sizeof(x->caps);
		x->caps_len = n > 0 ? (size_t)n : 0;
	}
	uint64_t got;
	if (hash && sha256_fd(fd, HASH_EXEC_CAP, x->sha, &got) < 0)
		x->sha[0] = '\0';
	close(fd);
}

int timeline_visit(void *vctx, const struct walk_entry *e)
{
	struct plan_ctx *c = vctx;
	const struct statx *st = e->st;
	struct file_extra x = { .sha = "" };
	char mode[13];
	struct capbuf *body = &c->tl->body;
	char *target = NULL;

	read_file_extra(c, e, &x);
	if (S_ISLNK(st->stx_mode) && host_readlink(e->dirfd, e->name, &target, &x.link_len) == 0)
		x.link = target;
	mode_string(st->stx_mode, mode);
	size_t name_at = body->len + 2;   /* after "0|" */
	capbuf_addstr(body, "0|");   /* the MD5 column: plaso accepts 0 or MD5 only */
	body_name(body, e->path, e->path_len);
	if (x.sha[0])   /* "<sha256>  <name>", the name as the bodyfile has it */
		capbuf_printf(&c->tl->sums, "%s  %.*s\n", x.sha, (int)(body->len - name_at),
			      body->buf + name_at);
	if (x.link) {
		capbuf_addstr(body, " -> ");
		body_name(body, x.link, x.link_len);
	}
	capbuf_printf(body, "|%" PRIu64 "|%s|%u|%u|%" PRIu64 "|%lld|%lld|%lld|%lld\n",
		      (uint64_t)st->stx_ino, mode, st->stx_uid, st->stx_gid,
		      (uint64_t)st->stx_size, (long long)st->stx_atime.tv_sec,
		      (long long)st->stx_mtime.tv_sec, (long long)st->stx_ctime.tv_sec,
		      (st->stx_mask & STATX_BTIME) ? (long long)st->stx_btime.tv_sec : 0LL);
	int ret = timeline_json_add(c, e, &x);
	free(target);
	if (ret < 0)
		return ret;
	if (S_ISDIR(st->stx_mode) && c->r->output_dev &&
	    makedev(st->stx_dev_major, st->stx_dev_minor) == c->r->output_dev) {
		if (!c->r->output_dev_logged)   /* another case's bundles are not this one's */
			run_log(c->r, "timeline: '%s', on the file system the bundle is written "
				"to, is listed but not entered", shown(e->path).s);
		c->r->output_dev_logged = true;
		ret = 1;
	}
	if (body->len > BODY_CHUNK - 65536 || c->tl->sums.len > BODY_CHUNK - 65536)
		return emit_body_chunk(c->r, c->tl) < 0 ? -EIO : ret;
	return ret;
}
