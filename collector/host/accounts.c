/* accounts.c - passwd(5) and group(5) parsed from bytes (accounts.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "capbuf.h"
#include "hostfile.h"
#include "banned.h"

#define ACCOUNTS_CAP (32u << 20)

static int by_id(const void *x, const void *y)
{
	const struct account *a = x, *b = y;
	if (a->id != b->id)
		return a->id < b->id ? -1 : 1;
	return a->name < b->name ? -1 : a->name > b->name;   /* keep file order */
}

int accounts_parse(char *buf, size_t len, struct account **ret, size_t *ret_n)
{
	size_t n = 0, cap = 64;
	struct account *v = malloc(cap * sizeof(*v));
	char *p = buf, *end = buf + len;

	*ret = NULL;   /* nothing, whatever fails */
	*ret_n = 0;
	if (!v)
		return -ENOMEM;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *line_end = nl ? nl : end;
		char *f[4];
		int k = 0;
		f[k++] = p;
		for (char *q = p; q < line_end && k < 4; q++)
			if (*q == ':')
				f[k++] = q + 1;
		if (k == 4 && f[0][0] != '#' && f[1] - 1 > f[0]) {
			char *idend;
			errno = 0;
			unsigned long id = strtoul(f[2], &idend, 10);
			if (!errno && idend > f[2] && *idend == ':' && id <= 0xffffffffUL &&
			    f[2][0] != '-') {
				if (n == cap) {
					struct account *nv = reallocarray(v, cap * 2, sizeof(*v));
					if (!nv) {
						free(v);
						return -ENOMEM;
					}
					v = nv;
					cap *= 2;
				}
				v[n].id = (unsigned)id;
				v[n].name = f[0];
				v[n].len = (size_t)(f[1] - 1 - f[0]);
				n++;
			}
		}
		p = nl ? nl + 1 : end;
	}
	qsort(v, n, sizeof(*v), by_id);
	*ret = v;
	*ret_n = n;
	return 0;
}

static int load_one(const char *path, char **buf, struct account **v, size_t *n)
{
	struct capbuf cb;
	int r;

	capbuf_init(&cb, ACCOUNTS_CAP);
	r = host_read_small(AT_FDCWD, path, &cb);
	if (r < 0 && r != -E2BIG) {
		capbuf_release(&cb);
		return r;
	}
	size_t len;
	*buf = capbuf_detach(&cb, &len);
	if (!*buf)
		return -ENOMEM;
	int p = accounts_parse(*buf, len, v, n);
	return p < 0 ? p : r;
}

int accounts_load(struct accounts *a, const char *passwd, const char *group)
{
	memset(a, 0, sizeof(*a));
	int r1 = load_one(passwd, &a->pw_buf, &a->users, &a->nusers);
	int r2 = load_one(group, &a->gr_buf, &a->groups, &a->ngroups);
	return r1 < 0 ? r1 : r2;
}

static const struct account *find(const struct account *v, size_t n, unsigned id)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && v[lo].id == id ? &v[lo] : NULL;
}

const struct account *accounts_user(const struct accounts *a, unsigned uid)
{
	return find(a->users, a->nusers, uid);
}

const struct account *accounts_group(const struct accounts *a, unsigned gid)
{
	return find(a->groups, a->ngroups, gid);
}

void accounts_free(struct accounts *a)
{
	free(a->pw_buf);
	free(a->gr_buf);
	free(a->users);
	free(a->groups);
	memset(a, 0, sizeof(*a));
}
