/* /proc/<pid>/mountinfo as fsguard reads it: the mount id and the type
 * after the lone "-" (a hostile mount point is the intruder's bytes), and
 * the mount points of slow file systems (slowmounts.c). */
#include <string.h>

#include "fsguard.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fs_where w;

	fsguard_add_table((const char *)data, size);
	for (int id = -1; id < 64; id++) {
		fsguard_known(id, &w);
		if (w.known && strlen(w.type) >= sizeof(w.type))
			__builtin_trap();
	}
	fsguard_free();
	/* the same text as the mount points of slow file systems */
	slowmounts_set((const char *)data, size);
	char type[48];
	slowmounts_path("/home/x y/.bash_history", type, sizeof(type));
	slowmounts_path("/", type, sizeof(type));
	slowmounts_free();
	return 0;
}
