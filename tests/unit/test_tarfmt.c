/* Unit tests of tarfmt.c: the encoder read back by an independent tar
 * reader (libarchive) for names of every length around the ustar limits and
 * sizes around the octal limit; numeric fields; the name rules; the pax
 * record parser on well-formed, malformed and hostile records. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "tarfmt.h"

static unsigned long long rng = 88172645463325252ull;
static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

/* "irsnap-t/" and then components of [a-z] separated by '/', len bytes */
static size_t make_name(char *out, size_t len, bool dir)
{
	size_t o = (size_t)snprintf(out, 16, "irsnap-t/");
	while (o < len - (dir ? 1 : 0)) {
		size_t left = len - (dir ? 1 : 0) - o;
		size_t comp = 1 + rnd(left < 120 ? (unsigned)left : 120);
		if (comp > left)
			comp = left;
		for (size_t i = 0; i < comp; i++)
			out[o++] = (char)('a' + rnd(26));
		if (o < len - (dir ? 1 : 0) - 1)
			out[o++] = '/';
	}
	if (out[o - 1] == '/')
		out[o - 1] = 'z';
	if (dir)
		out[o++] = '/';
	out[o] = '\0';
	return o;
}

/* Read the header blocks back with libarchive. */
static int read_back(const unsigned char *h, size_t n, const char *name, bool dir,
		     uint64_t size, int64_t mtime)
{
	static unsigned char buf[TAR_HEADER_MAX + 4 * TAR_BLOCK];
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	int ok = 0;

	memset(buf, 0, sizeof(buf));
	memcpy(buf, h, n);
	archive_read_support_format_tar(a);
	if (archive_read_open_memory(a, buf, n + 2 * TAR_BLOCK) == ARCHIVE_OK &&
	    archive_read_next_header(a, &e) == ARCHIVE_OK) {
		const char *got = archive_entry_pathname(e);
		ok = got && strcmp(got, name) == 0 &&
		     archive_entry_filetype(e) == (dir ? AE_IFDIR : AE_IFREG) &&
		     (archive_entry_perm(e) & 07777) == (dir ? 0755 : 0444) &&
		     (uint64_t)archive_entry_size(e) == size &&
		     archive_entry_mtime(e) == mtime && archive_entry_uid(e) == 0 &&
		     archive_entry_gid(e) == 0;
		if (!ok)
			fprintf(stderr, "read back '%s' size %lld, want '%s' size %llu\n",
				got ? got : "(null)", (long long)archive_entry_size(e), name,
				(unsigned long long)size);
	}
	archive_read_free(a);
	return ok;
}

static unsigned char la_out[4 * TAR_RECORD];
static size_t la_len;
static la_ssize_t la_write(struct archive *a, void *ctx, const void *buf, size_t n)
{
	(void)a;
	(void)ctx;
	if (la_len + n > sizeof(la_out))
		return -1;
	memcpy(la_out + la_len, buf, n);
	la_len += n;
	return (la_ssize_t)n;
}

/* Whether libarchive's restricted pax writer, set as collect 0.1.0 set it,
 * writes the header block h for this member. */
static int libarchive_header_is(const unsigned char *h, const char *name, bool dir,
				uint64_t size, int64_t mtime)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();

	la_len = 0;
	archive_write_set_format_pax_restricted(a);
	archive_write_set_bytes_per_block(a, 0);
	archive_write_open2(a, NULL, NULL, la_write, NULL, NULL);
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, dir ? AE_IFDIR : AE_IFREG);
	archive_entry_set_perm(e, dir ? 0755 : 0444);
	archive_entry_set_size(e, (la_int64_t)size);
	archive_entry_set_mtime(e, (time_t)mtime, 0);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	int ok = archive_write_header(a, e) == ARCHIVE_OK && la_len >= TAR_BLOCK &&
		 memcmp(la_out, h, TAR_BLOCK) == 0;
	archive_entry_free(e);
	archive_write_free(a);
	return ok;
}

