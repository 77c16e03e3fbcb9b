/*
 * instream.h - a bundle as verify reads it (tarread.c): the input's bytes,
 * hashed as read on the hash thread (the whole bundle's SHA-256 is of the
 * bytes as they lie), then, when the input says so, decrypted (age, with
 * the identity given) and decompressed (zstd, gzip: what collect
 * --encrypt-to and --compress write), into the tar blocks the reader
 * parses.
 */
#ifndef IRSNAP_INSTREAM_H
#define IRSNAP_INSTREAM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct hashthread;
struct instream;

/* sk: the age identity's secret key, or NULL. 0 or -ENOMEM. */
int instream_open(struct instream **ret, int fd, struct hashthread *hash, const unsigned char *sk);
/* The next tar bytes (*p valid until the next call): the count, 0 at the
 * end, -EBADMSG when the stream is not one collect wrote (instream_why
 * says why), -ENOKEY when it is encrypted to another key or none was
 * given, or a read's -errno. */
ssize_t instream_block(struct instream *s, const unsigned char **p);
const char *instream_why(const struct instream *s);
/* After the tar's end: the rest read and hashed; -EBADMSG when bytes
 * follow the compressed or encrypted stream. */
int instream_finish(struct instream *s);
/* The input's bytes read so far. */
uint64_t instream_total(const struct instream *s);
/* "age", "zstd", "gzip" joined by "+", or "" for a plain tar. */
const char *instream_layers(const struct instream *s);
void instream_close(struct instream *s);

#endif
