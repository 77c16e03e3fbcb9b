/* /proc/net tables (tcp, tcp6, udp, raw, unix, packet, netlink): the first byte
 * picks the table, the rest is its text. */
#include <sys/socket.h>

#include "fuzz.h"
#include "netsock.h"

static int count(void *ctx, const struct nl_sock *s)
{
	(void)s;
	(*(unsigned *)ctx)++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockvec v = { 0 };
	unsigned bad = 0, n = 0;

	if (size < 1)
		return 0;
	char *s = fuzz_cstr(data + 1, size - 1);
	switch (data[0] % 6) {
	case 0: net_proc_parse_inet(s, size - 1, SK_TCP, AF_INET, &v, &bad); break;
	case 1: net_proc_parse_inet(s, size - 1, SK_TCP, AF_INET6, &v, &bad); break;
	case 2: net_proc_parse_inet(s, size - 1, SK_RAW, AF_INET, &v, &bad); break;
	case 3: net_proc_parse_unix(s, size - 1, &v, &bad); break;
	case 4: net_proc_parse_packet(s, size - 1, &v, &bad); break;
	default: net_proc_parse_netlink(s, size - 1, count, &n, &bad); break;
	}
	sockvec_free(&v);
	free(s);
	return 0;
}
