/* tarread.c - the strict reader of irsnap's tar subset (tarread.h). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hashthread.h"
#include "tarfmt.h"
#include "tarread.h"
#include "instream.h"
#include "banned.h"

#define RBUF (1u << 20)

struct rd {
	int fd;
	unsigned char *buf;
	size_t len, pos;
	bool eof;
	int err;
	uint64_t off;               /* stream offset of buf[pos] */
	struct hashthread *hash;
	const struct tarread_ops *ops;
	void *ctx;
	bool failed;
	char msg[512];
	struct instream *in;        /* the input, hashed, decrypted, decompressed */
};

static void fail(struct rd *r, const char *rule, const char *name, size_t nlen);

/* The identity verify decrypts with (tarread_identity), or none. */
static unsigned char id_sk[32];
static bool id_set;

void tarread_identity(const unsigned char *sk)
{
	id_set = sk != NULL;
	if (sk)
		memcpy(id_sk, sk, sizeof(id_sk));
	else
		explicit_bzero(id_sk, sizeof(id_sk));
}

static void fill(struct rd *r)
{
	while (r->pos == r->len && !r->eof && !r->err) {
		const unsigned char *p;
		ssize_t n = instream_block(r->in, &p);
		if (n == -EBADMSG || n == -ENOKEY) {   /* not this bundle, or not for us */
			snprintf(r->msg, sizeof(r->msg), "%s", instream_why(r->in));
			fail(r, r->msg, NULL, 0);
			r->eof = true;
			if (n == -ENOKEY)
				r->err = n;
			return;
		}
		if (n < 0) {
			r->err = (int)n;
			return;
		}
		if (n == 0) {
			r->eof = true;
			return;
		}
		r->buf = (unsigned char *)p;
		r->len = (size_t)n;
		r->pos = 0;
	}
}

/* Up to n bytes into dst (NULL: skip them); returns how many. */
static size_t get(struct rd *r, void *dst, size_t n)
{
	size_t got = 0;

	while (got < n) {
		fill(r);
		if (r->pos == r->len)
			break;
		size_t k = r->len - r->pos < n - got ? r->len - r->pos : n - got;
		if (dst)
			memcpy((unsigned char *)dst + got, r->buf + r->pos, k);
		r->pos += k;
		r->off += k;
		got += k;
	}
	return got;
}

static void fail(struct rd *r, const char *rule, const char *name, size_t nlen)
{
	if (r->failed)
		return;
	r->failed = true;
	if (r->ops->fail)
		r->ops->fail(r->ctx, rule, name, nlen);
}

static bool all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static bool header_ok(const unsigned char *blk)
{
	uint64_t sum;

	return tar_parse_num(blk + TAR_CHKSUM_OFF, TAR_CHKSUM_LEN, &sum) == 0 &&
	       sum == tar_checksum(blk);
}

/* Two zero blocks (the first is read), zeros up to a whole record, then
 * the end of the input. */
static void end_of_archive(struct rd *r)
{
	unsigned char blk[TAR_BLOCK];
	size_t n = get(r, blk, TAR_BLOCK);

	if (n < TAR_BLOCK) {
		fail(r, "the bundle ends after one zero block (truncated?)", NULL, 0);
		return;
	}
	if (!all_zero(blk, TAR_BLOCK)) {
		fail(r, "data after a single zero block (tar -i and bsdtar --ignore-zeros "
		     "would extract it)", NULL, 0);
		return;
	}
	for (size_t left = (size_t)((TAR_RECORD - r->off % TAR_RECORD) % TAR_RECORD);
	     left > 0;) {
		size_t k = left < TAR_BLOCK ? left : TAR_BLOCK;
		n = get(r, blk, k);
		if (n < k) {
			fail(r, "the last tar record is short (truncated?)", NULL, 0);
			return;
		}
		if (!all_zero(blk, k)) {
			fail(r, "data after the end-of-archive blocks (an appended archive "
			     "or hidden bytes)", NULL, 0);
			return;
		}
		left -= k;
	}
	if (get(r, blk, 1) != 0)
		fail(r, "bytes after the end of the archive (an appended archive?)", NULL, 0);
}

/* The name of the main header: pax path, else prefix "/" name. */
static char *header_name(const unsigned char *h, const struct tar_pax *x, size_t *ret_len)
{
	if (x->path) {   /* every byte, NULs too: the name is checked whole */
		char *p = malloc(x->path_len + 1);
		if (p) {
			memcpy(p, x->path, x->path_len);
			p[x->path_len] = '\0';
			*ret_len = x->path_len;
		}
		return p;
	}
	size_t nl = strnlen((const char *)h + TAR_NAME_OFF, TAR_NAME_LEN);
	size_t pl = strnlen((const char *)h + TAR_PREFIX_OFF, TAR_PREFIX_LEN);
	char *s = malloc(pl + 1 + nl + 1);
	size_t o = 0;

	if (!s)
		return NULL;
	if (pl) {
		memcpy(s, h + TAR_PREFIX_OFF, pl);
		s[pl] = '/';
		o = pl + 1;
	}
	memcpy(s + o, h + TAR_NAME_OFF, nl);
	s[o + nl] = '\0';
	*ret_len = o + nl;
	return s;
}

