/* The source table is in order of volatility, with unique names. */
#include <string.h>

#include "source.h"
#include "tap.h"

int main(void)
{
	CHECK(irsnap_nsources > 0);
	for (size_t i = 0; i < irsnap_nsources; i++) {
		CHECK(irsnap_sources[i].name && irsnap_sources[i].collect && irsnap_sources[i].what);
		if (i > 0)
			CHECK(irsnap_sources[i - 1].rank <= irsnap_sources[i].rank);
		for (size_t k = 0; k < i; k++)
			CHECK(strcmp(irsnap_sources[k].name, irsnap_sources[i].name) != 0);
	}
	return tap_done("sources");
}
