/*
 * net_proc.c - the /proc/net socket tables, parsed from text (proc(5)).
 *
 * tcp/udp/raw (and v6): "sl local rem st tx:rx tr:when retrnsmt uid timeout
 * inode ..." with addresses as the kernel's in-memory words in hex.
 * unix: "Num RefCount Protocol Flags Type St Inode [Path]".
 * packet: "sk RefCnt Type Proto Iface R Rmem User Inode".
 */
#include <errno.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "netsock.h"
#include "textutil.h"
#include "vec.h"
#include "banned.h"

struct sock_rec *sockvec_push(struct sockvec *sv)
{
	if (!vec_reserve((void **)&sv->v, &sv->alloc, sv->n + 1, sizeof(*sv->v)))
		return NULL;
	struct sock_rec *s = &sv->v[sv->n++];
	memset(s, 0, sizeof(*s));
	s->timer = -1;
	return s;
}

void sockvec_free(struct sockvec *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i].path);
	free(sv->v);
	memset(sv, 0, sizeof(*sv));
}


/* "0100007F:1F90" (v4) or 32 hex digits ":port" (v6): each 8-digit word is a
 * 32-bit value in host (little-endian) order, as the kernel prints it. */
static int parse_addr(const char *p, size_t n, int family, uint8_t out[16], uint16_t *port)
{
	size_t words = family == AF_INET6 ? 4 : 1;

	if (n != words * 8 + 5 || p[words * 8] != ':')
		return -EINVAL;
	memset(out, 0, 16);
	for (size_t w = 0; w < words; w++) {
		uint32_t v = 0;
		for (size_t k = 0; k < 8; k++) {
			int h = hex_digit(p[w * 8 + k]);
			if (h < 0)
				return -EINVAL;
			v = v << 4 | (uint32_t)h;
		}
		out[w * 4] = (uint8_t)v;
		out[w * 4 + 1] = (uint8_t)(v >> 8);
		out[w * 4 + 2] = (uint8_t)(v >> 16);
		out[w * 4 + 3] = (uint8_t)(v >> 24);
	}
	uint32_t pv = 0;
	for (size_t k = 0; k < 4; k++) {
		int h = hex_digit(p[words * 8 + 1 + k]);
		if (h < 0)
			return -EINVAL;
		pv = pv << 4 | (uint32_t)h;
	}
	*port = (uint16_t)pv;
	return 0;
}

/* Split a line into whitespace-separated fields (at most max). */
static size_t split(const char *line, size_t len, const char **f, size_t *fl, size_t max)
{
	size_t n = 0, i = 0;

	while (i < len && n < max) {
		while (i < len && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i >= len)
			break;
		f[n] = line + i;
		while (i < len && line[i] != ' ' && line[i] != '\t')
			i++;
		fl[n] = (size_t)(line + i - f[n]);
		n++;
	}
	return n;
}

static int num(const char *p, size_t n, int base, unsigned long long *v)
{
	char buf[32];
	char *end;

	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, p, n);
	buf[n] = '\0';
	*v = strtoull(buf, &end, base);
	return *end ? -EINVAL : 0;
}

/* Line iteration over a table, the header line skipped. */
struct lines {
	const char *p, *end;
};

static void lines_init(struct lines *it, const char *text, size_t len)
{
	const char *nl = memchr(text, '\n', len);
	it->p = nl ? nl + 1 : text + len;
	it->end = text + len;
}

static bool next_line(struct lines *it, const char **line, size_t *len)
{
	if (it->p >= it->end)
		return false;
	const char *nl = memchr(it->p, '\n', (size_t)(it->end - it->p));
	*line = it->p;
	*len = nl ? (size_t)(nl - it->p) : (size_t)(it->end - it->p);
	it->p = nl ? nl + 1 : it->end;
	return true;
}

int net_proc_parse_inet(const char *text, size_t len, enum sock_kind kind, int family,
			struct sockvec *out, unsigned *bad)
{
	struct lines it;
	const char *line;
	size_t llen;

