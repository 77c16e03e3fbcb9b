/* Fixture tests of the /proc/net parsers: well-formed lines from a real
 * kernel's format, and malformed, truncated and hostile ones. */
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include "netsock.h"
#include "tap.h"

int main(void)
{
	struct sockvec sv = { 0 };
	unsigned bad = 0;
	const char tcp[] =
		"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
		"   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12345 1 0000000000000000 100 0 0 10 0\n"
		"   1: 0100007F:A5D2 0100007F:1F90 01 00000010:00000020 02:000000C8 00000003  1000        0 67890 1 0000000000000000 20 4 30 10 -1\n"
		"   2: garbage line\n"
		"   3: 0100007F:1F9 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1\n"
		"   4: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0";
	REQUIRE(net_proc_parse_inet(tcp, sizeof(tcp) - 1, SK_TCP, AF_INET, &sv, &bad) == 0);
	REQUIRE(sv.n == 2 && bad == 3);
	char a[64];
	inet_ntop(AF_INET, sv.v[0].src, a, sizeof(a));
	CHECK(strcmp(a, "127.0.0.1") == 0 && sv.v[0].sport == 8080 && sv.v[0].state == 10);
	CHECK(sv.v[0].inode == 12345 && sv.v[0].seen == SEEN_PROC);
	CHECK(sv.v[1].sport == 42450 && sv.v[1].dport == 8080 && sv.v[1].state == 1);
	CHECK(sv.v[1].txq == 16 && sv.v[1].rxq == 32 && sv.v[1].timer == 2 && sv.v[1].uid == 1000);
	CHECK(sv.v[1].retrans == 3 && sv.v[1].timer_expires == 200);
	sockvec_free(&sv);

	const char tcp6[] =
		"  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
		"   0: 00000000000000000000000001000000:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 222 1\n"
		"   1: B80D0120000000000000000001000000:01BB 0000000000000000FFFF00000100007F:C000 01 00000000:00000000 00:00000000 00000000     0        0 333 1\n";
	bad = 0;
	REQUIRE(net_proc_parse_inet(tcp6, sizeof(tcp6) - 1, SK_TCP, AF_INET6, &sv, &bad) == 0);
	REQUIRE(sv.n == 2 && bad == 0);
	inet_ntop(AF_INET6, sv.v[0].src, a, sizeof(a));
	CHECK(strcmp(a, "::1") == 0 && sv.v[0].sport == 22);
	inet_ntop(AF_INET6, sv.v[1].src, a, sizeof(a));
	CHECK(strcmp(a, "2001:db8::1") == 0 && sv.v[1].sport == 443);
	inet_ntop(AF_INET6, sv.v[1].dst, a, sizeof(a));
	CHECK(strcmp(a, "::ffff:127.0.0.1") == 0 && sv.v[1].dport == 49152);
	sockvec_free(&sv);

	const char unx[] =
		"Num       RefCount Protocol Flags    Type St Inode Path\n"
		"0000000000000000: 00000002 00000000 00010000 0001 01 1001 /run/a b.sock\n"
		"0000000000000000: 00000003 00000000 00000000 0001 03 1002\n"
		"0000000000000000: 00000002 00000000 00000000 0002 01 1003 @abstract\n"
		"0000000000000000: 0000000\n";
	bad = 0;
	REQUIRE(net_proc_parse_unix(unx, sizeof(unx) - 1, &sv, &bad) == 0);
	REQUIRE(sv.n == 3 && bad == 1);
	CHECK(sv.v[0].state == 10 && sv.v[0].path_len == 13 && memcmp(sv.v[0].path, "/run/a b.sock", 13) == 0);
	CHECK(sv.v[1].state == 1 && sv.v[1].path == NULL && sv.v[1].inode == 1002);
	CHECK(sv.v[2].type == 2 && sv.v[2].path_len == 9 && sv.v[2].path[0] == '\0' &&
	      memcmp(sv.v[2].path + 1, "abstract", 8) == 0);

	/* merge: the netlink view of 1002 adds its peer; an extra one is new */
	struct sockvec nl = { 0 };
	struct sock_rec *s = sockvec_push(&nl);
	REQUIRE(s);
	s->kind = SK_UNIX; s->family = AF_UNIX; s->inode = 1002; s->peer_inode = 1004;
	s->seen = SEEN_NETLINK; s->state = 1;
	s = sockvec_push(&nl);
	REQUIRE(s);
	s->kind = SK_UNIX; s->family = AF_UNIX; s->inode = 9999; s->seen = SEEN_NETLINK;
	CHECK(sockvec_merge(&sv, &nl) == 0);
	CHECK(sv.n == 4 && sv.v[1].seen == (SEEN_PROC | SEEN_NETLINK) && sv.v[1].peer_inode == 1004);
	CHECK(sv.v[3].inode == 9999 && sv.v[3].seen == SEEN_NETLINK && sv.v[0].seen == SEEN_PROC);
	sockvec_free(&nl);
	sockvec_free(&sv);

	const char pkt[] =
		"sk               RefCnt Type Proto  Iface R Rmem   User   Inode\n"
		"0000000000000000 3      3    0003   2     1 0      0      4444\n"
		"short\n";
	bad = 0;
	CHECK(net_proc_parse_packet(pkt, sizeof(pkt) - 1, &sv, &bad) == 0);
	CHECK(sv.n == 1 && bad == 1 && sv.v[0].inode == 4444 && sv.v[0].ifindex == 2 && sv.v[0].sport == 3);
	sockvec_free(&sv);

	CHECK(net_proc_parse_inet("", 0, SK_TCP, AF_INET, &sv, &bad) == 0 && sv.n == 0);
	return tap_done("netproc");
}
