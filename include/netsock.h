/*
 * netsock.h - sockets as irsnap records them: one struct for every family,
 * filled from two independent views and reconciled.
 *
 *  - the /proc/<pid>/net tables (proc(5): tcp, tcp6, udp, udp6, udplite,
 *    udplite6, raw, raw6, unix, packet), parsed from text by net_proc.c;
 *  - NETLINK_SOCK_DIAG (inet_diag for TCP, UDP, UDP-Lite and raw, unix_diag),
 *    queried in-process by net_diag.c, inside each network namespace.
 *
 * A socket is identified by its inode; sockets without one (TIME_WAIT and
 * SYN_RECV mini-sockets) by protocol, addresses and ports. `seen` says which
 * views saw it: a socket seen in only one view is worth an investigator's
 * look (a rootkit hooking /proc/net/tcp hides from one view, not both).
 */
#ifndef IRSNAP_NETSOCK_H
#define IRSNAP_NETSOCK_H

#include <stddef.h>
#include <stdint.h>

#define SEEN_PROC 1
#define SEEN_NETLINK 2

enum sock_kind { SK_TCP, SK_UDP, SK_UDPLITE, SK_RAW, SK_UNIX, SK_PACKET, SK_KINDS };

struct sock_rec {
	enum sock_kind kind;
	int family;              /* AF_INET, AF_INET6, AF_UNIX, AF_PACKET */
	int state;               /* TCP-style state number (1 ESTABLISHED ... 10 LISTEN) */
	int type;                /* unix and packet: SOCK_STREAM, SOCK_DGRAM, ... */
	uint8_t src[16], dst[16];
	uint16_t sport, dport;   /* host order; raw: the protocol */
	uint64_t inode;
	uint32_t uid;
	uint32_t rxq, txq;
	int timer;               /* proc/inet_diag timer kind, -1 unknown */
	uint32_t timer_expires;  /* jiffies (proc) or ms (netlink) as given */
	uint32_t retrans;
	uint64_t peer_inode;     /* unix: the other end, from netlink */
	char *path;              /* unix: bound name (exact bytes; abstract starts with 0) */
	size_t path_len;
	int ifindex;             /* packet: interface */
	unsigned seen;           /* SEEN_PROC | SEEN_NETLINK */
	int proc_state;          /* as the proc view gave it (unix differs) */
};

struct sockvec {
	struct sock_rec *v;
	size_t n, alloc;
};

struct sock_rec *sockvec_push(struct sockvec *sv);
void sockvec_free(struct sockvec *sv);
/* Merge `b` into `a`: same socket -> seen flags united and missing fields
 * filled; new sockets appended. */
int sockvec_merge(struct sockvec *a, struct sockvec *b);

/* net_proc.c: parse one /proc/net table. Malformed lines are counted in
 * *bad and skipped; the header line is expected and skipped. */
int net_proc_parse_inet(const char *text, size_t len, enum sock_kind kind, int family,
			struct sockvec *out, unsigned *bad);
int net_proc_parse_unix(const char *text, size_t len, struct sockvec *out, unsigned *bad);
int net_proc_parse_packet(const char *text, size_t len, struct sockvec *out, unsigned *bad);

/* net_diag.c: query the kernel through NETLINK_SOCK_DIAG in the current
 * network namespace. Returns 0 or -errno (-EPROTONOSUPPORT and friends when
 * the sock_diag modules are missing). */
int net_diag_inet(enum sock_kind kind, int family, struct sockvec *out);
int net_diag_unix(struct sockvec *out);
/* The records of one reply buffer of inet_diag (or unix_diag for SK_UNIX),
 * as the two above read them: for the fuzz target. */
int net_diag_parse(const void *buf, size_t len, enum sock_kind kind, struct sockvec *out);

const char *sock_kind_name(enum sock_kind k, int family);

/* /proc/net/netlink: one line per netlink socket of the namespace. */
struct nl_sock {
	int protocol;            /* NETLINK_ROUTE 0 ... NETLINK_CONNECTOR 11 ... */
	uint32_t portid;         /* 0: the kernel's own socket */
	uint32_t groups;         /* the first 32 multicast groups, as a mask */
	uint32_t rmem, wmem, drops;
	uint64_t inode;
};
/* Calls `each` for every well-formed line; malformed ones are counted in
 * *bad. 0, or what `each` returned first when not 0. */
int net_proc_parse_netlink(const char *text, size_t len,
			   int (*each)(void *ctx, const struct nl_sock *s), void *ctx,
			   unsigned *bad);
/* "route", "sock_diag", "audit", "connector", ... or NULL. */
const char *netlink_proto_name(int protocol);
const char *tcp_state_name(int state);

#endif
