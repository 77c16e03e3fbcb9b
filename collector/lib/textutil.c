/* textutil.c - time, hex, base64, UTF-8 and escaping helpers (textutil.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "textutil.h"
#include "banned.h"

/* Howard Hinnant's days-to-civil algorithm (proleptic Gregorian). */
void utc_civil(int64_t secs, int *year, int *mon, int *mday, int *hour,
	       int *min, int *sec)
{
	int64_t days = secs / 86400, rem = secs % 86400;

	if (rem < 0) {
		rem += 86400;
		days -= 1;
	}
	*hour = (int)(rem / 3600);
	*min = (int)(rem % 3600 / 60);
	*sec = (int)(rem % 60);

	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = yoe + era * 400;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t d = doy - (153 * mp + 2) / 5 + 1;
	int64_t m = mp < 10 ? mp + 3 : mp - 9;

	*year = (int)(y + (m <= 2));
	*mon = (int)m;
	*mday = (int)d;
}

static size_t u64_text(char *out, uint64_t v)
{
	char tmp[FMT_INT_LEN];
	size_t n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (size_t i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = '\0';
	return n;
}

size_t fmt_u64(char out[FMT_INT_LEN], uint64_t v)
{
	return u64_text(out, v);
}

size_t fmt_i64(char out[FMT_INT_LEN], int64_t v)
{
	if (v >= 0)
		return u64_text(out, (uint64_t)v);
	out[0] = '-';
	return 1 + u64_text(out + 1, (uint64_t)0 - (uint64_t)v);
}

/* `width` decimal digits of v, zero-padded (v < 10^width). */
static char *digits(char *p, unsigned long v, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + width;
}

int fmt_rfc3339_ns(char out[RFC3339_LEN], int64_t secs, long nsec)
{
	int y, mo, d, h, mi, s;

	if (secs < -62167219200LL || secs > 253402300799LL || nsec < 0 ||
	    nsec > 999999999L) {
		snprintf(out, RFC3339_LEN, "invalid-time");
		return -ERANGE;
	}
	utc_civil(secs, &y, &mo, &d, &h, &mi, &s);
	/* by hand: this runs once per login record and per process */
	char *p = digits(out, (unsigned long)y, 4);
	*p++ = '-';
	p = digits(p, (unsigned long)mo, 2);
	*p++ = '-';
	p = digits(p, (unsigned long)d, 2);
	*p++ = 'T';
	p = digits(p, (unsigned long)h, 2);
	*p++ = ':';
	p = digits(p, (unsigned long)mi, 2);
	*p++ = ':';
	p = digits(p, (unsigned long)s, 2);
	*p++ = '.';
	p = digits(p, (unsigned long)nsec, 9);
	*p++ = 'Z';
	*p = '\0';
	return 0;
}

int fmt_rfc3339(char out[RFC3339_LEN], const struct timespec *ts)
{
	return fmt_rfc3339_ns(out, (int64_t)ts->tv_sec, ts->tv_nsec);
}

int fmt_compact_time(char out[COMPACT_TIME_LEN], int64_t secs)
{
	int y, mo, d, h, mi, s;

	if (secs < 0 || secs > 253402300799LL) {
		snprintf(out, COMPACT_TIME_LEN, "00000000T000000Z");
		return -ERANGE;
	}
	utc_civil(secs, &y, &mo, &d, &h, &mi, &s);
	int n = snprintf(out, COMPACT_TIME_LEN, "%04d%02d%02dT%02d%02d%02dZ",
			 y, mo, d, h, mi, s);
	return (n > 0 && n < COMPACT_TIME_LEN) ? 0 : -ERANGE;
}

void hex_encode(char *out, const unsigned char *in, size_t n)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static const char b64chars[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void base64_encode(char *out, const unsigned char *in, size_t n)
{
	size_t o = 0, i = 0;

	for (; i + 2 < n; i += 3) {
		unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 | in[i + 2];
		out[o++] = b64chars[v >> 18 & 63];
		out[o++] = b64chars[v >> 12 & 63];
		out[o++] = b64chars[v >> 6 & 63];
		out[o++] = b64chars[v & 63];
	}
	if (i < n) {
		unsigned v = (unsigned)in[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)in[i + 1] << 8;
		out[o++] = b64chars[v >> 18 & 63];
		out[o++] = b64chars[v >> 12 & 63];
		out[o++] = (i + 1 < n) ? b64chars[v >> 6 & 63] : '=';
		out[o++] = '=';
	}
	out[o] = '\0';
}

static int b64val(char c)
{
	const char *p = c ? strchr(b64chars, c) : NULL;
	return p ? (int)(p - b64chars) : -1;
}

long base64_decode(unsigned char *out, size_t outlen, const char *in, size_t n)
{
	size_t o = 0;

	if (n % 4)
		return -EINVAL;
	for (size_t i = 0; i < n; i += 4) {
		int v[4], pad = 0;
		for (int k = 0; k < 4; k++) {
			if (in[i + k] == '=' && i + 4 == n && k >= 2) {
				v[k] = 0;
				pad++;
			} else if (pad || (v[k] = b64val(in[i + k])) < 0) {
				return -EINVAL;
			}
		}
		unsigned w = (unsigned)v[0] << 18 | (unsigned)v[1] << 12 |
			     (unsigned)v[2] << 6 | (unsigned)v[3];
		for (int k = 0; k < 3 - pad; k++) {
			if (o >= outlen)
				return -EINVAL;
			out[o++] = (unsigned char)(w >> (16 - 8 * k));
		}
	}
	return (long)o;
}

size_t utf8_seq_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return (n >= 2 && (s[1] & 0xc0) == 0x80) ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if (n < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && s[1] < 0xa0)
			return 0;   /* overlong */
		if (c == 0xed && s[1] >= 0xa0)
			return 0;   /* surrogate */
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (n < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && s[1] < 0x90)
			return 0;   /* overlong */
		if (c == 0xf4 && s[1] >= 0x90)
			return 0;   /* beyond U+10FFFF */
		return 4;
	}
	return 0;
}

