/* /etc/passwd and /etc/group as the host has them (parsed, never NSS). */
#include "accounts.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	struct account *v = NULL;
	size_t n = 0;

	if (accounts_parse(s, size, &v, &n) >= 0)
		free(v);
	free(s);
	return 0;
}
