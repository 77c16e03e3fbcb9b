/* security.capability as the timeline reads it from a host file: decoded
 * (filecaps.h) and written as getcap's text; the text names only known
 * capabilities or numbers and is bounded by the 64 bits it describes. */
#include <string.h>

#include "filecaps.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct filecaps c;

	if (filecaps_decode(data, size, &c) != 0)
		return 0;
	if (c.version < 1 || c.version > 3 || (c.version == 1 && (c.permitted >> 32 || c.inheritable >> 32)))
		__builtin_trap();
	struct capbuf t;
	capbuf_init(&t, 1 << 16);
	filecaps_text(&c, &t);
	if (t.len == 0 || t.len > 64 * 32 || memchr(t.buf, '\0', t.len))
		__builtin_trap();
	capbuf_release(&t);
	return 0;
}
