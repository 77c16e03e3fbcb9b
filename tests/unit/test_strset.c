/* Unit tests of strset.c against a brute-force list. */
#include <stdio.h>
#include <string.h>

#include "strset.h"
#include "tap.h"

int main(void)
{
	struct strset s = { 0 };
	char buf[32];

	CHECK(!strset_has(&s, "x"));
	for (int i = 0; i < 5000; i++) {
		snprintf(buf, sizeof(buf), "name-%d", i);
		CHECK(strset_add(&s, buf) == 1);
	}
	for (int i = 0; i < 5000; i += 7) {
		snprintf(buf, sizeof(buf), "name-%d", i);
		CHECK(strset_add(&s, buf) == 0);
		CHECK(strset_has(&s, buf));
	}
	CHECK(!strset_has(&s, "name-5000"));
	CHECK(s.count == 5000);
	strset_free(&s);
	CHECK(!strset_has(&s, "name-1"));
	return tap_done("strset");
}
