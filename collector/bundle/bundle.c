/*
 * bundle.c - the evidence tar writer (bundle.h): irsnap's tar subset
 * (tarfmt.h), written in blocks of BLOCK_BYTES to the output fd, every byte
 * hashed for its member and for the whole bundle.
 *
 * Why not libarchive's pax writer: verify must accept exactly what collect
 * writes, byte for byte (issue 11), and the only way to make that hold is
 * one encoder shared by the writer and the reader (tar_encode()). A
 * library's writer would leave the exact bytes to the library's version and
 * its charset conversion (libarchive adds "hdrcharset" when iconv is
 * refused, as in the static build).
 */
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bundle.h"
#include "capbuf.h"
#include "hashthread.h"
#include "tarfmt.h"
#include "textutil.h"
#include "banned.h"

#define MANIFEST_MAX (256u << 20)   /* 256 MiB of manifest lines */

struct bundle {
	int fd;
	char *display;
	char *id;
	int64_t mtime;
	struct hashthread *total; /* every byte written to fd, hashed on another core */
	uint64_t total_bytes;
	unsigned char *block;    /* BLOCK_BYTES being filled: a slot of total's */
	size_t fill;
	EVP_MD_CTX *member;      /* the member being written */
	char *cur_name;          /* full name of the open member, or NULL */
	uint64_t cur_size, cur_written;
	struct tarnames names;   /* members and directories written */
	struct capbuf manifest;
	int fatal;               /* -errno once the output failed */
	char error[512];
	bool closed;
	void (*tap)(void *ctx, const char *name, const void *data, size_t len);
	void *tap_ctx;
};

void bundle_set_tap(struct bundle *b, void (*fn)(void *ctx, const char *name,
						 const void *data, size_t len), void *ctx)
{
	b->tap = fn;
	b->tap_ctx = ctx;
}

static const char *rel_name(const struct bundle *b)
{
	return b->cur_name + strlen(b->id) + 1;
}

/* 1000 KiB writes instead of tar's 10 KiB records: a gigabyte of logs is a
 * thousand write()s and ring hand-offs (hashthread.h), not 100,000; the end
 * is padded to a whole TAR_RECORD, as GNU tar would */
#define BLOCK_BYTES (100 * TAR_RECORD)

static void set_fatal(struct bundle *b, int err, const char *what)
{
	if (b->fatal)
		return;
	b->fatal = err ? -abs(err) : -EIO;
	snprintf(b->error, sizeof(b->error), "cannot write '%s': %s", b->display,
		 what ? what : strerror(-b->fatal));
}

/* A write the helper found failing, made the bundle's fatal error. */
static int out_error(struct bundle *b)
{
	if (!b->fatal && b->total) {
		int e = hashthread_error(b->total);
		if (e < 0)
			set_fatal(b, -e, e == -EIO ? "short write, or SHA-256 failed" : NULL);
	}
	return b->fatal;
}

/* The block out: handed to the helper, which writes it to the output and
 * hashes it where it lies (hashthread.h), and the next slot claimed. A
 * write that failed shows here, a few blocks later. */
static int flush_block(struct bundle *b)
{
	if (b->fatal)
		return b->fatal;
	int e = hashthread_publish(b->total, b->fill);
	if (e < 0) {
		set_fatal(b, -e, e == -EIO ? "short write, or SHA-256 failed" : NULL);
		return b->fatal;
	}
	b->total_bytes += b->fill;
	b->fill = 0;
	b->block = hashthread_claim(b->total);
	return 0;
}

/* Append to the block being filled; a full block goes out. */
static int emit(struct bundle *b, const void *data, size_t len)
{
	const unsigned char *p = data;

	while (len && !b->fatal) {
		size_t n = BLOCK_BYTES - b->fill < len ? BLOCK_BYTES - b->fill : len;
		memcpy(b->block + b->fill, p, n);
		b->fill += n;
		p += n;
		len -= n;
		if (b->fill == BLOCK_BYTES)
			flush_block(b);
	}
	return b->fatal;
}

