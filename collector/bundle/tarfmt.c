/* tarfmt.c - irsnap's tar subset: header encoder and name rules (tarfmt.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tarfmt.h"
#include "textutil.h"
#include "banned.h"

/* `digits` octal digits of v, then the terminator bytes of the field. */
static int put_octal(unsigned char *f, size_t digits, uint64_t v)
{
	for (size_t i = digits; i-- > 0;) {
		f[i] = (unsigned char)('0' + (v & 7));
		v >>= 3;
	}
	return v ? -ERANGE : 0;
}

static void put_id_field(unsigned char *f, uint64_t v)
{
	put_octal(f, 6, v);   /* "000000 \0": 0 and 0444/0755 always fit */
	f[6] = ' ';
	f[7] = '\0';
}

/* size and mtime: 11 octal digits and a space; base-256 beyond. */
static void put_num12(unsigned char *f, uint64_t v)
{
	if (put_octal(f, 11, v) == 0) {
		f[11] = ' ';
		return;
	}
	memset(f, 0, TAR_NUM_LEN);
	f[0] = 0x80;
	for (size_t i = TAR_NUM_LEN; i-- > 4 && v; v >>= 8)
		f[i] = (unsigned char)(v & 0xff);
}

unsigned tar_checksum(const unsigned char block[TAR_BLOCK])
{
	unsigned sum = 0;

	for (size_t i = 0; i < TAR_BLOCK; i++)
		sum += (i >= TAR_CHKSUM_OFF && i < TAR_CHKSUM_OFF + TAR_CHKSUM_LEN) ?
		       ' ' : block[i];
	return sum;
}

static void ustar_block(unsigned char *h, const char *name, size_t nlen,
			const char *prefix, size_t plen, char type, uint64_t size,
			int64_t mtime)
{
	memset(h, 0, TAR_BLOCK);
	memcpy(h + TAR_NAME_OFF, name, nlen);
	memcpy(h + TAR_PREFIX_OFF, prefix, plen);
	put_id_field(h + TAR_MODE_OFF, type == '5' ? 0755 : 0444);
	put_id_field(h + TAR_UID_OFF, 0);
	put_id_field(h + TAR_GID_OFF, 0);
	put_num12(h + TAR_SIZE_OFF, size);
	put_num12(h + TAR_MTIME_OFF, (uint64_t)mtime);
	h[TAR_TYPE_OFF] = (unsigned char)type;
	memcpy(h + TAR_MAGIC_OFF, "ustar\0" "00", TAR_MAGIC_LEN);
	put_id_field(h + TAR_DEVMAJ_OFF, 0);
	put_id_field(h + TAR_DEVMIN_OFF, 0);
	put_octal(h + TAR_CHKSUM_OFF, 6, tar_checksum(h));
	h[TAR_CHKSUM_OFF + 6] = '\0';
	h[TAR_CHKSUM_OFF + 7] = ' ';
}

/* "<len> <key>=<value>\n", where <len> counts the whole record. */
static size_t pax_record(unsigned char *out, const char *key, const char *val,
			 size_t vlen)
{
	size_t body = 1 + strlen(key) + 1 + vlen + 1, len = body + 1;
	char num[FMT_INT_LEN];

	while (fmt_u64(num, len) + body != len)
		len = fmt_u64(num, len) + body;
	size_t nd = fmt_u64(num, len), o = 0;
	memcpy(out, num, nd);
	o = nd;
	out[o++] = ' ';
	memcpy(out + o, key, strlen(key));
	o += strlen(key);
	out[o++] = '=';
	memcpy(out + o, val, vlen);
	o += vlen;
	out[o++] = '\n';
	return o;
}

/* The ustar split libarchive and POSIX use: the first '/' at or after
 * len - 101 that leaves a non-empty name of at most 100 bytes and a prefix
 * of at most 155. Returns the offset of that '/', or -1. */
static long ustar_split(const char *full, size_t len)
{
	const char *p = memchr(full + len - TAR_NAME_LEN - 1, '/', TAR_NAME_LEN + 1);

	if (p == full)
		p = memchr(p + 1, '/', len - 1);
	if (!p || (size_t)(p - full) == len - 1 || p - full > TAR_PREFIX_LEN)
		return -1;
	return p - full;
}

