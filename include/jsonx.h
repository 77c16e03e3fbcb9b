/*
 * jsonx.h - JSON helpers over jansson for evidence records.
 *
 * Raw bytes are evidence: json_set_bytes() stores a byte string under `key`
 * as UTF-8 text, and when the bytes are not valid UTF-8 it also stores the
 * exact bytes as base64 under "<key>_b64" (invalid bytes in the text become
 * U+FFFD). Objects are serialised compactly with keys in insertion order,
 * one record per line (JSON Lines): a hostile string cannot break framing
 * because jansson escapes every control character.
 *
 * Every function returns 0 or -errno (-ENOMEM on allocation failure).
 */
#ifndef IRSNAP_JSONX_H
#define IRSNAP_JSONX_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

#include "capbuf.h"

/* Seed jansson's hash function so it never reads /dev/urandom. */
void jsonx_init(void);

int json_set_bytes(json_t *obj, const char *key, const char *data, size_t n);
/* An array of byte strings under `key`; when any is not UTF-8, also
 * "<key>_b64": an array of the same length holding base64 for those
 * entries and null for the others. */
int json_set_bytes_array(json_t *obj, const char *key, const char *const *items,
			 const size_t *lens, size_t n);
int json_set_str(json_t *obj, const char *key, const char *s);   /* s may be NULL */
int json_set_int(json_t *obj, const char *key, int64_t v);
int json_set_bool(json_t *obj, const char *key, int v);
int json_set_time(json_t *obj, const char *key, const struct timespec *ts);
int json_set_new(json_t *obj, const char *key, json_t *v);   /* steals v */
/* "file", "directory", "symlink", "fifo", "socket", "char-device",
 * "block-device" or "unknown" for a stat mode. */
const char *file_type_name(unsigned mode);
/* A statx record as an object: dev, ino, mode, type, uid, gid, size, times. */
json_t *json_statx(const struct statx *st);
/* Append the compact serialisation plus "\n" to a buffer. */
int json_append_line(struct capbuf *cb, const json_t *obj);
/* The same, pretty-printed (indent 2), for single-record files. */
int json_append_pretty(struct capbuf *cb, const json_t *obj);

#endif