static int emit_zeros(struct bundle *b, size_t n)
{
	static const unsigned char zeros[TAR_BLOCK];

	while (n && !b->fatal) {
		size_t k = n < sizeof(zeros) ? n : sizeof(zeros);
		emit(b, zeros, k);
		n -= k;
	}
	return b->fatal;
}

static char *full_name(const struct bundle *b, const char *name)
{
	size_t n = strlen(b->id) + 1 + strlen(name) + 1;
	char *s = malloc(n);

	if (s && snprintf(s, n, "%s/%s", b->id, name) != (int)n - 1) {
		free(s);
		return NULL;
	}
	return s;
}

static int write_header(struct bundle *b, const char *full, bool dir, uint64_t size)
{
	unsigned char *h = malloc(TAR_HEADER_MAX);
	const char *rule = NULL;
	size_t len = strlen(full);
	int r;

	if (!h)
		return -ENOMEM;
	r = tarnames_place(&b->names, full, len, dir, &rule);
	if (r == 0)
		r = tar_encode(h, full, len, dir, size, b->mtime);
	if (r > 0)
		r = emit(b, h, (size_t)r);
	free(h);
	return r;
}

/* Emit "<id>/a/", "<id>/a/b/" ... for the parents of `full` not yet seen. */
static int write_parents(struct bundle *b, const char *full)
{
	char *tmp = strdup(full);
	int r = 0;

	if (!tmp)
		return -ENOMEM;
	for (char *p = strchr(tmp, '/'); p && r == 0; p = strchr(p + 1, '/')) {
		if (!tarnames_has_dir(&b->names, tmp, (size_t)(p - tmp) + 1)) {
			char save = p[1];
			p[1] = '\0';
			r = write_header(b, tmp, true, 0);
			p[1] = save;
		}
	}
	free(tmp);
	return r;
}

int bundle_open(struct bundle **ret, int fd, const char *display,
		const char *id, int64_t mtime)
{
	return bundle_open_z(ret, fd, display, id, mtime, NULL);
}

int bundle_open_z(struct bundle **ret, int fd, const char *display,
		  const char *id, int64_t mtime, const struct hash_out *o)
{
	struct bundle *b = calloc(1, sizeof(*b));
	int r = -ENOMEM;

	if (!b)
		return -ENOMEM;
	b->fd = fd;
	b->mtime = mtime;
	capbuf_init(&b->manifest, MANIFEST_MAX);
	b->display = strdup(display);
	b->id = strdup(id);
	b->member = EVP_MD_CTX_new();
	if ((r = hashthread_start(&b->total, BLOCK_BYTES, fd, o)) < 0) {
		b->total = NULL;
		goto fail;
	}
	r = -ENOMEM;
	b->block = hashthread_claim(b->total);
	if (!b->display || !b->id || !b->total || !b->member || !b->block)
		goto fail;
	if (mtime < 0 || mtime >= (1ll << 33)) {
		r = -EINVAL;
		goto fail;
	}
	char *top = full_name(b, "");
	if (!top) {
		r = -ENOMEM;
		goto fail;
	}
	r = write_parents(b, top);
	free(top);
	if (r < 0)
		goto fail;
	*ret = b;
	return 0;
fail:
	if (b->fatal && !r)
		r = b->fatal;
	bundle_free(b);
	return r;
}

