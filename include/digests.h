/*
 * digests.h - MD5 and SHA-1 of a stream, beside the bundle's SHA-256: the
 * digests courts and older tools still ask of a disk image (disk.h).
 * OpenSSL stays inside bundle/ (digests.c).
 */
#ifndef IRSNAP_DIGESTS_H
#define IRSNAP_DIGESTS_H

#include <stddef.h>

struct digests;

/* NULL when out of memory. */
struct digests *digests_new(void);
void digests_update(struct digests *d, const void *data, size_t len);
/* The hex digests of everything updated (33 and 41 bytes with the NUL);
 * both "" when OpenSSL failed on the way. */
void digests_final(struct digests *d, char md5[33], char sha1[41]);
void digests_free(struct digests *d);

#endif
