/* /dev/kmsg records as the kmsg source reads them (kmsg.h): the header's
 * numbers, the message's escapes and the dictionary lines are the bytes
 * of whoever wrote to the kernel's log (any root process can). */
#include <string.h>

#include "fuzz.h"
#include "kmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kmsg_rec m;

	if (kmsg_parse((const char *)data, size, &m) == 0) {
		const char *end = (const char *)data + size;
		if (m.msg < (const char *)data || m.msg + m.msg_len > end)
			__builtin_trap();
		if (m.dict_len && (m.dict < (const char *)data || m.dict + m.dict_len > end))
			__builtin_trap();
		char *out = malloc(m.msg_len + 1);
		if (!out)
			return 0;
		if (kmsg_unescape(m.msg, m.msg_len, out) > m.msg_len)
			__builtin_trap();
		free(out);
		if (m.level > 7 || (kmsg_facility_name(m.facility) == NULL && m.facility < 24))
			__builtin_trap();
	}
	return 0;
}
