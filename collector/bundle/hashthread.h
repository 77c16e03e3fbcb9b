/*
 * hashthread.h - SHA-256 of a byte stream computed on a second core, in
 * place.
 *
 * The bundle hashes every byte twice: once for its member (the manifest)
 * and once for the whole output (the bundle SHA-256 printed at the end).
 * hashthread takes the second, and the write(2) to the output, off the
 * thread that reads and hashes the members, without a copy: that thread's
 * blocks are the slots of a ring. It claims a slot, fills it and publishes
 * it; the helper writes it to the output fd, hashes it where it lies and
 * frees the slot. hashthread_claim() waits only when every slot is still
 * in flight; hashthread_finish() waits for the last. A write error is kept
 * (nothing after it is written) and returned by the next publish and by
 * finish. Without a second thread (pthread_create fails) a published slot
 * is written and hashed inline.
 */
#ifndef IRSNAP_HASHTHREAD_H
#define IRSNAP_HASHTHREAD_H

#include <stddef.h>
#include <stdint.h>

struct hashthread;

/* What happens to the bytes before they are written: compressed
 * ("zstd", "gzip", zwrite.h; NULL: not), then encrypted to nage age
 * recipients (agecrypt.h; 0: not). The hash is of the bytes written. */
struct hash_out {
	const char *compress;
	const unsigned char (*age)[32];
	size_t nage;
};

/* slot_bytes: the size of each block the writer fills; fd: where each
 * block is written before it is hashed, or -1 (hash only); o: NULL, or
 * what happens to the bytes first. 0 or -errno. */
int hashthread_start(struct hashthread **ret, size_t slot_bytes, int fd,
		     const struct hash_out *o);
/* The next free slot (slot_bytes of room), claimed until published. */
unsigned char *hashthread_claim(struct hashthread *h);
/* The claimed slot's first n bytes are the stream's next: written and
 * hashed (on the helper), then the slot is free again. 0, or the first
 * write's -errno (or -EIO) so far. */
int hashthread_publish(struct hashthread *h, size_t n);
/* The first write's -errno (or -EIO) so far, or 0: a cheap look, from the
 * writer's thread, at what the helper met. */
int hashthread_error(struct hashthread *h);
/* The SHA-256 (65 bytes of hex) of everything written (or published,
 * without an fd), and how many bytes were written; frees `h`. 0, or the
 * first write's -errno (or -EIO). */
int hashthread_finish(struct hashthread *h, char ret_hex[65], uint64_t *ret_written);

#endif
