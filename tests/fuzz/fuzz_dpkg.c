/* dpkg's database as the packages source reads it (dpkg.h): the input is
 * a status file; every stanza's Conffiles field is walked, and every line
 * is also taken as an md5sums line. Hostile stanzas (no empty line, no
 * colon, continuation lines first, a field cut mid-line, NUL bytes) must
 * give pointers inside the input and lengths that fit it. */
#include <string.h>

#include "dpkg.h"
#include "fuzz.h"

struct ctx {
	const char *buf;
	size_t len;
};

static void inside(const struct ctx *c, const struct dpkg_field *f)
{
	if (f->s && (f->s < c->buf || f->s + f->n > c->buf + c->len))
		__builtin_trap();
}

static int stanza(void *vctx, const struct dpkg_pkg *p)
{
	const struct ctx *c = vctx;
	const struct dpkg_field *all[] = { &p->package, &p->status, &p->architecture,
		&p->version, &p->source, &p->multi_arch, &p->installed_size, &p->conffiles };
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		inside(c, all[i]);
	(void)dpkg_has_files(p);
	const char *pos = p->conffiles.s;
	struct dpkg_conffile cf;
	while (pos && dpkg_conffile_next(&pos, p->conffiles.s + p->conffiles.n, &cf)) {
		inside(c, &cf.path);
		inside(c, &cf.md5);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctx c = { (const char *)data, size };
	dpkg_status_parse(c.buf, size, stanza, &c);
	for (const char *l = c.buf, *end = c.buf + size; l < end;) {
		const char *nl = memchr(l, '\n', (size_t)(end - l));
		size_t n = (size_t)((nl ? nl : end) - l);
		struct dpkg_sum s;
		if (dpkg_md5sums_line(l, n, &s)) {
			struct dpkg_field f = s.path;
			inside(&c, &f);
			if (strlen(s.md5) != 32)
				__builtin_trap();
		}
		l += n + 1;
	}
	return 0;
}