bool utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0; i < n;) {
		size_t k = utf8_seq_len(p + i, n - i);
		if (!k)
			return false;
		i += k;
	}
	return true;
}

static unsigned utf8_decode(const unsigned char *s, size_t k)
{
	switch (k) {
	case 2: return (s[0] & 0x1fu) << 6 | (s[1] & 0x3fu);
	case 3: return (s[0] & 0x0fu) << 12 | (s[1] & 0x3fu) << 6 | (s[2] & 0x3fu);
	case 4: return (s[0] & 0x07u) << 18 | (s[1] & 0x3fu) << 12 |
		       (s[2] & 0x3fu) << 6 | (s[3] & 0x3fu);
	default: return s[0];
	}
}

/* Code points that can reorder or hide text on a terminal or in a viewer:
 * C1 controls, bidi embeddings/overrides/isolates and marks, zero-width and
 * other format characters, line/paragraph separators, the BOM. */
static bool codepoint_unsafe(unsigned cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0xad || cp == 0x061c ||
	       (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202e) ||
	       (cp >= 0x2060 && cp <= 0x206f) || cp == 0xfeff ||
	       (cp >= 0xfff9 && cp <= 0xfffb);
}

int text_escape(struct capbuf *cb, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	char tmp[16];
	int r = 0;

	for (size_t i = 0; i < n && r == 0;) {
		unsigned c = p[i];
		if (c >= 0x20 && c < 0x7f) {
			if (c == '\\') {
				r = capbuf_add(cb, "\\\\", 2);
				i++;
				continue;
			}
			size_t run = 1;   /* printable ASCII as it is, a run at a time */
			while (i + run < n && p[i + run] >= 0x20 && p[i + run] < 0x7f &&
			       p[i + run] != '\\')
				run++;
			r = capbuf_add(cb, p + i, run);
			i += run;
			continue;
		}
		if (c < 0x80) {
			if (c == '\n')
				r = capbuf_add(cb, "\\n", 2);
			else if (c == '\t')
				r = capbuf_add(cb, "\\t", 2);
			else if (c == '\r')
				r = capbuf_add(cb, "\\r", 2);
			else {
				snprintf(tmp, sizeof(tmp), "\\x%02x", c);
				r = capbuf_add(cb, tmp, 4);
			}
			i++;
			continue;
		}
		size_t k = utf8_seq_len(p + i, n - i);
		if (!k) {
			snprintf(tmp, sizeof(tmp), "\\x%02x", c);
			r = capbuf_add(cb, tmp, 4);
			i++;
			continue;
		}
		unsigned cp = utf8_decode(p + i, k);
		if (codepoint_unsafe(cp)) {
			snprintf(tmp, sizeof(tmp), "\\u%04x", cp);
			r = capbuf_addstr(cb, tmp);
		} else {
			r = capbuf_add(cb, p + i, k);
		}
		i += k;
	}
	return r;
}

