/* strset.c - the string set of strset.h. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strset.h"
#include "banned.h"

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static size_t find_slot(char **slots, size_t nslots, const char *str)
{
	size_t i = (size_t)fnv1a(str) & (nslots - 1);

	while (slots[i] && strcmp(slots[i], str) != 0)
		i = (i + 1) & (nslots - 1);
	return i;
}

static int strset_grow(struct strset *s)
{
	size_t n = s->nslots ? s->nslots * 2 : 64;
	char **slots = calloc(n, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	for (size_t i = 0; i < s->nslots; i++)
		if (s->slots[i])
			slots[find_slot(slots, n, s->slots[i])] = s->slots[i];
	free(s->slots);
	s->slots = slots;
	s->nslots = n;
	return 0;
}

int strset_add(struct strset *s, const char *str)
{
	if ((s->count + 1) * 2 > s->nslots) {
		int r = strset_grow(s);
		if (r < 0)
			return r;
	}
	size_t i = find_slot(s->slots, s->nslots, str);
	if (s->slots[i])
		return 0;
	s->slots[i] = strdup(str);
	if (!s->slots[i])
		return -ENOMEM;
	s->count++;
	return 1;
}

bool strset_has(const struct strset *s, const char *str)
{
	return s->nslots && s->slots[find_slot(s->slots, s->nslots, str)];
}

void strset_free(struct strset *s)
{
	for (size_t i = 0; i < s->nslots; i++)
		free(s->slots[i]);
	free(s->slots);
	memset(s, 0, sizeof(*s));
}
