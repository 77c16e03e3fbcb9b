/* mountinfo.c - a /proc/<pid>/mountinfo line parsed in place (mountinfo.h). */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "mountinfo.h"
#include "banned.h"

/* The next space-separated field from *p (before end); false at the end. */
static bool next(const char **p, const char *end, struct mi_field *f)
{
	const char *s = *p;

	while (s < end && *s == ' ')
		s++;
	if (s >= end)
		return false;
	const char *e = memchr(s, ' ', (size_t)(end - s));
	if (!e)
		e = end;
	*f = (struct mi_field){ s, (size_t)(e - s) };
	*p = e;
	return true;
}

static bool number(const struct mi_field *f, uint64_t *ret)
{
	uint64_t v = 0;

	if (!f->n || f->n > 19)
		return false;
	for (size_t i = 0; i < f->n; i++) {
		if (f->s[i] < '0' || f->s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(f->s[i] - '0');
	}
	*ret = v;
	return true;
}

int mountinfo_parse(const char *line, size_t n, struct mi_line *ret)
{
	const char *p = line, *end = line + n;
	struct mi_field f[6], dev;
	uint64_t maj, min;

	if (n && end[-1] == '\n')
		end--;
	for (int i = 0; i < 6; i++)
		if (!next(&p, end, &f[i]))
			return -EINVAL;
	/* f: id, parent, major:minor, root, mount point, options */
	dev = f[2];
	const char *colon = memchr(dev.s, ':', dev.n);
	if (!colon)
		return -EINVAL;
	struct mi_field fmaj = { dev.s, (size_t)(colon - dev.s) };
	struct mi_field fmin = { colon + 1, dev.n - fmaj.n - 1 };
	struct mi_line m = { 0 };
	if (!number(&f[0], &m.id) || !number(&f[1], &m.parent) || !number(&fmaj, &maj) ||
	    !number(&fmin, &min) || maj > 0xffffffffu || min > 0xffffffffu)
		return -EINVAL;
	m.major = (unsigned)maj;
	m.minor = (unsigned)min;
	m.root = f[3];
	m.mount_point = f[4];
	m.options = f[5];
	/* optional fields up to the lone "-" */
	struct mi_field o;
	const char *opt_start = NULL, *opt_end = NULL;
	for (;;) {
		if (!next(&p, end, &o))
			return -EINVAL;
		if (o.n == 1 && o.s[0] == '-')
			break;
		if (!opt_start)
			opt_start = o.s;
		opt_end = o.s + o.n;
	}
	/* no field is NULL: an empty one points at the empty string */
	m.optional = opt_start ? (struct mi_field){ opt_start, (size_t)(opt_end - opt_start) } :
		     (struct mi_field){ "", 0 };
	if (!next(&p, end, &m.fstype) || !next(&p, end, &m.source))
		return -EINVAL;
	if (!next(&p, end, &m.super_options))
		m.super_options = (struct mi_field){ p, 0 };
	*ret = m;
	return 0;
}

size_t mountinfo_unescape(const char *s, size_t n, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 3 < n && s[i + 1] >= '0' && s[i + 1] <= '3' &&
		    s[i + 2] >= '0' && s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
			out[o++] = (char)((s[i + 1] - '0') << 6 | (s[i + 2] - '0') << 3 | (s[i + 3] - '0'));
			i += 3;
		} else {
			out[o++] = s[i];
		}
	}
	return o;
}

int mountinfo_find(const char *buf, size_t len, uint64_t id, struct mi_line *ret)
{
	for (const char *p = buf, *end = buf + len; p && p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (mountinfo_parse(p, n, ret) == 0 && ret->id == id)
			return 0;
		p = nl ? nl + 1 : NULL;
	}
	return -ENOENT;
}