int bundle_begin(struct bundle *b, const char *name, uint64_t size)
{
	int r;

	if (out_error(b))
		return b->fatal;
	if (b->cur_name || b->closed)
		return -EBUSY;
	if (!member_name_safe(name))
		return -EINVAL;
	char *full = full_name(b, name);
	if (!full)
		return -ENOMEM;
	/* the whole name against every rule before anything is written: a
	 * refused member leaves no parent directory behind */
	const char *rule;
	r = tarnames_check(&b->names, full, strlen(full), false, &rule);
	/* the manifest line's room, now: a member in the tar is always in the
	 * manifest (bundle_end cannot fail to list it for want of memory) */
	if (r == 0)
		r = capbuf_reserve(&b->manifest, SHA256_HEX_LEN + 2 + strlen(full));
	size_t fill0 = b->fill;
	uint64_t bytes0 = b->total_bytes;
	if (r == 0)
		r = write_parents(b, full);
	if (r == 0)
		r = write_header(b, full, false, size);
	/* a folder's header is out, its first member's is not (no memory for
	 * its name): verify would refuse such a tar, so it is not finished */
	if (r < 0 && !b->fatal && (b->fill != fill0 || b->total_bytes != bytes0))
		set_fatal(b, r, "out of memory between a folder's header and its first "
			  "member's: the tar cannot be completed");
	if (r == 0 && EVP_DigestInit_ex(b->member, EVP_sha256(), NULL) != 1)
		r = -EIO;
	if (r < 0) {
		free(full);
		return r;
	}
	b->cur_name = full;
	b->cur_size = size;
	b->cur_written = 0;
	return 0;
}

int bundle_write(struct bundle *b, const void *data, size_t len)
{
	if (b->fatal)
		return b->fatal;
	if (!b->cur_name)
		return -EBADF;
	if (len > b->cur_size - b->cur_written)
		return -EFBIG;
	if (EVP_DigestUpdate(b->member, data, len) != 1)
		return -EIO;
	if (emit(b, data, len) < 0)
		return b->fatal;
	b->cur_written += len;
	if (b->tap && len)
		b->tap(b->tap_ctx, rel_name(b), data, len);
	return 0;
}

void *bundle_space(struct bundle *b, size_t *room)
{
	if (b->fatal || !b->cur_name || !b->block) {
		*room = 0;
		return NULL;
	}
	*room = BLOCK_BYTES - b->fill;
	return b->block + b->fill;
}

int bundle_wrote(struct bundle *b, size_t len)
{
	if (b->fatal)
		return b->fatal;
	if (!b->cur_name)
		return -EBADF;
	if (len > BLOCK_BYTES - b->fill || len > b->cur_size - b->cur_written)
		return -EFBIG;
	const unsigned char *data = b->block + b->fill;
	if (EVP_DigestUpdate(b->member, data, len) != 1)
		return -EIO;
	if (b->tap && len)
		b->tap(b->tap_ctx, rel_name(b), data, len);
	b->fill += len;
	b->cur_written += len;
	if (b->fill == BLOCK_BYTES)
		flush_block(b);
	return b->fatal;
}

int bundle_end(struct bundle *b, char ret_sha256[SHA256_HEX_LEN], uint64_t *ret_padded)
{
	static const char zeros[8192];
	uint64_t padded = 0;
	int r = 0;

	if (!b->cur_name)
		return -EBADF;
	while (r == 0 && b->cur_written < b->cur_size) {
		uint64_t left = b->cur_size - b->cur_written;
		size_t n = left < sizeof(zeros) ? (size_t)left : sizeof(zeros);
		r = bundle_write(b, zeros, n);
		if (r == 0)
			padded += n;
	}
	if (r == 0)
		r = emit_zeros(b, tar_padding(b->cur_size));

	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	char hex[SHA256_HEX_LEN];
	if (EVP_DigestFinal_ex(b->member, md, &mdlen) != 1 || mdlen != 32) {
		if (r == 0)
			r = -EIO;
		hex[0] = '\0';
	} else {
		hex_encode(hex, md, 32);
	}
	/* the manifest lists the member even if the output failed: it is not
	 * written then anyway, and the name keeps its place for the record */
	if (b->tap)
		b->tap(b->tap_ctx, rel_name(b), NULL, 0);
	if (r == 0) {   /* into the room bundle_begin reserved */
		capbuf_add(&b->manifest, hex, strlen(hex));
		capbuf_add(&b->manifest, "  ", 2);
		capbuf_addstr(&b->manifest, b->cur_name + strlen(b->id) + 1);
		capbuf_add(&b->manifest, "\n", 1);
	}
	if (ret_sha256)
		memcpy(ret_sha256, hex, SHA256_HEX_LEN);
	if (ret_padded)
		*ret_padded = padded;
	free(b->cur_name);
	b->cur_name = NULL;
	return r;
}

