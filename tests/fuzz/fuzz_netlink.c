/* Netlink replies as a hostile kernel module could shape them: the first
 * byte picks the parser (inet_diag TCP/UDP/raw, unix_diag, rtnetlink
 * links, addresses, routes, neighbours), the rest is the reply buffer. */
#include "capbuf.h"
#include "fuzz.h"
#include "netsock.h"
#include "source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	/* a reply buffer is nlmsghdr-aligned: copy into a fresh allocation */
	void *buf = malloc(size);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, size - 1);
	unsigned pick = data[0] % 9;
	if (pick < 4) {
		static const enum sock_kind kinds[] = { SK_TCP, SK_UDP, SK_RAW, SK_UNIX };
		struct sockvec v = { 0 };
		net_diag_parse(buf, size - 1, kinds[pick], &v);
		sockvec_free(&v);
	} else {
		struct capbuf out;
		capbuf_init(&out, 1u << 20);
		net_config_parse(pick - 4, buf, size - 1, &out);
		capbuf_release(&out);
	}
	free(buf);
	return 0;
}
