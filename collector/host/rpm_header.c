/* rpm_header.c - RPM header blobs decoded without rpm (rpmhdr.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpmhdr.h"
#include "banned.h"

#define IL_MAX 0xffffu            /* rpm's own limits (hdrblobVerifyInfo) */
#define DL_MAX (256u << 20)

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int rpmhdr_init(struct rpmhdr *h, const void *blob, size_t len, char *why, size_t whylen)
{
	const unsigned char *b = blob;

	memset(h, 0, sizeof(*h));
	if (!b || len < 8) {
		snprintf(why, whylen, "a header of %zu bytes (at least 8)", len);
		return -EINVAL;
	}
	uint32_t il = be32(b), dl = be32(b + 4);
	if (il == 0 || il > IL_MAX || dl > DL_MAX) {
		snprintf(why, whylen, "a header of %u entries and %u data bytes (rpm allows 1 to "
			 "%u and %u)", il, dl, IL_MAX, DL_MAX);
		return -EINVAL;
	}
	if ((uint64_t)il * 16 + dl + 8 > len) {
		snprintf(why, whylen, "a header that says %u entries and %u data bytes in a blob of "
			 "%zu bytes", il, dl, len);
		return -EINVAL;
	}
	h->il = il;
	h->dl = dl;
	h->ent = b + 8;
	h->data = b + 8 + (size_t)il * 16;
	return 0;
}

static size_t int_size(uint32_t type)
{
	switch (type) {
	case RPMTYPE_CHAR:
	case RPMTYPE_INT8: return 1;
	case RPMTYPE_INT16: return 2;
	case RPMTYPE_INT32: return 4;
	case RPMTYPE_INT64: return 8;
	default: return 0;
	}
}

/* count NUL-terminated strings from off inside the data */
static bool strings_fit(const struct rpmhdr *h, uint32_t off, uint32_t count)
{
	for (uint32_t i = 0; i < count; i++) {
		if (off >= h->dl)
			return false;
		const unsigned char *z = memchr(h->data + off, '\0', h->dl - off);
		if (!z)
			return false;
		off = (uint32_t)(z - h->data) + 1;
	}
	return true;
}

bool rpmhdr_get(const struct rpmhdr *h, uint32_t tag, struct rpmhdr_tag *t, bool *bad)
{
	for (uint32_t i = 0; i < h->il; i++) {
		const unsigned char *e = h->ent + (size_t)i * 16;
		if (be32(e) != tag)
			continue;
		uint32_t type = be32(e + 4), off = be32(e + 8), count = be32(e + 12);
		bool ok = count >= 1 && count <= h->dl && off < h->dl;
		size_t sz = int_size(type);
		if (ok && sz)
			ok = (uint64_t)off + (uint64_t)count * sz <= h->dl;
		else if (ok && type == RPMTYPE_STRING)
			ok = count == 1 && strings_fit(h, off, 1);
		else if (ok && (type == RPMTYPE_STRING_ARRAY || type == RPMTYPE_I18NSTRING))
			ok = strings_fit(h, off, count);
		else if (ok && type == RPMTYPE_BIN)
			ok = (uint64_t)off + count <= h->dl;
		else
			ok = false;
		if (!ok) {
			if (bad)
				*bad = true;
			return false;
		}
		*t = (struct rpmhdr_tag){ tag, type, count, h->data + off };
		return true;
	}
	return false;
}

const char *rpmhdr_str(const struct rpmhdr *h, uint32_t tag)
{
	struct rpmhdr_tag t;
	if (!rpmhdr_get(h, tag, &t, NULL) ||
	    (t.type != RPMTYPE_STRING && t.type != RPMTYPE_I18NSTRING))
		return NULL;
	return (const char *)t.p;
}

uint64_t rpmhdr_int(const struct rpmhdr_tag *t, uint32_t i)
{
	size_t sz = int_size(t->type);
	uint64_t v = 0;
	if (!sz || i >= t->count)
		return 0;
	for (size_t k = 0; k < sz; k++)
		v = v << 8 | t->p[(size_t)i * sz + k];
	return v;
}

const char **rpmhdr_strv(const struct rpmhdr_tag *t)
{
	if (t->type != RPMTYPE_STRING_ARRAY && t->type != RPMTYPE_I18NSTRING &&
	    t->type != RPMTYPE_STRING)
		return NULL;
	const char **v = calloc(t->count, sizeof(*v));
	const char *s = (const char *)t->p;
	for (uint32_t i = 0; v && i < t->count; i++) {   /* rpmhdr_get saw each NUL */
		v[i] = s;
		s += strlen(s) + 1;
	}
	return v;
}

struct farray {
	uint32_t tag, type;        /* the type the entry must have */
	const char *name;
	struct rpmhdr_tag t;
	bool have;
	const char **s;
};

enum { FA_SIZES, FA_LSIZES, FA_MODES, FA_RDEVS, FA_MTIMES, FA_DIGESTS, FA_LINKS, FA_FLAGS,
       FA_USERS, FA_GROUPS, FA_VERIFY, FA_STATES, FA_CAPS, FA_DIRIDX, FA_N };

static void free_arrays(struct farray *a, const char **base, const char **dirs)
{
	for (int i = 0; i < FA_N; i++)
		free(a[i].s);
	free(base);
	free(dirs);
}

