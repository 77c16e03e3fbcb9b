/* jsonw.c - the direct JSON Lines writer (jsonw.h). */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "textutil.h"
#include "banned.h"

void jw_begin(struct jw *w, struct capbuf *cb)
{
	w->cb = cb;
	w->n = 0;
	capbuf_add(cb, "{", 1);
}

void jw_end(struct jw *w)
{
	capbuf_add(w->cb, "}\n", 2);
}

#define key jw_key

void jw_quote(struct capbuf *cb, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t run = 0;

	capbuf_add(cb, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f)
			continue;
		capbuf_add(cb, s + run, i - run);
		run = i + 1;
		char e[7] = { '\\', 0 };
		switch (c) {
		case '"': e[1] = '"'; capbuf_add(cb, e, 2); break;
		case '\\': e[1] = '\\'; capbuf_add(cb, e, 2); break;
		case '\n': e[1] = 'n'; capbuf_add(cb, e, 2); break;
		case '\t': e[1] = 't'; capbuf_add(cb, e, 2); break;
		case '\r': e[1] = 'r'; capbuf_add(cb, e, 2); break;
		default:
			memcpy(e, "\\u00", 4);
			e[4] = hex[c >> 4];
			e[5] = hex[c & 15];
			capbuf_add(cb, e, 6);
		}
	}
	capbuf_add(cb, s + run, n - run);
	capbuf_add(cb, "\"", 1);
}

void jw_text(struct capbuf *cb, const char *s, size_t n)
{
	if (utf8_valid(s, n)) {
		jw_quote(cb, s, n);
		return;
	}
	/* text with U+FFFD for each invalid byte */
	struct capbuf fixed;
	capbuf_init(&fixed, n * 3 + 1);
	for (size_t i = 0; i < n;) {
		size_t l = utf8_seq_len((const unsigned char *)s + i, n - i);
		if (l) {
			capbuf_add(&fixed, s + i, l);
			i += l;
		} else {
			capbuf_add(&fixed, "\xef\xbf\xbd", 3);
			i++;
		}
	}
	jw_quote(cb, fixed.buf ? fixed.buf : "", fixed.len);
	capbuf_release(&fixed);
}

static void b64_string(struct capbuf *cb, const char *s, size_t n)
{
	char *b64 = malloc(BASE64_LEN(n));

	if (!b64) {
		capbuf_add(cb, "null", 4);
		return;
	}
	base64_encode(b64, (const unsigned char *)s, n);
	capbuf_add(cb, "\"", 1);
	capbuf_addstr(cb, b64);
	capbuf_add(cb, "\"", 1);
	free(b64);
}

void jw_bytes_array(struct jw *w, const char *k, const char *const *items,
		    const size_t *lens, size_t n)
{
	bool any = false;

	key(w, k);
	capbuf_add(w->cb, "[", 1);
	for (size_t i = 0; i < n; i++) {
		if (i)
			capbuf_add(w->cb, ",", 1);
		jw_text(w->cb, items[i], lens[i]);
		any |= !utf8_valid(items[i], lens[i]);
	}
	capbuf_add(w->cb, "]", 1);
	if (!any)
		return;
	capbuf_add(w->cb, ",\"", 2);
	capbuf_addstr(w->cb, k);
	capbuf_add(w->cb, "_b64\":[", 7);
	for (size_t i = 0; i < n; i++) {
		if (i)
			capbuf_add(w->cb, ",", 1);
		if (utf8_valid(items[i], lens[i]))
			capbuf_add(w->cb, "null", 4);
		else
			b64_string(w->cb, items[i], lens[i]);
	}
	capbuf_add(w->cb, "]", 1);
}

void jw_object(struct jw *w, const char *k, struct jw *sub)
{
	key(w, k);
	capbuf_add(w->cb, "{", 1);
	sub->cb = w->cb;
	sub->n = 0;
}

void jw_object_end(struct jw *sub)
{
	capbuf_add(sub->cb, "}", 1);
}


/* Printable ASCII with nothing to escape: most names, paths and fields. */
static bool plain_ascii(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c > 0x7e || c == '"' || c == '\\')
			return false;
	}
	return true;
}

void jw_bytes(struct jw *w, const char *k, const char *s, size_t n)
{
	key(w, k);
	if (plain_ascii(s, n)) {   /* one pass instead of two */
		capbuf_add(w->cb, "\"", 1);
		capbuf_add(w->cb, s, n);
		capbuf_add(w->cb, "\"", 1);
		return;
	}
	if (utf8_valid(s, n)) {
		jw_quote(w->cb, s, n);
		return;
	}
	/* text with U+FFFD for each invalid byte, and the exact bytes beside */
	jw_text(w->cb, s, n);
	char *b64 = malloc(BASE64_LEN(n));
	if (!b64)
		return;
	base64_encode(b64, (const unsigned char *)s, n);
	capbuf_add(w->cb, ",\"", 2);
	capbuf_addstr(w->cb, k);
	capbuf_add(w->cb, "_b64\":\"", 7);
	capbuf_addstr(w->cb, b64);
	capbuf_add(w->cb, "\"", 1);
	free(b64);
}

void jw_str(struct jw *w, const char *k, const char *s)
{
	if (s)
		jw_bytes(w, k, s, strlen(s));
	else
		jw_null(w, k);
}





void jw_int_value(struct capbuf *cb, int64_t v)
{
	char buf[FMT_INT_LEN];

	capbuf_add(cb, buf, fmt_i64(buf, v));
}

void jw_raw(struct jw *w, const char *k, const char *json)
{
	key(w, k);
	capbuf_addstr(w->cb, json);
}

void jw_hex(struct jw *w, const char *k, const void *p, size_t n)
{
	char buf[2 * 64 + 1];
	char *hex = n <= 64 ? buf : malloc(2 * n + 1);

	if (!hex) {
		w->cb->truncated = true;   /* as a record the cap cut */
		return;
	}
	hex_encode(hex, p, n);
	key(w, k);
	jw_quote(w->cb, hex, 2 * n);
	if (hex != buf)
		free(hex);
}