	lines_init(&it, text, len);
	while (next_line(&it, &line, &llen)) {
		const char *f[12];
		size_t fl[12];
		unsigned long long st, uid, inode, retr, when, tr;
		size_t n = split(line, llen, f, fl, 12);
		if (n == 0)
			continue;
		struct sock_rec s;
		memset(&s, 0, sizeof(s));
		const char *colon = n >= 5 ? memchr(f[4], ':', fl[4]) : NULL;
		const char *colon2 = n >= 6 ? memchr(f[5], ':', fl[5]) : NULL;
		unsigned long long tx, rx;
		if (n < 10 || !colon || !colon2 ||
		    parse_addr(f[1], fl[1], family, s.src, &s.sport) < 0 ||
		    parse_addr(f[2], fl[2], family, s.dst, &s.dport) < 0 ||
		    num(f[3], fl[3], 16, &st) < 0 ||
		    num(f[4], (size_t)(colon - f[4]), 16, &tx) < 0 ||
		    num(colon + 1, fl[4] - (size_t)(colon - f[4]) - 1, 16, &rx) < 0 ||
		    num(f[5], (size_t)(colon2 - f[5]), 16, &tr) < 0 ||
		    num(colon2 + 1, fl[5] - (size_t)(colon2 - f[5]) - 1, 16, &when) < 0 ||
		    num(f[6], fl[6], 16, &retr) < 0 || num(f[7], fl[7], 10, &uid) < 0 ||
		    num(f[9], fl[9], 10, &inode) < 0) {
			(*bad)++;
			continue;
		}
		struct sock_rec *p = sockvec_push(out);
		if (!p)
			return -ENOMEM;
		*p = s;
		p->kind = kind;
		p->family = family;
		p->state = (int)st;
		p->proc_state = (int)st;
		p->txq = (uint32_t)tx;
		p->rxq = (uint32_t)rx;
		p->timer = (int)tr;
		p->timer_expires = (uint32_t)when;
		p->retrans = (uint32_t)retr;
		p->uid = (uint32_t)uid;
		p->inode = inode;
		p->seen = SEEN_PROC;
	}
	return 0;
}

int net_proc_parse_unix(const char *text, size_t len, struct sockvec *out, unsigned *bad)
{
	struct lines it;
	const char *line;
	size_t llen;

	lines_init(&it, text, len);
	while (next_line(&it, &line, &llen)) {
		const char *f[8];
		size_t fl[8];
		unsigned long long flags, type, st, inode;
		size_t n = split(line, llen, f, fl, 7);
		if (n == 0)
			continue;
		if (n < 7 || num(f[3], fl[3], 16, &flags) < 0 || num(f[4], fl[4], 16, &type) < 0 ||
		    num(f[5], fl[5], 16, &st) < 0 || num(f[6], fl[6], 10, &inode) < 0) {
			(*bad)++;
			continue;
		}
		struct sock_rec *p = sockvec_push(out);
		if (!p)
			return -ENOMEM;
		p->kind = SK_UNIX;
		p->family = AF_UNIX;
		p->type = (int)type;
		p->proc_state = (int)st;
		/* SS_* socket states to the TCP-style numbers netlink uses */
		p->state = (flags & 0x10000) ? 10 : st == 3 ? 1 : st == 2 ? 2 : 7;
		p->inode = inode;
		p->seen = SEEN_PROC;
		const char *after = f[6] + fl[6];
		size_t rest = (size_t)(line + llen - after);
		if (rest > 1 && *after == ' ') {
			p->path_len = rest - 1;
			p->path = malloc(p->path_len + 1);
			if (!p->path) {
				p->path_len = 0;   /* the record stands, without its path */
				return -ENOMEM;
			}
			memcpy(p->path, after + 1, p->path_len);
			p->path[p->path_len] = '\0';
			/* the kernel prints an abstract name's leading NUL as '@' */
			if (p->path[0] == '@')
				p->path[0] = '\0';
		}
	}
	return 0;
}

