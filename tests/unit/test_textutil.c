/* Unit tests of textutil.c: time against glibc's gmtime_r, base64 against
 * RFC 4648's vectors, UTF-8 validation, escaping and member names. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tap.h"
#include "textutil.h"

static void test_time(void)
{
	char buf[RFC3339_LEN], want[64];
	struct tm tm;
	uint64_t x = 88172645463325252ULL;

	CHECK(fmt_rfc3339_ns(buf, 0, 0) == 0);
	CHECK_STR(buf, "1970-01-01T00:00:00.000000000Z");
	CHECK(fmt_rfc3339_ns(buf, 951782400, 5) == 0);   /* a leap day */
	CHECK_STR(buf, "2000-02-29T00:00:00.000000005Z");
	CHECK(fmt_rfc3339_ns(buf, -1, 999999999) == 0);
	CHECK_STR(buf, "1969-12-31T23:59:59.999999999Z");
	CHECK(fmt_rfc3339_ns(buf, 4294967295LL, 0) == 0);  /* utmp's 32-bit end */
	CHECK_STR(buf, "2106-02-07T06:28:15.000000000Z");
	CHECK(fmt_rfc3339_ns(buf, 253402300800LL, 0) == -ERANGE);
	CHECK(fmt_rfc3339_ns(buf, 0, 1000000000L) == -ERANGE);

	/* 200,000 pseudo-random instants from 0001 to 9999 against gmtime_r */
	for (int i = 0; i < 200000; i++) {
		x ^= x << 13; x ^= x >> 7; x ^= x << 17;
		int64_t s = (int64_t)(x % 315537897600ULL) - 62135596800LL;
		time_t t = (time_t)s;
		if (!gmtime_r(&t, &tm))
			continue;
		snprintf(want, sizeof(want), "%04d-%02d-%02dT%02d:%02d:%02d.000000000Z",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
			 tm.tm_min, tm.tm_sec);
		fmt_rfc3339_ns(buf, s, 0);
		if (strcmp(buf, want) != 0) {
			CHECK_STR(buf, want);
			break;
		}
	}
	CHECK(fmt_compact_time(buf, 1795715506) == 0);
	CHECK_STR(buf, "20261126T175146Z");
}

