/*
 * strset.h - a set of NUL-terminated strings (open addressing, FNV-1a).
 *
 * The set owns copies of the strings it holds. strset_add() returns 1 when
 * the string was added, 0 when it was already there, -ENOMEM on failure.
 */
#ifndef IRSNAP_STRSET_H
#define IRSNAP_STRSET_H

#include <stdbool.h>
#include <stddef.h>

struct strset {
	char **slots;
	size_t nslots;   /* a power of two, or 0 */
	size_t count;
};

int strset_add(struct strset *s, const char *str);
bool strset_has(const struct strset *s, const char *str);
void strset_free(struct strset *s);

#endif
