/* The report's way in: members as verify hands them over (report.h), the
 * joins, and the whole page written to memory. A bundle is hostile input:
 * its records' keys, nesting, pids, parent loops, line breaks and the
 * persistence files' bytes are whatever it says. Segments split by 0x01:
 * the first byte of each picks the member's name, the second the size of
 * the writes. Then the persistence parsers see every line as they are. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "report.h"
#include "report_int.h"

static const char *const members[] = {
	"volatile/processes.jsonl", "volatile/open-files.jsonl", "volatile/sockets.jsonl",
	"system/net/42/links.jsonl", "system/net/7/routes.jsonl", "logins/wtmp.jsonl",
	"logins/btmp.jsonl", "logins/lastlog.jsonl", "volatile/sessions.jsonl",
	"logins/anomalies.jsonl", "index.jsonl", "timeline/bodyfile.0001", "acquisition.log",
	"findings.jsonl", "fs/etc/crontab", "fs/var/spool/cron/crontabs/u",
	"fs/root/.ssh/authorized_keys", "fs/etc/systemd/system/x.service", "fs/etc/pam.d/sshd",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rbundle b;
	const uint8_t *p = data, *end = data + size;

	memset(&b, 0, sizeof(b));
	b.model = true;
	b.window_days = 7;
	b.found = json_array();
	capbuf_init(&b.findings, 1u << 20);
	capbuf_init(&b.part, 1u << 20);
	capbuf_init(&b.worklog, 1u << 20);
	while (p < end) {
		const uint8_t *seg = memchr(p, 1, (size_t)(end - p));
		const uint8_t *se = seg ? seg : end;
		if (se - p >= 2) {
			const char *m = members[p[0] % (sizeof(members) / sizeof(members[0]))];
			size_t step = (size_t)(p[1] % 97) + 1;
			report_member(&b, "irsnap-fuzz-h-20260101T000000Z", m);
			for (const uint8_t *q = p + 2; q < se; q += step)
				report_data(&b, q, (size_t)(se - q) < step ? (size_t)(se - q) : step);
			report_member_end(&b, m);
		}
		p = se + (seg ? 1 : 0);
	}
	capbuf_release(&b.part);
	report_link(&b);
	char *page = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&page, &len);
	if (f) {
		report_html(f, &b, 1);
		fclose(f);
	}
	free(page);
	report_free(&b);

	struct cron_entry c;
	struct key_entry k;
	char key[64], val[256];
	(void)parse_cron_line((const char *)data, size, true, &c);
	(void)parse_cron_line((const char *)data, size, false, &c);
	(void)parse_key_line((const char *)data, size, &k);
	(void)parse_unit_line((const char *)data, size, key, val, sizeof(val));
	return 0;
}