int net_proc_parse_packet(const char *text, size_t len, struct sockvec *out, unsigned *bad)
{
	struct lines it;
	const char *line;
	size_t llen;

	lines_init(&it, text, len);
	while (next_line(&it, &line, &llen)) {
		const char *f[10];
		size_t fl[10];
		unsigned long long type, proto, iface, rmem, user, inode;
		size_t n = split(line, llen, f, fl, 10);
		if (n == 0)
			continue;
		if (n < 9 || num(f[2], fl[2], 10, &type) < 0 || num(f[3], fl[3], 16, &proto) < 0 ||
		    num(f[4], fl[4], 10, &iface) < 0 || num(f[6], fl[6], 10, &rmem) < 0 ||
		    num(f[7], fl[7], 10, &user) < 0 || num(f[8], fl[8], 10, &inode) < 0) {
			(*bad)++;
			continue;
		}
		struct sock_rec *p = sockvec_push(out);
		if (!p)
			return -ENOMEM;
		p->kind = SK_PACKET;
		p->family = AF_PACKET;
		p->type = (int)type;
		p->sport = (uint16_t)proto;   /* ethertype, network order as printed */
		p->ifindex = (int)iface;
		p->rxq = (uint32_t)rmem;
		p->uid = (uint32_t)user;
		p->inode = inode;
		p->seen = SEEN_PROC;
	}
	return 0;
}

static int same_socket(const struct sock_rec *a, const struct sock_rec *b)
{
	if (a->kind != b->kind || a->family != b->family)
		return 0;
	if (a->inode || b->inode)
		return a->inode == b->inode;
	return a->sport == b->sport && a->dport == b->dport && a->state == b->state &&
	       memcmp(a->src, b->src, 16) == 0 && memcmp(a->dst, b->dst, 16) == 0;
}

static uint64_t sock_hash(const struct sock_rec *s)
{
	uint64_t h = s->inode * 0x9e3779b97f4a7c15ULL ^ (uint64_t)s->kind << 56 ^
		     (uint64_t)s->family << 48;
	if (!s->inode) {
		for (int i = 0; i < 16; i++)
			h = (h ^ s->src[i] ^ (uint64_t)s->dst[i] << 8) * 0x100000001b3ULL;
		h ^= (uint64_t)s->sport << 16 ^ s->dport ^ (uint64_t)s->state << 32;
	}
	return h;
}

static void absorb(struct sock_rec *hit, struct sock_rec *s)
{
	hit->seen |= s->seen;
	if (!hit->peer_inode)
		hit->peer_inode = s->peer_inode;
	/* netlink's unix name is exact and its state TCP-style; proc's name may
	 * be mangled (NUL shown as '@', newlines) */
	if (s->path && (!hit->path || (s->seen & SEEN_NETLINK))) {
		free(hit->path);
		hit->path = s->path;
		hit->path_len = s->path_len;
		s->path = NULL;
	}
	if ((s->seen & SEEN_NETLINK) && s->kind == SK_UNIX)
		hit->state = s->state;
}

int sockvec_merge(struct sockvec *a, struct sockvec *b)
{
	size_t cap = 64;
	while (cap < (a->n + b->n) * 2)
		cap *= 2;
	size_t *slot = malloc(cap * sizeof(*slot));   /* index + 1 into a->v, 0 empty */

	if (!slot)
		return -ENOMEM;
	memset(slot, 0, cap * sizeof(*slot));
	for (size_t i = 0; i < a->n; i++) {
		size_t h = (size_t)sock_hash(&a->v[i]) & (cap - 1);
		while (slot[h])
			h = (h + 1) & (cap - 1);
		slot[h] = i + 1;
	}
	for (size_t i = 0; i < b->n; i++) {
		struct sock_rec *s = &b->v[i];
		size_t h = (size_t)sock_hash(s) & (cap - 1);
		struct sock_rec *hit = NULL;
		while (slot[h] && !hit) {
			if (same_socket(&a->v[slot[h] - 1], s))
				hit = &a->v[slot[h] - 1];
			else
				h = (h + 1) & (cap - 1);
		}
		if (hit) {
			absorb(hit, s);
			continue;
		}
		struct sock_rec *p = sockvec_push(a);
		if (!p) {
			free(slot);
			return -ENOMEM;
		}
		*p = *s;
		s->path = NULL;
		slot[h] = a->n;
	}
	free(slot);
	return 0;
}

