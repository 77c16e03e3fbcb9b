/* verify_bundle() (tarread.c, tarfmt.c, verify.c, instream.c) on arbitrary
 * bytes: never a crash, a leak or an undefined behaviour, whatever the tar,
 * its compression or its age encryption. The identity below is a test
 * key's (never a real one): seeds/verify has bundles encrypted to it, so
 * the age header parser and the chunk decryption are reached. */
#include "capbuf.h"
#include "agecrypt.h"
#include "fuzz.h"
#include "tarread.h"
#include "verify.h"

#define FUZZ_IDENTITY "AGE-SECRET-KEY-1XQMWKXDZNWRRM3NFCDV3T4CK7L0D6USSJ642TR82L82ESK4999KQY6F7F5"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool keyed;
	if (!keyed) {
		unsigned char sk[32];
		if (age_parse_identity(FUZZ_IDENTITY, sk) == 0)
			tarread_identity(sk);
		keyed = true;
	}
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
