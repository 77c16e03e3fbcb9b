/*
 * jsonw.h - a direct JSON Lines writer for hot paths (one record per line).
 *
 * The same contract as jsonx.h (exact bytes, "<key>_b64" for strings that are
 * not UTF-8, U+FFFD in their text) without building jansson objects: fields
 * are appended to a capbuf as they come. Keys are the caller's literals and
 * are written as they are (ASCII, no escaping needed). A record is
 * jw_begin(), fields, jw_end(). Errors are the capbuf's: a record cut by the
 * cap leaves the buffer marked truncated, as any capbuf.
 */
#ifndef IRSNAP_JSONW_H
#define IRSNAP_JSONW_H

#include <stddef.h>
#include <stdint.h>

#include "capbuf.h"

struct jw {
	struct capbuf *cb;
	int n;        /* fields written in this record */
};

void jw_begin(struct jw *w, struct capbuf *cb);
void jw_end(struct jw *w);
void jw_bytes(struct jw *w, const char *key, const char *s, size_t n);
void jw_str(struct jw *w, const char *key, const char *s);   /* NULL: null */
void jw_int(struct jw *w, const char *key, int64_t v);
void jw_bool(struct jw *w, const char *key, int v);
void jw_null(struct jw *w, const char *key);
/* A string the caller knows is printable ASCII without '"' or '\\' (times,
 * addresses, names from a fixed table): written without checking. */
void jw_ascii(struct jw *w, const char *key, const char *s, size_t n);
/* A value already in JSON form (an array or object the caller built). */
void jw_raw(struct jw *w, const char *key, const char *json);
/* Append a JSON string literal of valid UTF-8 bytes (escaping only). */
void jw_quote(struct capbuf *cb, const char *s, size_t n);

#endif
