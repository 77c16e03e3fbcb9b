/* /run/systemd/sessions, users and seats files (KEY=value, C-escaped). */
#include <jansson.h>

#include "fuzz.h"
#include "logind.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *o = json_object();

	logind_parse((const char *)data, size, o);
	json_decref(o);
	return 0;
}