int bundle_add_bytes(struct bundle *b, const char *name, const void *data,
		     size_t len, char ret_sha256[SHA256_HEX_LEN])
{
	int r = bundle_begin(b, name, len);

	if (r < 0)
		return r;
	r = bundle_write(b, data, len);
	int r2 = bundle_end(b, ret_sha256, NULL);
	return r < 0 ? r : r2;
}

bool bundle_has(const struct bundle *b, const char *name)
{
	char *full = full_name(b, name);
	bool has = full && strset_has(&b->names.files, full);

	free(full);
	return has;
}

const char *bundle_manifest(const struct bundle *b, size_t *ret_len)
{
	*ret_len = b->manifest.len;
	return b->manifest.buf ? b->manifest.buf : "";
}

int bundle_seal(struct bundle *b, const unsigned char *sig, size_t siglen,
		char ret_manifest_sha256[SHA256_HEX_LEN])
{
	/* the manifest's own line must not enter the manifest: take it out */
	size_t mlen = 0;
	char *mtext = capbuf_detach(&b->manifest, &mlen);
	int r;

	if (!mtext)
		return -ENOMEM;
	r = bundle_add_bytes(b, "MANIFEST.sha256", mtext, mlen, ret_manifest_sha256);
	if (r == 0)
		r = bundle_add_bytes(b, "MANIFEST.sha256.sig", sig, siglen, NULL);
	capbuf_reset(&b->manifest);
	free(mtext);
	return r;
}

int bundle_close(struct bundle *b, char ret_total_sha256[SHA256_HEX_LEN],
		 uint64_t *ret_total_bytes)
{
	int r = 0;

	if (!b->closed) {
		b->closed = true;
		/* two zero blocks end the archive; zeros up to a whole record */
		uint64_t end = b->total_bytes + b->fill + 2 * TAR_BLOCK;
		emit_zeros(b, 2 * TAR_BLOCK + (size_t)((TAR_RECORD - end % TAR_RECORD) %
						       TAR_RECORD));
		if (b->fill)
			flush_block(b);
	}
	if (b->fatal)
		r = b->fatal;
	uint64_t written = 0;
	if (b->total) {
		int e = hashthread_finish(b->total, ret_total_sha256, &written);
		b->total = NULL;
		if (e < 0) {   /* a write of the last blocks failed */
			set_fatal(b, -e, e == -EIO ? "short write, or SHA-256 failed" : NULL);
			if (r == 0)
				r = b->fatal;
		}
	} else {
		ret_total_sha256[0] = '\0';
	}
	if (ret_total_bytes)
		*ret_total_bytes = written;   /* compressed: fewer than the tar's */
	return r;
}

uint64_t bundle_bytes(const struct bundle *b)
{
	return b->total_bytes + b->fill;
}

bool bundle_dead(const struct bundle *b)
{
	return b->fatal != 0;
}

const char *bundle_error(const struct bundle *b)
{
	return b->fatal ? b->error : "";
}

void bundle_free(struct bundle *b)
{
	if (!b)
		return;
	if (b->total) {
		char unused[SHA256_HEX_LEN];
		hashthread_finish(b->total, unused, NULL);
	}
	EVP_MD_CTX_free(b->member);
	tarnames_free(&b->names);
	capbuf_release(&b->manifest);
	free(b->cur_name);
	free(b->display);
	free(b->id);
	free(b);
}
