/* dpkg_db.c - dpkg's status file and md5sums lines (dpkg.h). */
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "dpkg.h"
#include "banned.h"

static bool field_is(const char *s, size_t n, const char *name)
{
	return strlen(name) == n && strncasecmp(s, name, n) == 0;
}

static size_t trim_end(const char *s, size_t n)
{
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	return n;
}

/* The field a "Name: value" line sets, or NULL for one irsnap keeps not. */
static struct dpkg_field *slot(struct dpkg_pkg *p, const char *name, size_t n)
{
	static const struct { const char *name; size_t off; } map[] = {
		{ "Package", offsetof(struct dpkg_pkg, package) },
		{ "Status", offsetof(struct dpkg_pkg, status) },
		{ "Architecture", offsetof(struct dpkg_pkg, architecture) },
		{ "Version", offsetof(struct dpkg_pkg, version) },
		{ "Source", offsetof(struct dpkg_pkg, source) },
		{ "Multi-Arch", offsetof(struct dpkg_pkg, multi_arch) },
		{ "Installed-Size", offsetof(struct dpkg_pkg, installed_size) },
		{ "Conffiles", offsetof(struct dpkg_pkg, conffiles) },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (field_is(name, n, map[i].name))
			return (struct dpkg_field *)((char *)p + map[i].off);
	return NULL;
}

long dpkg_status_parse(const char *buf, size_t len, dpkg_pkg_fn fn, void *ctx)
{
	struct dpkg_pkg p;
	struct dpkg_field *last = NULL;   /* the field continuation lines extend */
	bool open = false;
	long count = 0;
	const char *end = buf + len;

	memset(&p, 0, sizeof(p));
	for (const char *l = buf; l <= end;) {
		const char *nl = l < end ? memchr(l, '\n', (size_t)(end - l)) : NULL;
		size_t n = (size_t)((nl ? nl : end) - l);
		size_t tn = trim_end(l, n);
		if (tn == 0) {   /* the end of a stanza (or of the file) */
			if (open) {
				count++;
				int r = fn(ctx, &p);
				if (r < 0)
					return r;
			}
			memset(&p, 0, sizeof(p));
			open = false;
			last = NULL;
		} else if (l[0] == ' ' || l[0] == '\t') {
			if (last && last->s)   /* extends the field up to this line's end */
				last->n = (size_t)(l + tn - last->s);
			else if (open)
				p.bad_lines++;
		} else {
			const char *colon = memchr(l, ':', tn);
			if (!open) {
				p.offset = (uint64_t)(l - buf);
				open = true;
			}
			if (!colon || colon == l) {
				p.bad_lines++;
				last = NULL;
			} else {
				last = slot(&p, l, (size_t)(colon - l));
				if (last) {
					const char *v = colon + 1;
					while (v < l + tn && (*v == ' ' || *v == '\t'))
						v++;
					last->s = v;
					last->n = (size_t)(l + tn - v);
				}
			}
		}
		if (!nl)
			break;
		l = nl + 1;
	}
	if (open) {   /* a last stanza without its empty line */
		count++;
		int r = fn(ctx, &p);
		if (r < 0)
			return r;
	}
	return count;
}

bool dpkg_has_files(const struct dpkg_pkg *p)
{
	const struct dpkg_field *s = &p->status;
	if (!s->s)
		return false;
	const char *w = s->s + s->n;   /* the last word: the state */
	while (w > s->s && w[-1] != ' ')
		w--;
	size_t n = (size_t)(s->s + s->n - w);
	return n && !field_is(w, n, "not-installed") && !field_is(w, n, "config-files");
}

bool dpkg_conffile_next(const char **pos, const char *end, struct dpkg_conffile *ret)
{
	while (*pos < end) {
		const char *l = *pos, *nl = memchr(l, '\n', (size_t)(end - l));
		const char *le = nl ? nl : end;
		*pos = nl ? nl + 1 : end;
		const char *w[4];
		size_t wn[4], k = 0;
		for (const char *q = l; q < le && k < 4;) {
			while (q < le && (*q == ' ' || *q == '\t' || *q == '\r'))
				q++;
			if (q >= le)
				break;
			w[k] = q;
			while (q < le && *q != ' ' && *q != '\t' && *q != '\r')
				q++;
			wn[k] = (size_t)(q - w[k]);
			k++;
		}
		if (k < 2 || w[0][0] != '/')
			continue;
		memset(ret, 0, sizeof(*ret));
		ret->path = (struct dpkg_field){ w[0], wn[0] };
		ret->md5 = (struct dpkg_field){ w[1], wn[1] };
		for (size_t i = 2; i < k; i++) {
			ret->obsolete |= field_is(w[i], wn[i], "obsolete");
			ret->remove_on_upgrade |= field_is(w[i], wn[i], "remove-on-upgrade");
		}
		return true;
	}
	return false;
}

static bool hex32(const char *s, size_t n)
{
	if (n < 32)
		return false;
	for (size_t i = 0; i < 32; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
		      (s[i] >= 'A' && s[i] <= 'F')))
			return false;
	return true;
}

bool dpkg_md5sums_line(const char *s, size_t n, struct dpkg_sum *ret)
{
	if (n && s[n - 1] == '\r')
		n--;
	if (!hex32(s, n) || n < 35 || (s[32] != ' ' && s[32] != '\t'))
		return false;
	size_t i = 33;
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '*'))
		i++;   /* md5sum's "  " or " *" (binary) */
	if (i >= n)
		return false;
	for (int k = 0; k < 32; k++)
		ret->md5[k] = (char)(s[k] >= 'A' && s[k] <= 'F' ? s[k] - 'A' + 'a' : s[k]);
	ret->md5[32] = '\0';
	ret->path = (struct dpkg_field){ s + i, n - i };
	return true;
}
