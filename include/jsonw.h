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
/* "key": (with the comma before it when not the first field). Inline: the
 * hot writers below are too, so a literal key's length is known at compile
 * time (the key writer was a tenth of the wtmp parse). */
static inline void jw_key(struct jw *w, const char *key)
{
	char buf[80];
	size_t n = __builtin_strlen(key), at = 0;

	if (n > sizeof(buf) - 4) {   /* no key is this long; stay correct anyway */
		if (w->n++)
			capbuf_add(w->cb, ",", 1);
		capbuf_add(w->cb, "\"", 1);
		capbuf_add(w->cb, key, n);
		capbuf_add(w->cb, "\":", 2);
		return;
	}
	if (w->n++)
		buf[at++] = ',';
	buf[at++] = '"';
	__builtin_memcpy(buf + at, key, n);
	at += n;
	buf[at++] = '"';
	buf[at++] = ':';
	capbuf_add(w->cb, buf, at);
}
void jw_int_value(struct capbuf *cb, int64_t v);
static inline void jw_int(struct jw *w, const char *key, int64_t v)
{
	jw_key(w, key);
	jw_int_value(w->cb, v);
}
static inline void jw_bool(struct jw *w, const char *key, int v)
{
	jw_key(w, key);
	if (v)
		capbuf_add(w->cb, "true", 4);
	else
		capbuf_add(w->cb, "false", 5);
}
static inline void jw_null(struct jw *w, const char *key)
{
	jw_key(w, key);
	capbuf_add(w->cb, "null", 4);
}
/* A string the caller knows is printable ASCII without '"' or '\\' (times,
 * addresses, names from a fixed table): written without checking. */
static inline void jw_ascii(struct jw *w, const char *key, const char *s, size_t n)
{
	jw_key(w, key);
	capbuf_add(w->cb, "\"", 1);
	capbuf_add(w->cb, s, n);
	capbuf_add(w->cb, "\"", 1);
}
/* A value already in JSON form (an array or object the caller built). */
void jw_raw(struct jw *w, const char *key, const char *json);
/* Append a JSON string literal of valid UTF-8 bytes (escaping only). */
void jw_quote(struct capbuf *cb, const char *s, size_t n);
/* Append a JSON string of any bytes: invalid UTF-8 becomes U+FFFD (the
 * text half of jw_bytes, without the exact-bytes sibling). */
void jw_text(struct capbuf *cb, const char *s, size_t n);
/* "key":[...] of byte strings (text, U+FFFD where not UTF-8) and, when any
 * item is not UTF-8, "key_b64":[...] with each such item's exact bytes and
 * null for the others; as jsonx.h's json_set_bytes_array. */
void jw_bytes_array(struct jw *w, const char *key, const char *const *items,
		    const size_t *lens, size_t n);
/* "key":"<lowercase hex of n bytes>": binary kept whole (no key_b64). */
void jw_hex(struct jw *w, const char *key, const void *p, size_t n);
/* A nested object: "key":{ ... } written through `sub` (same buffer). */
void jw_object(struct jw *w, const char *key, struct jw *sub);
void jw_object_end(struct jw *sub);

#endif