static void test_encoder(void)
{
	static unsigned char h[TAR_HEADER_MAX];
	char name[TAR_NAME_MAX + 2];
	const uint64_t sizes[] = { 0, 1, 511, 512, 513, (1ull << 33) - 1, 1ull << 33,
				   1ull << 40 };
	int bad = 0, pax = 0, split = 0;

	for (size_t len = 10; len <= 400; len++) {
		for (int rep = 0; rep < 8; rep++) {
			bool dir = rep & 1;
			uint64_t size = dir ? 0 : sizes[rnd(8)];
			make_name(name, len, dir);
			int n = tar_encode(h, name, strlen(name), dir, size, 1796297523);
			if (n < 0 || n % TAR_BLOCK ||
			    tar_checksum(h + n - TAR_BLOCK) == 0 ||
			    !read_back(h, (size_t)n, name, dir, size, 1796297523))
				bad++;
			if (n > TAR_BLOCK)
				pax++;
			else if (h[TAR_PREFIX_OFF])
				split++;
		}
	}
	CHECK(bad == 0);
	CHECK(pax > 100 && split > 100);   /* both long-name forms were covered */
	make_name(name, TAR_NAME_MAX, false);
	CHECK(tar_encode(h, name, TAR_NAME_MAX, false, 1, 0) > 0);
	CHECK(read_back(h, (size_t)tar_encode(h, name, TAR_NAME_MAX, false, 1, 0), name,
			false, 1, 0));
	make_name(name, TAR_NAME_MAX + 1, false);
	CHECK(tar_encode(h, name, TAR_NAME_MAX + 1, false, 1, 0) == -ENAMETOOLONG);
	CHECK(tar_encode(h, "irsnap-t/d/", 11, true, 5, 0) == -EINVAL);
	CHECK(tar_encode(h, "irsnap-t/d", 10, true, 0, 0) == -EINVAL);
	CHECK(tar_encode(h, "irsnap-t/f/", 11, false, 0, 0) == -EINVAL);
	CHECK(tar_encode(h, "irsnap-t/f", 10, false, 0, -1) == -EINVAL);
	/* where no pax header is needed: the very bytes libarchive's pax writer
	 * wrote for collect before (bundles of 0.1.0 still verify) */
	int same = 0, tried = 0;
	for (size_t len = 10; len <= 255; len += 3) {
		bool dir = len & 1;
		make_name(name, len, dir);
		int n = tar_encode(h, name, strlen(name), dir, dir ? 0 : len, 1796297523);
		if (n != TAR_BLOCK)
			continue;
		tried++;
		same += libarchive_header_is(h, name, dir, dir ? 0 : len, 1796297523);
	}
	CHECK(tried > 40 && same == tried);
}

static void test_numbers(void)
{
	unsigned char f[12];
	uint64_t v;

	memcpy(f, "00000001750 ", 12);
	CHECK(tar_parse_num(f, 12, &v) == 0 && v == 01750);
	memcpy(f, "0000000175x ", 12);
	CHECK(tar_parse_num(f, 12, &v) == -EINVAL);
	memcpy(f, "            ", 12);
	CHECK(tar_parse_num(f, 12, &v) == -EINVAL);
	memset(f, 0, 12);
	f[0] = 0x80;
	f[7] = 0x02;
	CHECK(tar_parse_num(f, 12, &v) == 0 && v == (2ull << 32));
	f[1] = 0x01;   /* beyond 64 bits */
	CHECK(tar_parse_num(f, 12, &v) == -EINVAL);
}