static void test_base64(void)
{
	static const char *const vec[][2] = {
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
		{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
	};
	char out[64];
	unsigned char back[64], all[256];

	for (size_t i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		base64_encode(out, (const unsigned char *)vec[i][0], strlen(vec[i][0]));
		CHECK_STR(out, vec[i][1]);
		long n = base64_decode(back, sizeof(back), vec[i][1], strlen(vec[i][1]));
		CHECK(n == (long)strlen(vec[i][0]) && memcmp(back, vec[i][0], (size_t)n) == 0);
	}
	for (int i = 0; i < 256; i++)
		all[i] = (unsigned char)i;
	char big[BASE64_LEN(256)];
	unsigned char big_back[256];
	base64_encode(big, all, 256);
	CHECK(base64_decode(big_back, sizeof(big_back), big, strlen(big)) == 256);
	CHECK(memcmp(big_back, all, 256) == 0);
	CHECK(base64_decode(back, sizeof(back), "Zm9", 3) == -EINVAL);
	CHECK(base64_decode(back, sizeof(back), "Z=9v", 4) == -EINVAL);
}

static void test_utf8(void)
{
	CHECK(utf8_valid("plain", 5));
	CHECK(utf8_valid("\xe6\x97\xa5\xe6\x9c\xac", 6));            /* 日本 */
	CHECK(utf8_valid("\xf0\x9f\x98\x80", 4));                    /* emoji */
	CHECK(!utf8_valid("\xff", 1));
	CHECK(!utf8_valid("\xc0\xaf", 2));                           /* overlong '/' */
	CHECK(!utf8_valid("\xe0\x80\xaf", 3));                       /* overlong */
	CHECK(!utf8_valid("\xed\xa0\x80", 3));                       /* surrogate */
	CHECK(!utf8_valid("\xf4\x90\x80\x80", 4));                   /* > U+10FFFF */
	CHECK(!utf8_valid("\xe6\x97", 2));                           /* cut short */
	CHECK(utf8_valid("a\0b", 3));                                /* NUL is valid */
}

static const char *esc(const char *s, size_t n)
{
	static struct capbuf cb;
	capbuf_release(&cb);
	capbuf_init(&cb, 4096);
	text_escape(&cb, s, n);
	return cb.buf ? cb.buf : "";
}

static void test_escape(void)
{
	CHECK_STR(esc("abc", 3), "abc");
	CHECK_STR(esc("a\nb\tc\r", 6), "a\\nb\\tc\\r");
	CHECK_STR(esc("\033[31mred", 8), "\\x1b[31mred");
	CHECK_STR(esc("back\\slash", 10), "back\\\\slash");
	CHECK_STR(esc("\xff\xfe", 2), "\\xff\\xfe");
	CHECK_STR(esc("\x7f", 1), "\\x7f");
	CHECK_STR(esc("\xe2\x80\xae" "evil", 7), "\\u202eevil");  /* RIGHT-TO-LEFT OVERRIDE */
	CHECK_STR(esc("\xe2\x81\xa6", 3), "\\u2066");               /* LEFT-TO-RIGHT ISOLATE */
	CHECK_STR(esc("\xc2\x9b", 2), "\\u009b");                   /* C1 CSI */
	CHECK_STR(esc("\xe6\x97\xa5", 3), "\xe6\x97\xa5");          /* 日 passes */
	CHECK_STR(esc("a\0b", 3), "a\\x00b");

	/* every byte value, alone and in pairs: no raw control byte comes out */
	char in[2];
	for (int a = 0; a < 256; a++)
		for (int b = 0; b < 256; b++) {
			in[0] = (char)a;
			in[1] = (char)b;
			const char *o = esc(in, 2);
			for (const char *p = o; *p; p++)
				if ((unsigned char)*p < 0x20 || *p == 0x7f) {
					CHECK(!"raw control byte in escaped output");
					return;
				}
			if (!utf8_valid(o, strlen(o))) {
				CHECK(!"escaped output is not UTF-8");
				return;
			}
		}
}

static const char *enc(const char *s)
{
	static struct capbuf cb;
	capbuf_release(&cb);
	capbuf_init(&cb, 4096);
	member_encode(&cb, s, strlen(s));
	return cb.buf ? cb.buf : "";
}

static void test_member(void)
{
	CHECK_STR(enc("/etc/passwd"), "etc/passwd");
	CHECK_STR(enc("//var///log/syslog"), "var/log/syslog");
	CHECK_STR(enc("/a b/100%"), "a%20b/100%25");
	CHECK_STR(enc("/x/../etc/shadow"), "x/%2E%2E/etc/shadow");
	CHECK_STR(enc("/./.hidden"), "%2E/.hidden");
	CHECK_STR(enc("/tmp/\n\xff"), "tmp/%0A%FF");
	CHECK_STR(enc("/"), "%2F");
	CHECK(member_name_safe("fs/etc/passwd"));
	CHECK(!member_name_safe("/etc/passwd"));
	CHECK(!member_name_safe("fs/../x"));
	CHECK(!member_name_safe("fs/./x"));
	CHECK(!member_name_safe("fs//x"));
	CHECK(!member_name_safe("fs/a b"));
	CHECK(!member_name_safe("fs/%zz"));
	CHECK(!member_name_safe("fs/%4"));
	CHECK(!member_name_safe(""));

	/* random paths: the encoding is always safe and decodes to the input
	 * (less repeated slashes) */
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	char path[64], dec[256];
	for (int i = 0; i < 20000; i++) {
		size_t n = 1 + i % 40;
		path[0] = '/';
		for (size_t k = 1; k < n; k++) {
			x ^= x << 13; x ^= x >> 7; x ^= x << 17;
			int pick = (int)(x % 6);
			path[k] = pick == 0 ? '/' : pick == 1 ? '.' : (char)(1 + (x >> 8) % 255);
		}
		path[n] = '\0';
		if (strstr(path, "//") || n < 2 || path[n - 1] == '/')
			continue;
		const char *e = enc(path);
		if (!member_name_safe(e)) {
			CHECK_STR(e, "a safe name");
			return;
		}
		size_t o = 0;
		dec[o++] = '/';
		for (const char *p = e; *p && o < sizeof(dec) - 1; p++) {
			if (*p == '%') {
				char hx[3] = { p[1], p[2], 0 };
				dec[o++] = (char)strtol(hx, NULL, 16);
				p += 2;
			} else {
				dec[o++] = *p;
			}
		}
		dec[o] = '\0';
		if (strcmp(dec, path) != 0) {
			CHECK_STR(dec, path);
			return;
		}
	}
}

/* Cuts of escaped text fall between whole escapes and characters, and a
 * cut is always marked. */
static void test_cuts(void)
{
	char out[16];

	CHECK_INT(text_cut_len("ab\\x1bc", 7, 3), 2);     /* not inside \x1b */
	CHECK_INT(text_cut_len("ab\\x1bc", 7, 6), 6);
	CHECK_INT(text_cut_len("\xc3\xa9z", 3, 1), 0);      /* not inside e-acute */
	CHECK_INT(text_cut_len("\\u202e!", 7, 6), 6);
	text_escape_fixed(out, 8, "\x1b\x1b\x1b", 3);
	CHECK_STR(out, "\\x1b...");
	text_escape_fixed(out, sizeof(out), "plain", 5);
	CHECK_STR(out, "plain");
	char *big = malloc(5001);
	REQUIRE(big);
	memset(big, 'a', 5000);
	big[5000] = '\0';
	struct shown sh = shown(big);
	CHECK(strlen(sh.s) <= SHOWN_MAX + 32 && strstr(sh.s, "...(5000 bytes in all)"));
	CHECK(xsnprintf(out, sizeof(out), "%s", big) == -ENAMETOOLONG);
	CHECK(xsnprintf(out, sizeof(out), "%s", "fits") == 0);
	free(big);
}

int main(void)
{
	test_cuts();
	test_time();
	test_base64();
	test_utf8();
	test_escape();
	test_member();
	esc("", 0);
	return tap_done("textutil");
}