int tar_encode(unsigned char *out, const char *full, size_t len, bool dir,
	       uint64_t size, int64_t mtime)
{
	bool want_pax_path = false, want_pax_size = size >= (1ull << 33);
	char type = dir ? '5' : '0';
	long split = -1;

	if (len == 0 || mtime < 0 || mtime >= (1ll << 33) ||
	    (dir && (size != 0 || full[len - 1] != '/')) ||
	    (!dir && full[len - 1] == '/'))
		return -EINVAL;
	if (len > TAR_NAME_MAX)
		return -ENAMETOOLONG;
	if (len > TAR_NAME_LEN) {
		split = ustar_split(full, len);
		want_pax_path = split < 0;
	}
	size_t o = 0;
	if (want_pax_path || want_pax_size) {
		unsigned char *data = out + TAR_BLOCK;
		size_t n = 0;
		char num[FMT_INT_LEN];
		if (want_pax_path)
			n += pax_record(data + n, "path", full, len);
		if (want_pax_size) {
			size_t nd = fmt_u64(num, size);
			n += pax_record(data + n, "size", num, nd);
		}
		memset(data + n, 0, tar_padding(n));
		ustar_block(out, TAR_PAX_NAME, strlen(TAR_PAX_NAME), "", 0, 'x', n, mtime);
		o = TAR_BLOCK + n + tar_padding(n);
	}
	unsigned char *h = out + o;
	if (want_pax_path)
		ustar_block(h, full, TAR_NAME_LEN, "", 0, type, size, mtime);
	else if (split >= 0)
		ustar_block(h, full + split + 1, len - (size_t)split - 1, full,
			    (size_t)split, type, size, mtime);
	else
		ustar_block(h, full, len, "", 0, type, size, mtime);
	return (int)(o + TAR_BLOCK);
}

int tar_parse_num(const unsigned char *f, size_t len, uint64_t *ret)
{
	uint64_t v = 0;
	size_t i = 0;

	if (len == TAR_NUM_LEN && f[0] == 0x80) {
		for (i = 1; i < len; i++) {
			if (v >> 56)
				return -EINVAL;
			v = v << 8 | f[i];
		}
		*ret = v;
		return 0;
	}
	for (; i < len && f[i] >= '0' && f[i] <= '7'; i++) {
		if (v >> 60)
			return -EINVAL;
		v = v << 3 | (uint64_t)(f[i] - '0');
	}
	if (i == 0)
		return -EINVAL;
	for (; i < len; i++)
		if (f[i] != ' ' && f[i] != '\0')
			return -EINVAL;
	*ret = v;
	return 0;
}

static bool set_has_n(const struct strset *s, const char *p, size_t n)
{
	char *tmp = strndup(p, n);
	bool has = tmp && strset_has(s, tmp);

	free(tmp);
	return has;
}

/* The rules of tarnames_place(); on success *ret_name is the name without
 * its trailing '/', malloc'ed. */
static int names_check(const struct tarnames *t, const char *full, size_t len,
		       bool dir, const char **ret_rule, char **ret_name)
{
	size_t base = dir && len > 0 && full[len - 1] == '/' ? len - 1 : len;
	char *name;
	int r;

	if (len > TAR_NAME_MAX) {
		*ret_rule = "name longer than 4096 bytes (collect never writes one)";
		return -ENAMETOOLONG;
	}
	if (len == 0 || memchr(full, '\0', len) || (dir != (full[len - 1] == '/'))) {
		*ret_rule = "unsafe member name (empty, a NUL byte, or a directory "
			    "without its '/')";
		return -EINVAL;
	}
	name = strndup(full, base);
	if (!name) {
		*ret_rule = "out of memory";
		return -ENOMEM;
	}
	const char *slash = strchr(name, '/');
	size_t tlen = slash ? (size_t)(slash - name) : strlen(name);
	if (!member_name_safe(name) || strncmp(name, "irsnap-", 7) != 0 ||
	    (t->top && (strlen(t->top) != tlen || strncmp(t->top, name, tlen) != 0)) ||
	    (!t->top && (slash || !dir))) {
		*ret_rule = "unsafe member name (outside the bundle folder, or bytes "
			    "outside [A-Za-z0-9._/%-])";
		r = -EINVAL;
		goto out;
	}
	if (strset_has(&t->files, name) || strset_has(&t->dirs, name)) {
		*ret_rule = "duplicate member (a name written twice, or a file and a "
			    "directory of one name)";
		r = -EEXIST;
		goto out;
	}
	for (const char *p = strchr(name, '/'); p; p = strchr(p + 1, '/')) {
		if (set_has_n(&t->files, name, (size_t)(p - name))) {
			*ret_rule = "member under a name that is a file (no tar can "
				    "extract both)";
			r = -ENOTDIR;
			goto out;
		}
	}
	*ret_name = name;
	return 0;
out:
	free(name);
	return r;
}