static void test_names(void)
{
	struct tarnames t = { 0 };
	const char *rule = NULL;
	char big[TAR_NAME_MAX + 2];

	CHECK(tarnames_place(&t, "irsnap-t/x", 10, false, &rule) == -EINVAL);   /* top first */
	CHECK(tarnames_place(&t, "evil/", 5, true, &rule) == -EINVAL);
	CHECK(tarnames_place(&t, "irsnap-t/", 9, true, &rule) == 0);
	CHECK(tarnames_place(&t, "irsnap-u/", 9, true, &rule) == -EINVAL);      /* one top */
	CHECK(tarnames_place(&t, "irsnap-t/d", 10, false, &rule) == 0);
	CHECK(tarnames_place(&t, "irsnap-t/d/", 11, true, &rule) == -EEXIST);
	CHECK(tarnames_place(&t, "irsnap-t/d/c", 12, false, &rule) == -ENOTDIR);
	CHECK(strstr(rule, "under a name that is a file") != NULL);
	CHECK(tarnames_place(&t, "irsnap-t/d", 10, false, &rule) == -EEXIST);
	CHECK(tarnames_place(&t, "irsnap-t/e/", 11, true, &rule) == 0);
	CHECK(tarnames_place(&t, "irsnap-t/e", 10, false, &rule) == -EEXIST);
	CHECK(tarnames_place(&t, "irsnap-t/a\0b", 12, false, &rule) == -EINVAL);
	CHECK(tarnames_place(&t, "irsnap-t/../x", 13, false, &rule) == -EINVAL);
	CHECK(tarnames_place(&t, "irsnap-t/a b", 12, false, &rule) == -EINVAL);
	CHECK(tarnames_place(&t, "irsnap-t/f/", 11, false, &rule) == -EINVAL);
	CHECK(tarnames_check(&t, "irsnap-t/g", 10, false, &rule) == 0);
	CHECK(tarnames_place(&t, "irsnap-t/g", 10, false, &rule) == 0);   /* check placed nothing */
	/* the whole name is checked: '..' far beyond any fixed-size copy */
	size_t o = (size_t)snprintf(big, sizeof(big), "irsnap-t/");
	while (o < 2000)
		o += (size_t)snprintf(big + o, sizeof(big) - o, "a/");
	o += (size_t)snprintf(big + o, sizeof(big) - o, "../x");
	CHECK(tarnames_place(&t, big, o, false, &rule) == -EINVAL);
	memset(big + 9, 'a', sizeof(big) - 10);
	big[sizeof(big) - 1] = '\0';
	CHECK(tarnames_place(&t, big, TAR_NAME_MAX + 1, false, &rule) == -ENAMETOOLONG);
	CHECK(tarnames_parent_placed(&t, "irsnap-t/e/x", 12));
	CHECK(!tarnames_parent_placed(&t, "irsnap-t/q/x", 12));
	tarnames_free(&t);
}

static void test_pax(void)
{
	struct tar_pax x = { 0 };
	char msg[256];
#define PAX(s) tar_pax_parse((const unsigned char *)(s), sizeof(s) - 1, &x, msg, sizeof(msg))
#define RESET() do { free(x.path); memset(&x, 0, sizeof(x)); } while (0)

	CHECK(PAX("15 path=irsnap\n") == NULL && x.path_len == 6 && strcmp(x.path, "irsnap") == 0);
	RESET();
	CHECK(PAX("15 path=irsnap\n19 size=8589934592\n") == NULL && x.has_size &&
	      x.size == 8589934592ull);
	RESET();
	CHECK(PAX("15 path=a\0sdef\n") == NULL && x.path_len == 6 && x.path[1] == '\0');
	RESET();
	CHECK(PAX("16 path=irsnap\n") != NULL);            /* length does not match */
	RESET();
	CHECK(PAX("015 path=irsnap\n") != NULL);           /* a leading zero */
	RESET();
	CHECK(PAX("15 path=irsnap\n15 path=irsnap\n") != NULL);   /* twice */
	RESET();
	const char *r = PAX("20 mtime=1796297523\n");
	CHECK(r && strstr(r, "pax key 'mtime'"));
	RESET();
	r = PAX("11 \x1b]0;x=1\n");
	CHECK(r && strstr(r, "\\x1b") && !strchr(r, 0x1b));
	RESET();
	CHECK(PAX("12 size=012\n") != NULL);
	RESET();
	CHECK(PAX("99999999999999999999 path=x\n") != NULL);
	RESET();
	CHECK(PAX("") == NULL && !x.path && !x.has_size);
#undef PAX
#undef RESET
}

int main(void)
{
	test_encoder();
	test_numbers();
	test_names();
	test_pax();
	return tap_done("unit_tarfmt");
}
