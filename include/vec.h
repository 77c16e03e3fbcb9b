/*
 * vec.h - room in a growable array: the one doubling rule used by the
 * record arrays (fd owners, executables, view rows, namespaces, sockets).
 */
#ifndef IRSNAP_VEC_H
#define IRSNAP_VEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>

/* Make room for `need` elements of `size` bytes in *v (capacity *alloc),
 * doubling from 16. False when out of memory (the array is unchanged). */
static inline bool vec_reserve(void **v, size_t *alloc, size_t need, size_t size)
{
	if (need <= *alloc)
		return true;
	size_t n = *alloc ? *alloc : 16;
	while (n < need)
		n *= 2;
	void *nv = reallocarray(*v, n, size);
	if (!nv)
		return false;
	*v = nv;
	*alloc = n;
	return true;
}

#endif
