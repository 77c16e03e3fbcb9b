/* The exporter's way in: members as verify hands them over (export.h),
 * into an SQLite database in memory. The records are irsnap's, but a
 * bundle is hostile input: its keys, nesting, times and line breaks are
 * whatever its bytes say (verify refuses a tampered bundle, but the
 * exporter must not depend on it). Segments split by 0x01: the first byte
 * of each picks the member's name, the second the size of the writes. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "export.h"
#include "fuzz.h"

static const char *const members[] = {
	"volatile/processes.jsonl", "volatile/sockets.jsonl", "system/net/42/links.jsonl",
	"listing/var/tmp.0001.jsonl", "logins/wtmp.jsonl", "logins/btmp.jsonl", "run.json",
	"system/kernel.json", "x\"y/\"z.jsonl", "timeline/bodyfile.0001",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sqlx *x = NULL;
	static struct tsx *t;   /* one timeline for the run: it only grows */
	char err[256];
	const uint8_t *p = data, *end = data + size;

	if (!t) {
		char path[64];
		snprintf(path, sizeof(path), "/tmp/irsnap-fuzz-timeline.%d", (int)getpid());
		unlink(path);
		if (tsx_open(path, &t, err, sizeof(err)) == 0)
			unlink(path);   /* written through its fd, gone at exit */
	}
	if (sqlx_open(":memory:", &x, err, sizeof(err)) < 0)
		return 0;
	for (int pass = 0; pass < 2; pass++) {   /* a second bundle into the same tables */
		p = data;
		while (p < end) {
			const uint8_t *seg = memchr(p, 1, (size_t)(end - p));
			const uint8_t *se = seg ? seg : end;
			if (se - p >= 2) {
				const char *m = members[p[0] % (sizeof(members) / sizeof(members[0]))];
				size_t step = (size_t)(p[1] % 97) + 1;
				if (sqlx_member(x, "irsnap-fuzz", m) == 0) {
					for (const uint8_t *q = p + 2; q < se; q += step)
						sqlx_data(x, q, (size_t)(se - q) < step ? (size_t)(se - q) : step);
					sqlx_member_end(x, m);
				}
				if (t && tsx_member(t, "irsnap-fuzz-h-20260101T000000Z", m) == 0) {
					for (const uint8_t *q = p + 2; q < se; q += step)
						tsx_data(t, q, (size_t)(se - q) < step ? (size_t)(se - q) : step);
					tsx_member_end(t, m);
				}
			}
			p = se + (seg ? 1 : 0);
		}
		static const char run[] = "{\"id\":\"irsnap-fuzz\",\"host\":{\"hostname\":\"h\"},"
			"\"started_at\":\"2026-01-01T00:00:00.5Z\"}";
		char sha[65];
		snprintf(sha, sizeof(sha), "%064d", pass);
		sqlx_bundle_end(x, true, sha, run, sizeof(run) - 1, err, sizeof(err));
		if (t)
			tsx_bundle_end(t, pass == 0, err, sizeof(err));
	}
	sqlx_close(x);
	return 0;
}
