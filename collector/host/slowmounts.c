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

void slowmounts_set(const char *text, size_t len)
{
	slowmounts_free();
	for (const char *p = text, *end = text ? text + len : NULL; p && p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end, *f[5] = { p };
		int k = 1;
		for (const char *q = p; q < e && k < 5; q++)
			if (*q == ' ')
				f[k++] = q + 1;
		const char *sep = k == 5 ? memmem(f[4], (size_t)(e - f[4]), " - ", 3) : NULL;
		if (sep) {
			char type[48] = "";
			const char *t = sep + 3, *te = memchr(t, ' ', (size_t)(e - t));
			size_t tl = (size_t)((te ? te : e) - t);
			memcpy(type, t, tl < sizeof(type) - 1 ? tl : sizeof(type) - 1);
			const char *mp = f[4], *mpe = memchr(mp, ' ', (size_t)(e - mp));
			if (slowmounts_type_slow(type) && mpe &&
			    vec_reserve((void **)&mps, &amps, nmps + 1, sizeof(*mps))) {
				char *c = strndup(mp, (size_t)(mpe - mp));
				if (c) {
					struct slow_mp *m = &mps[nmps++];
					m->path = c;
					m->len = unescape(c, strlen(c));
					c[m->len] = '\0';
					memcpy(m->type, type, sizeof(m->type));
				}
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

