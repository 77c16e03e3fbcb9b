/* The kernel and containers steps' parsers of host text: AppArmor's
 * profiles file, a /proc/modules line, a modules.dep lookup, a container
 * id in a cgroup path. Every pointer a lookup gives
 * back lies inside the input. */
#include <jansson.h>
#include <string.h>

#include "jsonw.h"
#include "ctrid.h"
#include "kmod.h"
#include "lsm.h"
#include "modfiles.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *t = (const char *)data;
	json_t *counts = json_object();
	json_decref(lsm_apparmor_profiles(t, size, counts));
	json_decref(counts);

	struct capbuf cb;
	struct jw w;
	capbuf_init(&cb, 1 << 20);
	jw_begin(&w, &cb);
	modfiles_line(&w, t, size);
	jw_end(&w);
	json_t *o = json_loadb(cb.buf ? cb.buf : "", cb.len, JSON_ALLOW_NUL, NULL);
	if (!o)
		__builtin_trap();   /* the writer made invalid JSON */
	json_decref(o);
	capbuf_release(&cb);

	static const char *const names[] = { "a", "nf_tables", "snd_hda", "x-y" };
	for (size_t i = 0; i < 4; i++) {
		const char *p;
		size_t n;
		if (kmod_dep_path(t, size, names[i], &p, &n) == 0 &&
		    (p < t || p + n > t + size || n == 0))
			__builtin_trap();
	}
	char id[CTR_ID_LEN + 1];
	const char *rt = NULL;
	if (ctrid_from_cgroup(t, size, id, &rt) == 0 &&
	    (strlen(id) != CTR_ID_LEN || !rt || !memmem(t, size, id, CTR_ID_LEN)))
		__builtin_trap();
	return 0;
}
