/*
 * hashthread.h - SHA-256 of a byte stream computed on a second core.
 *
 * The bundle hashes every byte twice: once for its member (the manifest)
 * and once for the whole output (the bundle SHA-256 printed at the end).
 * hashthread takes the second off the writing thread: bytes are copied into
 * a ring buffer and hashed by a helper thread. hashthread_feed() blocks only
 * when the ring is full; hashthread_finish() waits for the last byte.
 * Without a second thread (pthread_create fails) it hashes inline.
 */
#ifndef IRSNAP_HASHTHREAD_H
#define IRSNAP_HASHTHREAD_H

#include <stddef.h>

struct hashthread;

int hashthread_start(struct hashthread **ret);
int hashthread_feed(struct hashthread *h, const void *data, size_t n);
/* The SHA-256 (65 bytes of hex) of everything fed; frees `h`. */
int hashthread_finish(struct hashthread *h, char ret_hex[65]);

#endif
