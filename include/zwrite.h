/*
 * zwrite.h - the bundle's bytes compressed as they go out (issue 20, item
 * 4): libarchive's zstd or gzip write filter over its raw format, so the
 * output is a plain .tar.zst or .tar.gz that `tar --zstd -x`, `zstd -dc`
 * and `gzip -dc` read. The compressed bytes go to `sink` (the hash of the
 * whole bundle and the write), in order; memory stays the filter's.
 */
#ifndef IRSNAP_ZWRITE_H
#define IRSNAP_ZWRITE_H

#include <stddef.h>

struct zwriter;

/* filter: "zstd" or "gzip". 0, -EINVAL (another name, or this build lacks
 * it), -ENOMEM. */
int zwriter_open(struct zwriter **ret, const char *filter,
		 int (*sink)(void *ctx, const void *p, size_t n), void *ctx);
/* 0, or the sink's first error (-errno), or -EIO. */
int zwriter_write(struct zwriter *z, const void *p, size_t n);
/* The end of the stream flushed to the sink; z freed. 0 or as above. */
int zwriter_close(struct zwriter *z);
/* Whether a name is a filter zwriter_open takes. */
int zwriter_known(const char *filter);

#endif
