/* utmp, wtmp, btmp and lastlog records: every 384- and 292-byte window. */
#include "fuzz.h"
#include "utmp_format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct utmp_rec u;
	struct lastlog_rec l;

	for (size_t o = 0; o + UTMP_RECORD_SIZE <= size; o += UTMP_RECORD_SIZE)
		utmp_decode(data + o, &u);
	for (size_t o = 0; o + LASTLOG_RECORD_SIZE <= size; o += LASTLOG_RECORD_SIZE)
		lastlog_decode(data + o, &l);
	return 0;
}