int tarnames_check(const struct tarnames *t, const char *full, size_t len, bool dir,
		   const char **ret_rule)
{
	char *name = NULL;
	int r = names_check(t, full, len, dir, ret_rule, &name);

	free(name);
	return r;
}

int tarnames_place(struct tarnames *t, const char *full, size_t len, bool dir,
		   const char **ret_rule)
{
	char *name = NULL;
	int r = names_check(t, full, len, dir, ret_rule, &name);

	if (r < 0)
		return r;
	r = strset_add(dir ? &t->dirs : &t->files, name);
	if (r < 0) {
		*ret_rule = "out of memory";
		free(name);
		return r;
	}
	if (!t->top)
		t->top = name;
	else
		free(name);
	return 0;
}

bool tarnames_parent_placed(const struct tarnames *t, const char *full, size_t len)
{
	size_t end = len > 0 && full[len - 1] == '/' ? len - 1 : len;

	while (end > 0 && full[end - 1] != '/')
		end--;
	if (end == 0)
		return true;
	return set_has_n(&t->dirs, full, end - 1);
}

bool tarnames_has_dir(const struct tarnames *t, const char *full, size_t len)
{
	size_t base = len > 0 && full[len - 1] == '/' ? len - 1 : len;

	return set_has_n(&t->dirs, full, base);
}

void tarnames_free(struct tarnames *t)
{
	strset_free(&t->files);
	strset_free(&t->dirs);
	free(t->top);
	t->top = NULL;
}

/* Printable ASCII as is, every other byte as \xNN (a rule's text is shown). */
static void show_bytes(char *out, size_t outlen, const unsigned char *p, size_t n)
{
	size_t o = 0;

	while (n > 0 && p[n - 1] == '\0')
		n--;
	for (size_t i = 0; i < n && o + 5 < outlen; i++) {
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\' && p[i] != '\'')
			out[o++] = (char)p[i];
		else
			o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", p[i]);
	}
	out[o] = '\0';
}

const char *tar_type_rule(unsigned char t)
{
	switch (t) {
	case 'g': return "a pax global header (collect never writes one; GNU tar applies it "
			 "to every later member)";
	case 'L': case 'K': return "a GNU long name or long link header (collect writes pax)";
	case 'S': return "a GNU sparse member (collect writes no sparse members)";
	case 'V': return "a GNU volume header (GNU tar hides what it wraps)";
	case 'D': return "a GNU dumpdir entry";
	case 'M': case 'N': return "a GNU multi-volume or old long-name entry";
	case '1': case '2': return "a link: not a regular file or directory (collect "
				   "writes only those)";
	case '3': case '4': case '6': return "a device or FIFO: not a regular file or "
					     "directory (collect writes only those)";
	case 'x': return "two pax headers for one member";
	default: return "a member type collect never writes (only '0' and '5')";
	}
}