long rpmhdr_files(const struct rpmhdr *h, rpmfile_fn fn, void *ctx, char *why, size_t whylen)
{
	struct farray a[FA_N] = {
		[FA_SIZES] = { RPMT_FILESIZES, RPMTYPE_INT32, "FILESIZES" },
		[FA_LSIZES] = { RPMT_LONGFILESIZES, RPMTYPE_INT64, "LONGFILESIZES" },
		[FA_MODES] = { RPMT_FILEMODES, RPMTYPE_INT16, "FILEMODES" },
		[FA_RDEVS] = { RPMT_FILERDEVS, RPMTYPE_INT16, "FILERDEVS" },
		[FA_MTIMES] = { RPMT_FILEMTIMES, RPMTYPE_INT32, "FILEMTIMES" },
		[FA_DIGESTS] = { RPMT_FILEDIGESTS, RPMTYPE_STRING_ARRAY, "FILEDIGESTS" },
		[FA_LINKS] = { RPMT_FILELINKTOS, RPMTYPE_STRING_ARRAY, "FILELINKTOS" },
		[FA_FLAGS] = { RPMT_FILEFLAGS, RPMTYPE_INT32, "FILEFLAGS" },
		[FA_USERS] = { RPMT_FILEUSERNAME, RPMTYPE_STRING_ARRAY, "FILEUSERNAME" },
		[FA_GROUPS] = { RPMT_FILEGROUPNAME, RPMTYPE_STRING_ARRAY, "FILEGROUPNAME" },
		[FA_VERIFY] = { RPMT_FILEVERIFYFLAGS, RPMTYPE_INT32, "FILEVERIFYFLAGS" },
		[FA_STATES] = { RPMT_FILESTATES, RPMTYPE_CHAR, "FILESTATES" },
		[FA_CAPS] = { RPMT_FILECAPS, RPMTYPE_STRING_ARRAY, "FILECAPS" },
		[FA_DIRIDX] = { RPMT_DIRINDEXES, RPMTYPE_INT32, "DIRINDEXES" },
	};
	struct rpmhdr_tag bt, dt;
	bool bad = false;
	const char **base = NULL, **dirs = NULL;
	long ret = 0;

	if (!rpmhdr_get(h, RPMT_BASENAMES, &bt, &bad)) {
		if (bad)
			snprintf(why, whylen, "a malformed BASENAMES entry");
		return bad ? -EINVAL : 0;   /* a package without files */
	}
	if (bt.type != RPMTYPE_STRING_ARRAY || !rpmhdr_get(h, RPMT_DIRNAMES, &dt, &bad) ||
	    dt.type != RPMTYPE_STRING_ARRAY) {
		snprintf(why, whylen, "BASENAMES without a well-formed DIRNAMES");
		return -EINVAL;
	}
	for (int i = 0; i < FA_N; i++) {
		bool b = false;
		a[i].have = rpmhdr_get(h, a[i].tag, &a[i].t, &b);
		if (b || (a[i].have && (a[i].t.type != a[i].type || a[i].t.count != bt.count))) {
			snprintf(why, whylen, "%s: %s", a[i].name, b ? "malformed" :
				 a[i].t.type != a[i].type ? "not of its type" :
				 "not one element per file");
			free_arrays(a, NULL, NULL);
			return -EINVAL;
		}
		if (a[i].have && a[i].type == RPMTYPE_STRING_ARRAY && !(a[i].s = rpmhdr_strv(&a[i].t))) {
			free_arrays(a, NULL, NULL);
			snprintf(why, whylen, "out of memory");
			return -ENOMEM;
		}
	}
	if (!a[FA_DIRIDX].have) {
		free_arrays(a, NULL, NULL);
		snprintf(why, whylen, "BASENAMES without DIRINDEXES");
		return -EINVAL;
	}
	base = rpmhdr_strv(&bt);
	dirs = rpmhdr_strv(&dt);
	if (!base || !dirs) {
		free_arrays(a, base, dirs);
		snprintf(why, whylen, "out of memory");
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < bt.count; i++) {
		uint64_t di = rpmhdr_int(&a[FA_DIRIDX].t, i);
		if (di >= dt.count) {
			snprintf(why, whylen, "file %u names dirname %llu of %u", i,
				 (unsigned long long)di, dt.count);
			ret = -EINVAL;
			break;
		}
		struct rpmfile f = {
			.dir = dirs[di], .base = base[i],
			.size = a[FA_LSIZES].have ? rpmhdr_int(&a[FA_LSIZES].t, i) :
				rpmhdr_int(&a[FA_SIZES].t, i),
			.mode = (uint32_t)rpmhdr_int(&a[FA_MODES].t, i),
			.mtime = (uint32_t)rpmhdr_int(&a[FA_MTIMES].t, i),
			.flags = (uint32_t)rpmhdr_int(&a[FA_FLAGS].t, i),
			.verify = a[FA_VERIFY].have ? (uint32_t)rpmhdr_int(&a[FA_VERIFY].t, i) : ~0u,
			.rdev = (uint32_t)rpmhdr_int(&a[FA_RDEVS].t, i),
			.state = a[FA_STATES].have ? (int)rpmhdr_int(&a[FA_STATES].t, i) : -1,
			.digest = a[FA_DIGESTS].s ? a[FA_DIGESTS].s[i] : NULL,
			.link = a[FA_LINKS].s ? a[FA_LINKS].s[i] : NULL,
			.user = a[FA_USERS].s ? a[FA_USERS].s[i] : NULL,
			.group = a[FA_GROUPS].s ? a[FA_GROUPS].s[i] : NULL,
			.caps = a[FA_CAPS].s ? a[FA_CAPS].s[i] : NULL,
		};
		int r = fn(ctx, &f);
		if (r < 0) {
			ret = r;
			break;
		}
		ret++;
	}
	free_arrays(a, base, dirs);
	return ret;
}

const char *rpmhdr_digest_name(uint32_t pgp_algo)
{
	switch (pgp_algo) {
	case 1: return "MD5";
	case 2: return "SHA1";
	case 8: return "SHA256";
	case 9: return "SHA384";
	case 10: return "SHA512";
	case 11: return "SHA224";
	default: return NULL;
	}
}
