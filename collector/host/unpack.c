/* unpack.c - compressed host files through libarchive's raw filters (unpack.h). */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unpack.h"
#include "banned.h"

struct unpacker {
	struct archive *a;
	uint64_t cap, out;
	const char *filter;
	const unsigned char *blk;  /* the block libarchive gave, and what is left */
	size_t left;
	int pending;               /* an error met after bytes were given */
	char err[256];
	bool done;
	struct unpacker_src *src;  /* the caller's reader, or NULL: an fd */
};

static void set_err(struct unpacker *u, const char *what)
{
	const char *why = archive_error_string(u->a);
	snprintf(u->err, sizeof(u->err), "%s%s%s", what, why ? ": " : "", why ? why : "");
}

struct unpacker_src {
	ssize_t (*read)(void *ctx, const void **buf);
	void *ctx;
};

static la_ssize_t read_cb(struct archive *a, void *v, const void **buf)
{
	struct unpacker_src *s = v;
	ssize_t n = s->read(s->ctx, buf);

	if (n < 0) {
		archive_set_error(a, (int)-n, "cannot read the input");
		return -1;
	}
	return n;
}

/* The filters, the raw format, then fd or src; the first header. */
static int open_with(struct unpacker **ret, int fd, struct unpacker_src *src, uint64_t cap)
{
	struct unpacker *u = calloc(1, sizeof(*u));
	struct archive_entry *e;

	*ret = NULL;
	if (!u || !(u->a = archive_read_new())) {
		free(u);
		return -ENOMEM;
	}
	u->cap = cap;
	*ret = u;
	/* each filter with its library linked in; ARCHIVE_WARN means it would
	 * run an external program instead: not allowed */
	int (*const filters[])(struct archive *) = {
		archive_read_support_filter_gzip, archive_read_support_filter_xz,
		archive_read_support_filter_lzma, archive_read_support_filter_zstd,
		archive_read_support_filter_bzip2, archive_read_support_filter_lz4,
		archive_read_support_filter_compress,
	};
	for (size_t i = 0; i < sizeof(filters) / sizeof(filters[0]); i++)
		if (filters[i](u->a) != ARCHIVE_OK) {
			set_err(u, "a decompressor is missing from this build");
			return -EINVAL;
		}
	int r = archive_read_support_format_raw(u->a);
	if (r == ARCHIVE_OK)
		r = src ? archive_read_open(u->a, src, NULL, read_cb, NULL) :
			  archive_read_open_fd(u->a, fd, 1u << 16);
	if (r != ARCHIVE_OK) {
		set_err(u, "cannot start reading");
		return -EINVAL;
	}
	if (archive_read_next_header(u->a, &e) != ARCHIVE_OK) {
		set_err(u, "not a compressed stream irsnap reads");
		return -EINVAL;
	}
	/* filter 0 is the outermost: "none" when nothing was recognised */
	u->filter = archive_filter_count(u->a) > 1 ? archive_filter_name(u->a, 0) : NULL;
	if (!u->filter) {
		snprintf(u->err, sizeof(u->err), "not compressed by a format irsnap reads");
		return -ENOMSG;
	}
	return 0;
}

int unpack_open(struct unpacker **ret, int fd, uint64_t cap)
{
	return open_with(ret, fd, NULL, cap);
}

int unpack_open_cb(struct unpacker **ret, ssize_t (*read_fn)(void *ctx, const void **buf),
		   void *ctx, uint64_t cap)
{
	struct unpacker_src *src = malloc(sizeof(*src));
	if (!src)
		return -ENOMEM;
	*src = (struct unpacker_src){ read_fn, ctx };
	int r = open_with(ret, -1, src, cap);
	if (*ret)
		(*ret)->src = src;
	else
		free(src);
	return r;
}

const char *unpack_filter(const struct unpacker *u)
{
	return u->filter ? u->filter : "none";
}

/* The next block: 1, 0 at the end, or -EIO. Blocks, not archive_read_data():
 * that drops what it copied in the call that meets an error. */
static int next_block(struct unpacker *u)
{
	const void *p;
	size_t len = 0;
	la_int64_t off;

	while (u->left == 0) {
		int r = archive_read_data_block(u->a, &p, &len, &off);
		if (r == ARCHIVE_EOF)
			return 0;
		if (r < ARCHIVE_OK) {
			set_err(u, "corrupt or truncated compressed stream");
			return -EIO;
		}
		u->blk = p;
		u->left = len;
	}
	return 1;
}

ssize_t unpack_read(struct unpacker *u, void *buf, size_t n)
{
	size_t done = 0;

	while (done < n && !u->done) {
		int r = next_block(u);
		if (r <= 0) {
			u->done = true;
			if (r < 0 && done == 0)
				return r;
			if (r < 0)
				u->pending = r;   /* said at the next call */
			break;
		}
		if (u->out >= u->cap) {
			u->done = true;
			snprintf(u->err, sizeof(u->err), "more than %llu bytes decompressed",
				 (unsigned long long)u->cap);
			if (done == 0)
				return -E2BIG;
			u->pending = -E2BIG;
			break;
		}
		size_t k = n - done < u->left ? n - done : u->left;
		if (k > u->cap - u->out)
			k = (size_t)(u->cap - u->out);
		memcpy((char *)buf + done, u->blk, k);
		u->blk += k;
		u->left -= k;
		u->out += k;
		done += k;
	}
	if (done == 0 && u->pending) {
		int r = u->pending;
		u->pending = 0;
		return r;
	}
	return (ssize_t)done;
}

uint64_t unpack_out_bytes(const struct unpacker *u)
{
	return u->out;
}

const char *unpack_error(const struct unpacker *u)
{
	return u->err[0] ? u->err : "no error";
}

void unpack_close(struct unpacker *u)
{
	if (!u)
		return;
	if (u->a)
		archive_read_free(u->a);
	free(u->src);
	free(u);
}