const char *tar_header_diff(const unsigned char *got, size_t glen,
			    const unsigned char *want, size_t wlen, char *msg, size_t msglen)
{
	static const struct { const char *field; size_t off, len; } f[] = {
		{ "name", TAR_NAME_OFF, TAR_NAME_LEN }, { "mode", TAR_MODE_OFF, TAR_ID_LEN },
		{ "uid", TAR_UID_OFF, TAR_ID_LEN }, { "gid", TAR_GID_OFF, TAR_ID_LEN },
		{ "size", TAR_SIZE_OFF, TAR_NUM_LEN }, { "mtime", TAR_MTIME_OFF, TAR_NUM_LEN },
		{ "typeflag", TAR_TYPE_OFF, 1 }, { "linkname", TAR_LINK_OFF, TAR_LINK_LEN },
		{ "magic", TAR_MAGIC_OFF, TAR_MAGIC_LEN }, { "uname", TAR_UNAME_OFF, TAR_OWNER_LEN },
		{ "gname", TAR_GNAME_OFF, TAR_OWNER_LEN }, { "devmajor", TAR_DEVMAJ_OFF, TAR_ID_LEN },
		{ "devminor", TAR_DEVMIN_OFF, TAR_ID_LEN }, { "prefix", TAR_PREFIX_OFF, TAR_PREFIX_LEN },
		{ "padding", TAR_PAD_OFF, TAR_BLOCK - TAR_PAD_OFF },
		{ "chksum", TAR_CHKSUM_OFF, TAR_CHKSUM_LEN },
	};
	char a[200], b[200];

	if (glen == wlen && memcmp(got, want, glen) == 0)
		return NULL;
	if (glen > TAR_BLOCK && wlen == TAR_BLOCK)
		return "a pax header where collect writes none (the ustar header holds this "
		       "name and size)";
	if (glen != wlen || memcmp(got, want, glen - TAR_BLOCK) != 0)
		return "the pax header is not the one collect writes for this member";
	got += glen - TAR_BLOCK;
	want += wlen - TAR_BLOCK;
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		if (memcmp(got + f[i].off, want + f[i].off, f[i].len) == 0)
			continue;
		show_bytes(a, sizeof(a), got + f[i].off, f[i].len);
		show_bytes(b, sizeof(b), want + f[i].off, f[i].len);
		snprintf(msg, msglen, "header field '%s' is '%s', collect writes '%s'",
			 f[i].field, a, b);
		return msg;
	}
	return "the header is not the one collect writes";
}

static const char *pax_number(const unsigned char *v, size_t n, uint64_t *ret)
{
	uint64_t x = 0;

	if (n == 0 || n > 19 || (n > 1 && v[0] == '0'))
		return "a malformed pax size";
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return "a malformed pax size";
		x = x * 10 + (uint64_t)(v[i] - '0');
	}
	*ret = x;
	return NULL;
}

const char *tar_pax_parse(const unsigned char *p, size_t n, struct tar_pax *x,
			  char *msg, size_t msglen)
{
	size_t i = 0;

	while (i < n) {
		size_t len = 0, j = i;
		while (j < n && p[j] >= '0' && p[j] <= '9' && len < TAR_PAX_MAX)
			len = len * 10 + (size_t)(p[j++] - '0');
		if (j == i || p[i] == '0' || j >= n || p[j] != ' ' || len > n - i ||
		    len < j - i + 3 || p[i + len - 1] != '\n')
			return "a malformed pax record";
		const unsigned char *k = p + j + 1, *end = p + i + len - 1;
		const unsigned char *eq = memchr(k, '=', (size_t)(end - k));
		if (!eq)
			return "a malformed pax record";
		size_t klen = (size_t)(eq - k), vlen = (size_t)(end - eq - 1);
		if (klen == 4 && memcmp(k, "path", 4) == 0 && !x->path) {
			x->path = malloc(vlen + 1);
			if (!x->path)
				return "out of memory";
			memcpy(x->path, eq + 1, vlen);
			x->path[vlen] = '\0';
			x->path_len = vlen;
		} else if (klen == 4 && memcmp(k, "size", 4) == 0 && !x->has_size) {
			/* the order of the records is checked by the byte comparison
			 * with tar_encode() */
			const char *bad = pax_number(eq + 1, vlen, &x->size);
			if (bad)
				return bad;
			x->has_size = true;
		} else {
			char key[64];
			show_bytes(key, sizeof(key), k, klen < 40 ? klen : 40);
			snprintf(msg, msglen, "pax key '%s' (collect writes only 'path' and "
				 "'size', once each)", key);
			return msg;
		}
		i += len;
	}
	return NULL;
}