const char *sock_kind_name(enum sock_kind k, int family)
{
	int v6 = family == 10;
	switch (k) {
	case SK_TCP: return v6 ? "tcp6" : "tcp";
	case SK_UDP: return v6 ? "udp6" : "udp";
	case SK_UDPLITE: return v6 ? "udplite6" : "udplite";
	case SK_RAW: return v6 ? "raw6" : "raw";
	case SK_UNIX: return "unix";
	case SK_PACKET: return "packet";
	default: return "?";
	}
}

const char *tcp_state_name(int state)
{
	/* the kernel's names (include/net/tcp_states.h), by <netinet/tcp.h>'s
	 * numbers; TCP_NEW_SYN_RECV follows TCP_CLOSING and has no libc name */
	static const char *const names[] = {
		[0] = "UNKNOWN", [TCP_ESTABLISHED] = "ESTABLISHED", [TCP_SYN_SENT] = "SYN_SENT",
		[TCP_SYN_RECV] = "SYN_RECV", [TCP_FIN_WAIT1] = "FIN_WAIT1",
		[TCP_FIN_WAIT2] = "FIN_WAIT2", [TCP_TIME_WAIT] = "TIME_WAIT",
		[TCP_CLOSE] = "CLOSE", [TCP_CLOSE_WAIT] = "CLOSE_WAIT",
		[TCP_LAST_ACK] = "LAST_ACK", [TCP_LISTEN] = "LISTEN", [TCP_CLOSING] = "CLOSING",
		[TCP_CLOSING + 1] = "NEW_SYN_RECV",
	};
	_Static_assert(sizeof(names) / sizeof(names[0]) == TCP_CLOSING + 2, "TCP states");
	return state >= 0 && (size_t)state < sizeof(names) / sizeof(names[0]) ? names[state] :
	       "UNKNOWN";
}

const char *netlink_proto_name(int protocol)
{
	static const char *const names[] = {
		[0] = "route", [2] = "usersock", [3] = "firewall", [4] = "sock_diag",
		[5] = "nflog", [6] = "xfrm", [7] = "selinux", [8] = "iscsi", [9] = "audit",
		[10] = "fib_lookup", [11] = "connector", [12] = "netfilter", [13] = "ip6_fw",
		[14] = "dnrtmsg", [15] = "kobject_uevent", [16] = "generic",
		[18] = "scsitransport", [19] = "ecryptfs", [20] = "rdma", [21] = "crypto",
		[22] = "smc",
	};
	return protocol >= 0 && (size_t)protocol < sizeof(names) / sizeof(names[0]) ?
	       names[protocol] : NULL;
}

/* "sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode" (net/netlink/af_netlink.c) */
int net_proc_parse_netlink(const char *text, size_t len,
			   int (*each)(void *ctx, const struct nl_sock *s), void *ctx,
			   unsigned *bad)
{
	struct lines it;
	const char *line;
	size_t llen;

	lines_init(&it, text, len);   /* the header skipped */
	while (next_line(&it, &line, &llen)) {
		const char *f[10];
		size_t fl[10];
		size_t n = split(line, llen, f, fl, 10);
		if (n == 0)
			continue;
		unsigned long long proto, portid, groups, rmem, wmem, drops, inode;
		if (n < 10 || num(f[1], fl[1], 10, &proto) < 0 || num(f[2], fl[2], 10, &portid) < 0 ||
		    num(f[3], fl[3], 16, &groups) < 0 || num(f[4], fl[4], 10, &rmem) < 0 ||
		    num(f[5], fl[5], 10, &wmem) < 0 || num(f[8], fl[8], 10, &drops) < 0 ||
		    num(f[9], fl[9], 10, &inode) < 0 || proto > 255 || portid > UINT32_MAX ||
		    groups > UINT32_MAX) {
			(*bad)++;
			continue;
		}
		struct nl_sock s = { .protocol = (int)proto, .portid = (uint32_t)portid,
				     .groups = (uint32_t)groups, .rmem = (uint32_t)rmem,
				     .wmem = (uint32_t)wmem, .drops = (uint32_t)drops, .inode = inode };
		int r = each(ctx, &s);
		if (r)
			return r;
	}
	return 0;
}