/* Whether `name` lies directly inside the directory `dir` ("a/b/"). */
static bool direct_child(const char *dir, const char *name, size_t nlen)
{
	size_t dl = strlen(dir);

	if (nlen <= dl || strncmp(name, dir, dl) != 0)
		return false;
	const char *slash = memchr(name + dl, '/', nlen - dl);
	return !slash || slash == name + nlen - 1;
}

struct member_state {
	unsigned char *hdr, *canon;
	char *pending_dir;          /* a directory its next member must be in */
	struct tarnames names;
	int64_t mtime;
};

/* One member, from its first header block (read into ms->hdr). Returns 1
 * to go on, 0 at the end of the archive or after a break, -errno. */
static int one_member(struct rd *r, struct member_state *ms, struct tarread_result *res)
{
	unsigned char *blk = ms->hdr;
	uint64_t hoff = r->off - TAR_BLOCK, size = 0, mtime;
	struct tar_pax x = { 0 };
	size_t hlen = TAR_BLOCK, nlen = 0;
	char *name = NULL;
	const char *rule;
	int ret = 0;

	if (blk[TAR_TYPE_OFF] == 'x') {
		uint64_t psize;
		if (tar_parse_num(blk + TAR_SIZE_OFF, TAR_NUM_LEN, &psize) < 0 ||
		    psize > TAR_PAX_MAX) {
			fail(r, "a pax header larger than collect writes", NULL, 0);
			goto out;
		}
		size_t want = (size_t)psize + tar_padding(psize);
		if (get(r, blk + TAR_BLOCK, want + TAR_BLOCK) < want + TAR_BLOCK) {
			fail(r, "the bundle ends inside a pax header (truncated)", NULL, 0);
			goto out;
		}
		if (!all_zero(blk + TAR_BLOCK + psize, want - psize)) {
			fail(r, "bytes hidden in the padding of a pax header", NULL, 0);
			goto out;
		}
		rule = tar_pax_parse(blk + TAR_BLOCK, (size_t)psize, &x, r->msg, sizeof(r->msg));
		if (rule) {
			fail(r, rule, x.path, x.path_len);
			goto out;
		}
		hlen = TAR_BLOCK + want + TAR_BLOCK;
		blk = ms->hdr + hlen - TAR_BLOCK;
		if (all_zero(blk, TAR_BLOCK) || !header_ok(blk)) {
			fail(r, "a pax header not followed by a valid member header", x.path,
			     x.path_len);
			goto out;
		}
	}
	unsigned char type = blk[TAR_TYPE_OFF];
	if (memcmp(blk + TAR_MAGIC_OFF, "ustar\0" "00", TAR_MAGIC_LEN) != 0) {
		fail(r, "not a POSIX ustar header (GNU or v7 tar format)", NULL, 0);
		goto out;
	}
	if (type != '0' && type != '5') {
		fail(r, tar_type_rule(type), x.path, x.path_len);
		goto out;
	}
	bool dir = type == '5';
	name = header_name(blk, &x, &nlen);
	if (!name) {
		ret = -ENOMEM;
		goto out;
	}
	if (x.has_size)
		size = x.size;
	else if (tar_parse_num(blk + TAR_SIZE_OFF, TAR_NUM_LEN, &size) < 0) {
		fail(r, "a size field collect never writes", name, nlen);
		goto out;
	}
	if (dir && (size || x.has_size)) {
		fail(r, x.has_size ? "a pax size on a directory (GNU tar would extract "
		     "its data as members)" : "data on a directory (GNU tar would extract "
		     "it as members)", name, nlen);
		goto out;
	}
	if (tar_parse_num(blk + TAR_MTIME_OFF, TAR_NUM_LEN, &mtime) < 0 ||
	    mtime >= (1ull << 33)) {
		fail(r, "an mtime field collect never writes", name, nlen);
		goto out;
	}
	if (ms->mtime < 0)
		ms->mtime = (int64_t)mtime;
	if (tarnames_place(&ms->names, name, nlen, dir, &rule) < 0) {
		fail(r, rule, name, nlen);
		goto out;
	}
	if (!tarnames_parent_placed(&ms->names, name, nlen)) {
		fail(r, "a member before its folder (collect writes every folder first)",
		     name, nlen);
		goto out;
	}
	if (ms->pending_dir && !direct_child(ms->pending_dir, name, nlen)) {
		fail(r, "a folder not followed by a member inside it (collect writes a "
		     "folder just before its first member)", ms->pending_dir,
		     strlen(ms->pending_dir));
		goto out;
	}
	int clen = tar_encode(ms->canon, name, nlen, dir, size, ms->mtime);
	if (clen < 0) {
		fail(r, "a member collect cannot write", name, nlen);
		goto out;
	}
	rule = tar_header_diff(ms->hdr, hlen, ms->canon, (size_t)clen, r->msg, sizeof(r->msg));
	if (rule) {
		fail(r, rule, name, nlen);
		goto out;
	}
	free(ms->pending_dir);
	ms->pending_dir = dir ? strdup(name) : NULL;
	if (dir && !ms->pending_dir) {
		ret = -ENOMEM;
		goto out;
	}
	struct tar_member m = { .name = name, .name_len = nlen, .dir = dir, .size = size,
				.offset = hoff };
	if (r->ops->member && (ret = r->ops->member(r->ctx, &m)) < 0)
		goto out;
	if (dir) {
		res->dirs++;
		ret = 1;
		goto out;
	}
	for (uint64_t left = size; left > 0;) {
		fill(r);
		if (r->pos == r->len) {
			fail(r, "the bundle ends inside this member's data (truncated)", name,
			     nlen);
			goto out;
		}
		size_t k = r->len - r->pos < left ? r->len - r->pos : (size_t)left;
		if (r->ops->data && (ret = r->ops->data(r->ctx, r->buf + r->pos, k)) < 0)
			goto out;
		r->pos += k;
		r->off += k;
		left -= k;
	}
	unsigned char pad[TAR_BLOCK];
	size_t np = tar_padding(size);
	if (get(r, pad, np) < np) {
		fail(r, "the bundle ends inside this member's padding (truncated)", name, nlen);
		goto out;
	}
	if (!all_zero(pad, np)) {
		fail(r, "bytes hidden in the padding after this member's data", name, nlen);
		goto out;
	}
	if (r->ops->member_end && (ret = r->ops->member_end(r->ctx, &m)) < 0)
		goto out;
	res->members++;
	ret = 1;
out:
	free(x.path);
	free(name);
	return ret;
}

