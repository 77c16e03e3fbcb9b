/* /proc/<pid>/stat, status fields and maps lines as an intruder's process
 * can shape them (comm holds any byte but NUL; a mapped file any name). */
#include "capbuf.h"
#include "fuzz.h"
#include "procfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	struct proc_stat st;
	struct map_line m;
	size_t len;

	proc_stat_parse(s, size, &st);
	proc_status_field(s, "Uid", &len);
	proc_status_field(s, "CapEff", &len);
	for (char *line = s, *nl; line; line = nl) {
		nl = strchr(line, '\n');
		if (nl)
			*nl++ = '\0';
		maps_parse_line(line, &m);
	}
	free(s);
	return 0;
}
