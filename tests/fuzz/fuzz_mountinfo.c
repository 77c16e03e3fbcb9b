/* /proc/<pid>/mountinfo as fsguard reads it: the mount id and the type
 * after the lone "-" (a hostile mount point is the intruder's bytes), and
 * the mount points of slow file systems (slowmounts.c). */
#include <stdlib.h>
#include <string.h>

#include "fsguard.h"
#include "mountinfo.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fs_where w;

	/* every line as the mounts source parses it (mountinfo.h) */
	for (const char *p = (const char *)data, *end = p + size; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		struct mi_line m;
		if (mountinfo_parse(p, len, &m) == 0) {
			const struct mi_field *f[] = { &m.root, &m.mount_point, &m.options,
				&m.optional, &m.fstype, &m.source, &m.super_options };
			for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
				if (f[i]->n && (f[i]->s < p || f[i]->s + f[i]->n > p + len))
					__builtin_trap();
			char *tmp = malloc(len + 1);
			if (tmp && mountinfo_unescape(m.mount_point.s, m.mount_point.n, tmp) >
				   m.mount_point.n)
				__builtin_trap();
			free(tmp);
		}
		p = nl ? nl + 1 : end;
	}
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
