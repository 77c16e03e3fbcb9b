/*
 * unpack.h - the bytes of a compressed host file, decompressed in memory
 * (host/unpack.c): logrotate's wtmp.1.gz, btmp.2.xz, wtmp.3.zst.
 *
 * libarchive's raw read filters (gzip, xz, lzma, zstd, bzip2, lz4,
 * compress) read the fd the caller opened with host_open(); the filter is
 * chosen by the content, never the name, and no program is ever run for a
 * format the library lacks (such a filter is refused). Nothing touches a
 * file system: no temporary file. The output is counted: reading stops at
 * `cap` bytes (-E2BIG), so a decompression bomb costs time, not memory.
 */
#ifndef IRSNAP_UNPACK_H
#define IRSNAP_UNPACK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct unpacker;

/* 0, or -ENOMEM; -ENOMSG when the content is not compressed at all,
 * -EINVAL when it cannot be read (see unpack_error()). The fd stays the
 * caller's; *ret is set whenever an unpacker was made (close it). */
int unpack_open(struct unpacker **ret, int fd, uint64_t cap);
/* The same over a reader of the caller's (a bundle read and hashed as it
 * comes, tarread.c): read_fn gives the next block of compressed bytes
 * (*buf, valid until its next call), 0 at the end, or -errno. */
int unpack_open_cb(struct unpacker **ret, ssize_t (*read_fn)(void *ctx, const void **buf),
		   void *ctx, uint64_t cap);
/* "gzip", "xz", "zstd", "bzip2", "lz4", "compress", "lzma", ... */
const char *unpack_filter(const struct unpacker *u);
/* Up to n bytes: the count, 0 at the end, -EIO (a corrupt or truncated
 * stream, what was read before stands) or -E2BIG (the cap). */
ssize_t unpack_read(struct unpacker *u, void *buf, size_t n);
/* Bytes decompressed so far. */
uint64_t unpack_out_bytes(const struct unpacker *u);
const char *unpack_error(const struct unpacker *u);
void unpack_close(struct unpacker *u);

#endif