static bool member_byte_plain(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

int member_encode(struct capbuf *cb, const char *path, size_t n)
{
	size_t i = 0;
	bool first = true;
	char tmp[4];
	int r = 0;

	while (i < n && r == 0) {
		while (i < n && path[i] == '/')
			i++;
		if (i >= n)
			break;
		size_t start = i;
		while (i < n && path[i] != '/')
			i++;
		size_t len = i - start;
		const char *comp = path + start;
		bool dots = (len == 1 && comp[0] == '.') ||
			    (len == 2 && comp[0] == '.' && comp[1] == '.');
		if (!first)
			r = capbuf_add(cb, "/", 1);
		first = false;
		for (size_t k = 0; k < len && r == 0; k++) {
			unsigned char c = (unsigned char)comp[k];
			if (member_byte_plain(c) && !(dots && c == '.')) {
				r = capbuf_add(cb, &comp[k], 1);
			} else {
				snprintf(tmp, sizeof(tmp), "%%%02X", c);
				r = capbuf_add(cb, tmp, 3);
			}
		}
	}
	if (first && r == 0)
		r = capbuf_add(cb, "%2F", 3);   /* the path was only slashes */
	return r;
}

bool member_name_safe(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || name[0] == '/')
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		if (!member_byte_plain(c) && c != '/' && c != '%')
			return false;
		if (c == '%' && (i + 2 >= n || !((name[i + 1] >= '0' && name[i + 1] <= '9') ||
						     (name[i + 1] >= 'A' && name[i + 1] <= 'F')) ||
				 !((name[i + 2] >= '0' && name[i + 2] <= '9') ||
				   (name[i + 2] >= 'A' && name[i + 2] <= 'F'))))
			return false;
	}
	/* no empty, "." or ".." component (a trailing slash marks a directory) */
	const char *p = name;
	while (*p) {
		const char *e = strchr(p, '/');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len == 0 && e)
			return false;
		if ((len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		if (!e)
			break;
		p = e + 1;
	}
	return true;
}

size_t text_cut_len(const char *esc, size_t len, size_t width)
{
	size_t at = 0;

	while (at < len) {
		size_t k;
		if (esc[at] == '\\' && at + 1 < len)
			k = esc[at + 1] == 'x' ? 4 : esc[at + 1] == 'u' ? 6 : 2;
		else
			k = utf8_seq_len((const unsigned char *)esc + at, len - at);
		if (k == 0)
			k = 1;
		if (at + k > width)
			break;
		at += k;
	}
	return at;
}

int xsnprintf(char *out, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, len, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

void text_escape_fixed(char *out, size_t len, const char *s, size_t n)
{
	struct capbuf cb;

	if (len == 0)
		return;
	capbuf_init(&cb, n * 6 + 16);
	text_escape(&cb, s, n);
	size_t keep = cb.len < len ? cb.len : text_cut_len(cb.buf, cb.len, len > 4 ? len - 4 : 0);
	snprintf(out, len, "%.*s%s", (int)keep, cb.buf ? cb.buf : "", keep < cb.len ? "..." : "");
	capbuf_release(&cb);
}

struct shown shown(const char *s)
{
	struct shown out;
	struct capbuf cb;
	size_t n = strlen(s);

	capbuf_init(&cb, n * 6 + 16);
	text_escape(&cb, s, n);
	if (cb.len > SHOWN_MAX)
		snprintf(out.s, sizeof(out.s), "%.*s...(%zu bytes in all)",
			 (int)text_cut_len(cb.buf, cb.len, SHOWN_MAX), cb.buf, n);
	else
		snprintf(out.s, sizeof(out.s), "%s", cb.buf ? cb.buf : "");
	capbuf_release(&cb);
	return out;
}

/* Append s (n bytes), cut to `width` when asked, padded with spaces to it. */
void text_pad(struct capbuf *cb, const char *s, size_t n, size_t width, bool cut)
{
	static const char spaces[] = "                                ";

	if (cut && n > width)
		n = width;
	capbuf_add(cb, s, n);
	while (n < width) {
		size_t k = width - n < sizeof(spaces) - 1 ? width - n : sizeof(spaces) - 1;
		capbuf_add(cb, spaces, k);
		n += k;
	}
}

/* A host field in a text view: escaped (text_escape(), the one function
 * for every view), then cut to `width` at a whole escape or character
 * when asked, and padded with spaces to it. */
void text_field(struct capbuf *cb, const char *s, size_t n, size_t width, bool cut)
{
	struct capbuf e;
	size_t len;

	capbuf_init(&e, n * 6 + 16);
	text_escape(&e, s, n);
	len = cut ? text_cut_len(e.buf ? e.buf : "", e.len, width) : e.len;
	text_pad(cb, e.buf ? e.buf : "", len, width, cut);
	capbuf_release(&e);
}
