/* The first bytes of a disk image as `irsnap image` reads its partition
 * table (parttable.h), at each sector size: always a record that jansson
 * can serialise, whatever the bytes (a hostile disk names its partitions). */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "parttable.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned sectors[] = { 512, 4096, 1000 };
	for (size_t i = 0; i < sizeof(sectors) / sizeof(sectors[0]); i++) {
		json_t *o = parttable_read(data, size, sectors[i], size);
		if (!o)
			continue;   /* out of memory */
		char *s = json_dumps(o, JSON_COMPACT);
		if (!s || !json_object_get(o, "scheme"))
			__builtin_trap();
		free(s);
		json_decref(o);
	}
	return 0;
}