int tarread_run(int fd, const struct tarread_ops *ops, void *ctx,
		struct tarread_result *res)
{
	struct rd r = { .fd = fd, .ops = ops, .ctx = ctx };
	struct member_state ms = { .mtime = -1 };
	int ret = 0;

	memset(res, 0, sizeof(*res));
	res->mtime = -1;
	ms.hdr = malloc(TAR_HEADER_MAX);
	ms.canon = malloc(TAR_HEADER_MAX);
	if (!ms.hdr || !ms.canon || hashthread_start(&r.hash, RBUF, -1, NULL) < 0 ||
	    instream_open(&r.in, fd, r.hash, id_set ? id_sk : NULL) < 0) {
		if (r.hash) {
			char unused[65];
			hashthread_finish(r.hash, unused, NULL);
		}
		instream_close(r.in);
		free(ms.hdr);
		free(ms.canon);
		return -ENOMEM;
	}
	for (bool first = true;; first = false) {
		size_t n = get(&r, ms.hdr, TAR_BLOCK);
		if (first && (n < TAR_BLOCK || !header_ok(ms.hdr) || all_zero(ms.hdr, TAR_BLOCK))) {
			/* a decryption or decompression that failed said why: invalid */
			ret = r.err ? r.err : r.failed ? 0 : -EINVAL;
			break;
		}
		if (n < TAR_BLOCK) {
			fail(&r, n ? "the bundle ends inside a header (truncated)" :
			     "the bundle ends without its end-of-archive blocks (truncated)",
			     NULL, 0);
			break;
		}
		if (all_zero(ms.hdr, TAR_BLOCK)) {
			if (ms.pending_dir)
				fail(&r, "a folder without a member inside it", ms.pending_dir,
				     strlen(ms.pending_dir));
			else
				end_of_archive(&r);
			break;
		}
		if (!header_ok(ms.hdr)) {
			snprintf(r.msg, sizeof(r.msg), "a damaged header at byte %llu (its "
				 "checksum does not match)", (unsigned long long)(r.off - TAR_BLOCK));
			fail(&r, r.msg, NULL, 0);
			break;
		}
		int k = one_member(&r, &ms, res);
		if (k < 0)
			ret = k;
		if (k <= 0 || r.failed)
			break;
	}
	if (!r.failed && ret == 0 && r.err)
		ret = r.err;
	while (!r.err && get(&r, NULL, RBUF) > 0)
		;   /* the rest, for the SHA-256 of the whole input */
	if ((!r.err || r.err == -ENOKEY) && instream_finish(r.in) < 0)
		fail(&r, instream_why(r.in), NULL, 0);
	if (ret == 0 && r.err)
		ret = r.err;
	if (hashthread_finish(r.hash, res->sha256, NULL) < 0 && ret == 0)
		ret = -EIO;
	res->bytes = instream_total(r.in);
	res->subset_ok = !r.failed && ret == 0;
	res->mtime = ms.mtime;
	instream_close(r.in);
	free(ms.hdr);
	free(ms.canon);
	free(ms.pending_dir);
	tarnames_free(&ms.names);
	return ret;
}
