/*
 * zwrite.c - compression of the bundle stream through libarchive's write
 * filters over its raw format (zwrite.h). The tar itself is tarfmt.c's:
 * libarchive only compresses its bytes.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "zwrite.h"
#include "banned.h"

struct zwriter {
	struct archive *a;
	int (*sink)(void *ctx, const void *p, size_t n);
	void *ctx;
	int err;                 /* the sink's first error */
};

static la_ssize_t write_cb(struct archive *a, void *v, const void *buf, size_t n)
{
	struct zwriter *z = v;

	(void)a;
	if (!z->err)
		z->err = z->sink(z->ctx, buf, n);
	if (z->err) {
		archive_set_error(a, -z->err, "the output failed");
		return -1;
	}
	return (la_ssize_t)n;
}

int zwriter_known(const char *filter)
{
	return filter && (!strcmp(filter, "zstd") || !strcmp(filter, "gzip"));
}

int zwriter_open(struct zwriter **ret, const char *filter,
		 int (*sink)(void *ctx, const void *p, size_t n), void *ctx)
{
	struct zwriter *z;
	struct archive_entry *e;

	*ret = NULL;
	if (!zwriter_known(filter))
		return -EINVAL;
	if (!(z = calloc(1, sizeof(*z))) || !(z->a = archive_write_new())) {
		free(z);
		return -ENOMEM;
	}
	z->sink = sink;
	z->ctx = ctx;
	int r = !strcmp(filter, "zstd") ? archive_write_add_filter_zstd(z->a) :
		archive_write_add_filter_gzip(z->a);
	/* ARCHIVE_WARN: it would run an external program: refused */
	if (r != ARCHIVE_OK || archive_write_set_format_raw(z->a) != ARCHIVE_OK ||
	    archive_write_set_bytes_per_block(z->a, 0) != ARCHIVE_OK ||
	    archive_write_open2(z->a, z, NULL, write_cb, NULL, NULL) != ARCHIVE_OK ||
	    !(e = archive_entry_new())) {
		archive_write_free(z->a);
		free(z);
		return -EINVAL;
	}
	archive_entry_set_filetype(e, AE_IFREG);
	r = archive_write_header(z->a, e);
	archive_entry_free(e);
	if (r != ARCHIVE_OK) {
		archive_write_free(z->a);
		free(z);
		return -EINVAL;
	}
	*ret = z;
	return 0;
}

int zwriter_write(struct zwriter *z, const void *p, size_t n)
{
	const char *c = p;

	while (n && !z->err) {
		la_ssize_t k = archive_write_data(z->a, c, n);
		if (k <= 0)
			return z->err ? z->err : -EIO;
		c += k;
		n -= (size_t)k;
	}
	return z->err;
}

int zwriter_close(struct zwriter *z)
{
	int r = archive_write_close(z->a) == ARCHIVE_OK ? 0 : -EIO;

	if (z->err)
		r = z->err;
	archive_write_free(z->a);
	free(z);
	return r;
}
