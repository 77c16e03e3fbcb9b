/*
 * textutil.h - pure byte and time helpers: no I/O, no host state, no locale.
 *
 * Everything here is deterministic and unit-tested against libc or coreutils.
 * Output buffers are sized by the caller with the *_LEN constants; functions
 * that write into a capbuf return what capbuf_add() returns.
 */
#ifndef IRSNAP_TEXTUTIL_H
#define IRSNAP_TEXTUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "capbuf.h"

/* "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ" plus NUL; years 0000-9999 only. */
#define RFC3339_LEN 32
/* "YYYYMMDDTHHMMSSZ" plus NUL. */
#define COMPACT_TIME_LEN 17

/* Civil UTC date from seconds since the epoch, without reading the host's
 * time zone files (gmtime_r may open /etc/localtime in glibc). */
void utc_civil(int64_t secs, int *year, int *mon, int *mday, int *hour,
	       int *min, int *sec);
/* RFC 3339 UTC with nanoseconds. Returns -ERANGE outside years 0..9999. */
int fmt_rfc3339(char out[RFC3339_LEN], const struct timespec *ts);
/* RFC 3339 UTC with nanoseconds, for whole seconds and a nanosecond part. */
int fmt_rfc3339_ns(char out[RFC3339_LEN], int64_t secs, long nsec);
int fmt_compact_time(char out[COMPACT_TIME_LEN], int64_t secs);

/* Decimal integers without printf (hot paths); return the length. */
#define FMT_INT_LEN 21
size_t fmt_u64(char out[FMT_INT_LEN], uint64_t v);
size_t fmt_i64(char out[FMT_INT_LEN], int64_t v);

/* Lowercase hex of `n` bytes into out (2n+1 bytes). */
void hex_encode(char *out, const unsigned char *in, size_t n);

/* The value of a hex digit, or -1. */
int hex_digit(char c);

/* Standard base64 with padding; out needs BASE64_LEN(n) bytes. */
#define BASE64_LEN(n) ((((n) + 2) / 3) * 4 + 1)
void base64_encode(char *out, const unsigned char *in, size_t n);
/* Decode strict base64; returns bytes written or -EINVAL. */
long base64_decode(unsigned char *out, size_t outlen, const char *in, size_t n);

/* True when the bytes are valid UTF-8 (no overlongs, no surrogates). */
bool utf8_valid(const char *s, size_t n);
/* Length of the valid UTF-8 sequence at s (1..4), or 0 when invalid. */
size_t utf8_seq_len(const unsigned char *s, size_t n);

/* Append a terminal-safe rendering of raw bytes: printable ASCII and valid
 * non-control UTF-8 pass; backslash becomes "\\"; control bytes, DEL and
 * invalid bytes become \xNN (\n, \t, \r as such); C1 controls, bidi controls
 * and other invisible format characters become \uNNNN. */
int text_escape(struct capbuf *cb, const char *s, size_t n);

/* A string escaped for a message or the work log, by value: shown(s).s is
 * valid until the end of the full expression that holds it (C11 6.2.4:
 * a temporary of a struct with an array member), so a caller needs no
 * buffer and threads share nothing. Beyond SHOWN_MAX bytes of escaped
 * text the rest is cut, and the cut is marked with the original length:
 * "...(+N bytes)". */
/* The longest prefix of escaped text (text_escape()'s output) of at most
 * `width` bytes that ends at a whole escape or UTF-8 character: where a
 * view or a log line may cut it without making invalid text. */
size_t text_cut_len(const char *esc, size_t len, size_t width);

/* A column of a text view: s (n bytes) cut to `width` when asked and
 * padded with spaces to it (text_pad: s is already safe text); text_field
 * escapes s first (text_escape(), the one function for every view) and
 * cuts at a whole escape or character. */
void text_pad(struct capbuf *cb, const char *s, size_t n, size_t width, bool cut);
void text_field(struct capbuf *cb, const char *s, size_t n, size_t width, bool cut);

/* snprintf that says when it cut: 0, or -ENAMETOOLONG when the text did
 * not fit (then `out` holds a cut copy that must not be used as a path or
 * a name: a cut path names another file). For every snprintf fed by host
 * or bundle data. */
int xsnprintf(char *out, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The one "escape into a fixed buffer": `s` (n bytes) escaped into `out`
 * (len bytes, NUL-terminated); when it does not fit, it is cut at an
 * escape's boundary and ends in "..." (a cut is always marked). */
void text_escape_fixed(char *out, size_t len, const char *s, size_t n);

#define SHOWN_MAX 1024
struct shown {
	char s[SHOWN_MAX + 32];
};
struct shown shown(const char *s);

/* Append a tar member name for a host path: bytes outside [A-Za-z0-9._/-]
 * and '%' become %XX; a component "." or ".." has its dots encoded; repeated
 * and leading slashes are dropped. Never produces an absolute name or "..". */
int member_encode(struct capbuf *cb, const char *path, size_t n);

/* True when a member name obeys the bundle's rules (see DESIGN §4). */
bool member_name_safe(const char *name);

#endif
