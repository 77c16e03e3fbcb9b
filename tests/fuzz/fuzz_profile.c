/* Collection profiles (--profile FILE): a responder's or a hostile file. */
#include "fuzz.h"
#include "profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct profile p;
	char err[512];

	if (profile_parse((const char *)data, size, "fuzz", &p, err, sizeof(err)) == 0)
		profile_free(&p);
	return 0;
}
