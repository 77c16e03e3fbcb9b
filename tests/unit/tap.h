/* tap.h - a minimal check harness for irsnap's unit tests. */
#ifndef IRSNAP_TAP_H
#define IRSNAP_TAP_H

#include <stdio.h>

static int tap_fails, tap_checks;

#define CHECK(cond) do { \
	tap_checks++; \
	if (!(cond)) { \
		tap_fails++; \
		fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
	} \
} while (0)

#define CHECK_STR(got, want) do { \
	const char *g_ = (got), *w_ = (want); \
	tap_checks++; \
	if (!g_ || strcmp(g_, w_) != 0) { \
		tap_fails++; \
		fprintf(stderr, "FAIL %s:%d: got '%s', want '%s'\n", __FILE__, __LINE__, \
			g_ ? g_ : "(null)", w_); \
	} \
} while (0)

static inline int tap_done(const char *name)
{
	printf("%s: %d checks, %d failed\n", name, tap_checks, tap_fails);
	return tap_fails ? 1 : 0;
}

#endif
