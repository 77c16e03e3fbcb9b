/* verify_bundle() (tarread.c, tarfmt.c, verify.c) on arbitrary bytes:
 * never a crash, a leak or an undefined behaviour, whatever the tar. */
#include "capbuf.h"
#include "fuzz.h"
#include "verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct verify_result res;
	struct capbuf report;
	int fd = fuzz_memfd(data, size);

	capbuf_init(&report, 1u << 20);
	if (verify_bundle(fd, NULL, 0, NULL, &res, &report) >= 0)
		verify_result_free(&res);
	capbuf_release(&report);
	close(fd);
	return 0;
}
