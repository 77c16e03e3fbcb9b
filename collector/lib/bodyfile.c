/* bodyfile.c - a bodyfile line's fields (bodyfile.h). */
#include <stdlib.h>
#include <string.h>

#include "bodyfile.h"
#include "banned.h"

bool body_parse(const char *line, size_t len, struct body *b)
{
	const char *bar[9];
	const char *p = line + len;
	int k = 0;

	while (k < 9 && p > line) {   /* the last nine bars */
		p--;
		if (*p == '|')
			bar[k++] = p;
	}
	const char *first = memchr(line, '|', len);
	if (k < 9 || !first || first >= bar[8])
		return false;
	b->hash = line;
	b->hlen = (size_t)(first - line);
	b->name = first + 1;
	b->nlen = (size_t)(bar[8] - b->name);
	size_t ml = (size_t)(bar[6] - bar[7] - 1);
	if (ml >= sizeof(b->mode))
		return false;
	memcpy(b->mode, bar[7] + 1, ml);
	b->mode[ml] = '\0';
	b->ino = strtoll(bar[8] + 1, NULL, 10);
	b->uid = strtoll(bar[6] + 1, NULL, 10);
	b->gid = strtoll(bar[5] + 1, NULL, 10);
	b->size = strtoll(bar[4] + 1, NULL, 10);
	b->atime = strtoll(bar[3] + 1, NULL, 10);
	b->mtime = strtoll(bar[2] + 1, NULL, 10);
	b->ctime = strtoll(bar[1] + 1, NULL, 10);
	b->btime = strtoll(bar[0] + 1, NULL, 10);
	return true;
}
