/* slowmounts.c - the mount points of file systems that answer through a
 * server, in irsnap's own view (slowmounts.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "slowmounts.h"
#include "vec.h"
#include "banned.h"

bool slowmounts_type_slow(const char *t)
{
	static const char *const slow[] = {
		"fuse", "fuseblk", "nfs", "nfs4", "cifs", "smb3", "smbfs", "9p", "ceph",
		"glusterfs", "afs", "coda", "ncpfs", "lustre", "virtiofs", "orangefs",
		"gfs2", "ocfs2", "davfs", "vboxsf", "vmhgfs", NULL
	};
	if (!strncmp(t, "fuse.", 5) || !strncmp(t, "fuseblk.", 8))
		return true;
	for (size_t i = 0; slow[i]; i++)
		if (!strcmp(t, slow[i]))
			return true;
	return false;
}

static struct slow_mp {
	char *path;
	size_t len;
	char type[48];
} *mps;
static size_t nmps, amps;

/* mountinfo's octal escapes (\040 for a space) undone, in place. */
static size_t unescape(char *s, size_t n)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 3 < n && s[i + 1] >= '0' && s[i + 1] <= '3' &&
		    s[i + 2] >= '0' && s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
			s[o++] = (char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
			i += 3;
		} else {
			s[o++] = s[i];
		}
	}
	return o;
}

bool mountinfo_line(const char *s, size_t n, struct mountinfo_fields *f)
{
	const char *end = s + n, *p = s, *fld[5] = { s };
	long id = 0;
	int k = 1;

	memset(f, 0, sizeof(*f));
	/* the id, by hand: the line is not NUL-terminated */
	while (p < end && *p >= '0' && *p <= '9' && id < 100000000)
		id = id * 10 + (*p++ - '0');
	if (p == s || p == end || *p != ' ')
		return false;
	for (const char *q = s; q < end && k < 5; q++)
		if (*q == ' ')
			fld[k++] = q + 1;
	const char *sep = k == 5 ? memmem(fld[4], (size_t)(end - fld[4]), " - ", 3) : NULL;
	const char *mpe = k == 5 ? memchr(fld[4], ' ', (size_t)(end - fld[4])) : NULL;
	if (!sep || !mpe)
		return false;
	const char *t = sep + 3, *te = memchr(t, ' ', (size_t)(end - t));
	size_t tl = (size_t)((te ? te : end) - t);
	memcpy(f->type, t, tl < sizeof(f->type) - 1 ? tl : sizeof(f->type) - 1);
	f->id = (int)id;
	f->point = fld[4];
	f->point_len = (size_t)(mpe - fld[4]);
	return true;
}

void slowmounts_set(const char *text, size_t len)
{
	slowmounts_free();
	for (const char *p = text, *end = text ? text + len : NULL; p && p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		struct mountinfo_fields f;
		if (mountinfo_line(p, (size_t)((nl ? nl : end) - p), &f) &&
		    slowmounts_type_slow(f.type) &&
		    vec_reserve((void **)&mps, &amps, nmps + 1, sizeof(*mps))) {
			char *c = strndup(f.point, f.point_len);
			if (c) {
				struct slow_mp *m = &mps[nmps++];
				m->path = c;
				m->len = unescape(c, strlen(c));
				c[m->len] = '\0';
				memcpy(m->type, f.type, sizeof(m->type));
			}
		}
		p = nl ? nl + 1 : end;
	}
}

void slowmounts_free(void)
{
	for (size_t i = 0; i < nmps; i++)
		free(mps[i].path);
	free(mps);
	mps = NULL;
	nmps = amps = 0;
}

bool slowmounts_path(const char *path, char *type, size_t size)
{
	if (!path || path[0] != '/')
		return false;
	size_t n = strlen(path);
	for (size_t i = 0; i < nmps; i++) {
		const struct slow_mp *m = &mps[i];
		bool under = m->len == 1 || (n >= m->len && !memcmp(path, m->path, m->len) &&
					    (path[m->len] == '/' || path[m->len] == '\0'));
		if (under) {
			if (type)
				snprintf(type, size, "%s", m->type);
			return true;
		}
	}
	return false;
}

