/* The findings engine's way in: member bytes as the bundle writer hands
 * them over (findings.h). The records are irsnap's own, but they carry the
 * host's bytes (names, argv, environments, a copied ld.so.preload, login
 * records), and a truncated or capped record ends mid-line. Segments split
 * by 0x01: the first byte of each picks the member, the second the size of
 * the writes it is cut into (lines cross writes). Every finding written
 * must be one JSON object with the fields investigators read. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "findings.h"
#include "fuzz.h"

static const char *const members[] = {
	"volatile/proc-views.jsonl", "volatile/processes.jsonl", "volatile/environ.jsonl",
	"volatile/open-files.jsonl", "volatile/netlink.jsonl", "volatile/sockets.jsonl",
	"fs/etc/ld.so.preload", "logins/anomalies.jsonl", "volatile/sessions-anomalies.jsonl",
	"index.jsonl", "system/kernel.json", "system/net/1/links.jsonl", "fs/etc/ld.so.conf",
	"fs/etc/ld.so.conf.d/x.conf", "timeline/bodyfile.0001", "listing/tmp.0001.jsonl",
	"logins/wtmp.jsonl", "logins/btmp.jsonl", "system/package-verify.jsonl",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct findings *f = findings_new(1800000000, 0);
	const uint8_t *p = data, *end = data + size;

	if (!f)
		return 0;
	while (p < end) {
		const uint8_t *seg = memchr(p, 1, (size_t)(end - p));
		const uint8_t *se = seg ? seg : end;
		if (se - p >= 2) {
			const char *m = members[p[0] % (sizeof(members) / sizeof(members[0]))];
			size_t step = (size_t)(p[1] % 97) + 1;
			for (const uint8_t *q = p + 2; q < se; q += step)
				findings_tap(f, m, q, (size_t)(se - q) < step ? (size_t)(se - q) : step);
			findings_tap(f, m, NULL, 0);
		}
		p = se + (seg ? 1 : 0);
	}
	const char *text;
	size_t len;
	findings_finish(f, &text, &len);
	for (const char *l = text; l < text + len;) {
		const char *nl = memchr(l, '\n', (size_t)(text + len - l));
		if (!nl)
			__builtin_trap();   /* every finding ends its line */
		json_t *o = json_loadb(l, (size_t)(nl - l), JSON_ALLOW_NUL, NULL);
		if (!json_is_object(o) || !json_is_string(json_object_get(o, "check")) ||
		    !json_is_string(json_object_get(o, "severity")) ||
		    !json_is_string(json_object_get(o, "title")) ||
		    !json_is_array(json_object_get(o, "evidence"))) {
			fprintf(stderr, "bad finding: %.*s\n", (int)(nl - l), l);
			__builtin_trap();
		}
		json_decref(o);
		l = nl + 1;
	}
	findings_free(f);
	return 0;
}
