/*
 * tap.h - the unit tests' harness: Test Anything Protocol on stdout (an
 * "ok N - check" or "not ok N - check" line per check, then the plan
 * "1..N"), and for a failed comparison both values, as git's test-lib and
 * prove(1) show them. The exit status is 1 when a check failed.
 */
#ifndef IRSNAP_TAP_H
#define IRSNAP_TAP_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_fails, tap_checks;

static inline int tap_result(int ok, const char *file, int line, const char *what)
{
	tap_checks++;
	if (ok) {
		printf("ok %d - %s\n", tap_checks, what);
		return 1;
	}
	tap_fails++;
	printf("not ok %d - %s\n#   at %s:%d\n", tap_checks, what, file, line);
	fprintf(stderr, "FAIL %s:%d: %s\n", file, line, what);
	return 0;
}

#define CHECK(cond) tap_result(!!(cond), __FILE__, __LINE__, #cond)

/* A check the rest depends on (a buffer, a handle): when it fails, the
 * test stops there ("Bail out!", exit 1) instead of using what is not
 * there, as under fault injection (tests/fault), where it is expected. */
#define REQUIRE(cond) do { \
	if (!tap_result(!!(cond), __FILE__, __LINE__, #cond)) { \
		printf("Bail out! %s:%d\n", __FILE__, __LINE__); \
		exit(1); \
	} \
} while (0)

#define CHECK_STR(got, want) do { \
	const char *g_ = (got), *w_ = (want); \
	if (!tap_result(g_ && strcmp(g_, w_) == 0, __FILE__, __LINE__, #got " == " #want)) \
		printf("#   got:  '%s'\n#   want: '%s'\n", g_ ? g_ : "(null)", w_); \
} while (0)

#define CHECK_INT(got, want) do { \
	long long g_ = (long long)(got), w_ = (long long)(want); \
	if (!tap_result(g_ == w_, __FILE__, __LINE__, #got " == " #want)) \
		printf("#   got:  %lld\n#   want: %lld\n", g_, w_); \
} while (0)

static inline int tap_done(const char *name)
{
	printf("1..%d\n# %s: %d checks, %d failed\n", tap_checks, name, tap_checks, tap_fails);
	return tap_fails ? 1 : 0;
}

#endif
