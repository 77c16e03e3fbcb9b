/* The RPM header decoder (rpmhdr.h) as the packages source uses it on
 * rpmdb blobs: the input is one header blob. Counts past the data, offsets
 * outside it, strings without their NUL, arrays of the wrong length or
 * type, dirindexes past the dirnames must give pointers inside the input,
 * strings that end inside it, or a refusal. */
#include <string.h>

#include "fuzz.h"
#include "rpmhdr.h"

struct ctx {
	const unsigned char *buf;
	size_t len;
	unsigned long long sum;
};

static void inside(const struct ctx *c, const char *s)
{
	if (!s)
		return;
	const unsigned char *p = (const unsigned char *)s;
	if (p < c->buf || p >= c->buf + c->len || !memchr(p, '\0', (size_t)(c->buf + c->len - p)))
		__builtin_trap();
}

static int file(void *vctx, const struct rpmfile *f)
{
	struct ctx *c = vctx;
	const char *all[] = { f->dir, f->base, f->digest, f->link, f->user, f->group, f->caps };
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		inside(c, all[i]);
		if (all[i])
			c->sum += strlen(all[i]);
	}
	if (!f->dir || !f->base)
		__builtin_trap();
	c->sum += f->size + f->mode + f->mtime + f->flags + f->verify + f->rdev;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t tags[] = { RPMT_NAME, RPMT_VERSION, RPMT_RELEASE, RPMT_EPOCH,
		RPMT_INSTALLTIME, RPMT_ARCH, RPMT_SIZE, RPMT_LONGSIZE, RPMT_BASENAMES,
		RPMT_DIRNAMES, RPMT_FILEDIGESTS, RPMT_FILEDIGESTALGO, RPMT_FILESTATES, 100, 63 };
	struct ctx c = { data, size, 0 };
	struct rpmhdr h;
	char why[200];

	if (rpmhdr_init(&h, data, size, why, sizeof(why)) < 0) {
		if (!memchr(why, '\0', sizeof(why)))
			__builtin_trap();
		return 0;
	}
	for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		struct rpmhdr_tag t;
		bool bad = false;
		inside(&c, rpmhdr_str(&h, tags[i]));
		if (!rpmhdr_get(&h, tags[i], &t, &bad))
			continue;
		for (uint32_t k = 0; k < t.count && k < 64; k++)
			c.sum += rpmhdr_int(&t, k);
		const char **v = rpmhdr_strv(&t);
		for (uint32_t k = 0; v && k < t.count; k++)
			inside(&c, v[k]);
		free(v);
	}
	rpmhdr_files(&h, file, &c, why, sizeof(why));
	(void)rpmhdr_digest_name((uint32_t)c.sum);
	return 0;
}
