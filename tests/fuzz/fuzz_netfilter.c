/* Netfilter's replies as the netconfig step decodes them (netfilter.h):
 * the first byte picks the decoder (0 conntrack, 1 nftables, 2, 3, 4 the
 * legacy iptables, ip6tables and arptables blobs), the rest is the stream of netlink messages or the blob.
 * Set names, comments, chain names and match data are the bytes of whoever
 * loaded the ruleset; the decoders must stay inside the buffer, and the
 * JSON they write must be strict. */
#include <netinet/in.h>
#include <string.h>
#include <linux/netfilter.h>
#include <sys/socket.h>

#include "fuzz.h"
#include "netfilter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct capbuf out, save;

	if (size < 1)
		return 0;
	/* a fresh, aligned copy of exactly the input: reads past it trap */
	void *buf = malloc(size - 1 ? size - 1 : 1);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, size - 1);
	capbuf_init(&out, 1u << 24);
	capbuf_init(&save, 1u << 24);
	switch (data[0] % 5) {
	case 0: conntrack_parse(buf, size - 1, &out); break;
	case 1: nftables_parse(buf, size - 1, &out); break;
	case 2: xtables_parse(NFPROTO_IPV4, buf, size - 1, &save, &out); break;
	case 3: xtables_parse(NFPROTO_IPV6, buf, size - 1, &save, &out); break;
	default: xtables_parse(NFPROTO_ARP, buf, size - 1, &save, &out); break;
	}
	if (out.len && out.buf[out.len - 1] != '\n')
		__builtin_trap();   /* every record ends its line */
	capbuf_release(&out);
	capbuf_release(&save);
	free(buf);
	return 0;
}
