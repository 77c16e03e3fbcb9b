/*
 * conntrack.c - the connection-tracking table of one network namespace
 * (netfilter.h): what `conntrack -L` lists, from a ctnetlink dump
 * (IPCTNL_MSG_CT_GET, NLM_F_DUMP). The connections that closed before the
 * collection but that the kernel still remembers are here, and nowhere
 * in the socket tables.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "jsonw.h"
#include "netfilter.h"
#include "nfattr.h"
#include "nlquery.h"
#include "banned.h"

static const char *const tcp_states[] = {
	"NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT", "CLOSE_WAIT", "LAST_ACK",
	"TIME_WAIT", "CLOSE", "SYN_SENT2",
};

static const char *const status_bits[] = {
	"EXPECTED", "SEEN_REPLY", "ASSURED", "CONFIRMED", "SRC_NAT", "DST_NAT", "SEQ_ADJUST",
	"SRC_NAT_DONE", "DST_NAT_DONE", "DYING", "FIXED_TIMEOUT", "TEMPLATE", "UNTRACKED",
	"HELPER", "OFFLOAD", "HW_OFFLOAD",
};

static const char *proto_name(unsigned p)
{
	switch (p) {
	case IPPROTO_TCP: return "tcp";
	case IPPROTO_UDP: return "udp";
	case IPPROTO_ICMP: return "icmp";
	case IPPROTO_ICMPV6: return "icmpv6";
	case IPPROTO_SCTP: return "sctp";
	case IPPROTO_UDPLITE: return "udplite";
	case IPPROTO_DCCP: return "dccp";
	case IPPROTO_GRE: return "gre";
	default: return "unknown";
	}
}

static void put_ip(struct jw *w, const char *key, const struct nlattr *a, int af)
{
	char buf[INET6_ADDRSTRLEN];
	if (a && nfa_len(a) >= (af == AF_INET ? 4u : 16u) &&
	    inet_ntop(af, nfa_data(a), buf, sizeof(buf)))
		jw_str(w, key, buf);
}

/* A tuple (CTA_TUPLE_ORIG or _REPLY) as "key":{src,dst,sport,dport,...}. */
static unsigned put_tuple(struct jw *w, const char *key, const struct nlattr *t)
{
	const struct nlattr *tb[CTA_TUPLE_MAX + 1], *ip[CTA_IP_MAX + 1], *pr[CTA_PROTO_MAX + 1];
	struct jw o;

	if (!t)
		return 0;
	nfa_nested(t, tb, CTA_TUPLE_MAX);
	nfa_nested(tb[CTA_TUPLE_IP], ip, CTA_IP_MAX);
	nfa_nested(tb[CTA_TUPLE_PROTO], pr, CTA_PROTO_MAX);
	jw_object(w, key, &o);
	if (ip[CTA_IP_V4_SRC] || ip[CTA_IP_V4_DST]) {
		put_ip(&o, "src", ip[CTA_IP_V4_SRC], AF_INET);
		put_ip(&o, "dst", ip[CTA_IP_V4_DST], AF_INET);
	} else {
		put_ip(&o, "src", ip[CTA_IP_V6_SRC], AF_INET6);
		put_ip(&o, "dst", ip[CTA_IP_V6_DST], AF_INET6);
	}
	unsigned proto = nfa_u8(pr[CTA_PROTO_NUM]);
	if (pr[CTA_PROTO_SRC_PORT])
		jw_int(&o, "sport", nfa_be16(pr[CTA_PROTO_SRC_PORT]));
	if (pr[CTA_PROTO_DST_PORT])
		jw_int(&o, "dport", nfa_be16(pr[CTA_PROTO_DST_PORT]));
	if (pr[CTA_PROTO_ICMP_TYPE] || pr[CTA_PROTO_ICMPV6_TYPE]) {
		int v6 = pr[CTA_PROTO_ICMPV6_TYPE] != NULL;
		jw_int(&o, "icmp_type", nfa_u8(pr[v6 ? CTA_PROTO_ICMPV6_TYPE : CTA_PROTO_ICMP_TYPE]));
		jw_int(&o, "icmp_code", nfa_u8(pr[v6 ? CTA_PROTO_ICMPV6_CODE : CTA_PROTO_ICMP_CODE]));
		jw_int(&o, "icmp_id", nfa_be16(pr[v6 ? CTA_PROTO_ICMPV6_ID : CTA_PROTO_ICMP_ID]));
	}
	if (tb[CTA_TUPLE_ZONE])
		jw_int(&o, "zone", nfa_be16(tb[CTA_TUPLE_ZONE]));
	jw_object_end(&o);
	return proto;
}

static void put_counters(struct jw *w, const char *key, const struct nlattr *a)
{
	const struct nlattr *tb[CTA_COUNTERS_MAX + 1];
	struct jw o;

	if (!a)
		return;
	nfa_nested(a, tb, CTA_COUNTERS_MAX);
	jw_object(w, key, &o);
	jw_int(&o, "packets", (int64_t)nfa_be64(tb[CTA_COUNTERS_PACKETS]));
	jw_int(&o, "bytes", (int64_t)nfa_be64(tb[CTA_COUNTERS_BYTES]));
	jw_object_end(&o);
}

static int ct_message(const struct nlmsghdr *h, void *ctx)
{
	const struct nlattr *tb[CTA_MAX + 1];
	struct capbuf *out = ctx;
	struct jw w;

	if ((h->nlmsg_type >> 8) != NFNL_SUBSYS_CTNETLINK)
		return 0;
	int af = nfa_message(h, tb, CTA_MAX);
	if (af < 0)
		return 0;
	jw_begin(&w, out);
	jw_str(&w, "family", af == AF_INET ? "ipv4" : af == AF_INET6 ? "ipv6" : "other");
	if (tb[CTA_ID])
		jw_int(&w, "id", nfa_be32(tb[CTA_ID]));
	unsigned proto = put_tuple(&w, "orig", tb[CTA_TUPLE_ORIG]);
	put_tuple(&w, "reply", tb[CTA_TUPLE_REPLY]);
	jw_str(&w, "proto", proto_name(proto));
	jw_int(&w, "protonum", proto);
	if (tb[CTA_TIMEOUT])
		jw_int(&w, "timeout", nfa_be32(tb[CTA_TIMEOUT]));
	if (tb[CTA_PROTOINFO]) {
		const struct nlattr *pi[CTA_PROTOINFO_MAX + 1], *tcp[CTA_PROTOINFO_TCP_MAX + 1];
		nfa_nested(tb[CTA_PROTOINFO], pi, CTA_PROTOINFO_MAX);
		nfa_nested(pi[CTA_PROTOINFO_TCP], tcp, CTA_PROTOINFO_TCP_MAX);
		if (tcp[CTA_PROTOINFO_TCP_STATE]) {
			unsigned s = nfa_u8(tcp[CTA_PROTOINFO_TCP_STATE]);
			if (s < sizeof(tcp_states) / sizeof(tcp_states[0]))
				jw_str(&w, "state", tcp_states[s]);
			else
				jw_int(&w, "state", s);
		}
	}
	uint32_t st = nfa_be32(tb[CTA_STATUS]);
	jw_int(&w, "status", st);
	const char *names[16];
	size_t lens[16], n = 0;
	for (unsigned b = 0; b < 16; b++)
		if (st & (1u << b)) {
			names[n] = status_bits[b];
			lens[n++] = strlen(status_bits[b]);
		}
	jw_bytes_array(&w, "status_flags", names, lens, n);
	if (tb[CTA_MARK])
		jw_int(&w, "mark", nfa_be32(tb[CTA_MARK]));
	if (tb[CTA_SECMARK])
		jw_int(&w, "secmark", nfa_be32(tb[CTA_SECMARK]));
	if (tb[CTA_ZONE])
		jw_int(&w, "zone", nfa_be16(tb[CTA_ZONE]));
	if (tb[CTA_USE])
		jw_int(&w, "use", nfa_be32(tb[CTA_USE]));
	put_counters(&w, "counters_orig", tb[CTA_COUNTERS_ORIG]);
	put_counters(&w, "counters_reply", tb[CTA_COUNTERS_REPLY]);
	if (tb[CTA_TIMESTAMP]) {
		const struct nlattr *ts[CTA_TIMESTAMP_MAX + 1];
		nfa_nested(tb[CTA_TIMESTAMP], ts, CTA_TIMESTAMP_MAX);
		if (ts[CTA_TIMESTAMP_START])
			jw_int(&w, "start_ns", (int64_t)nfa_be64(ts[CTA_TIMESTAMP_START]));
		if (ts[CTA_TIMESTAMP_STOP])
			jw_int(&w, "stop_ns", (int64_t)nfa_be64(ts[CTA_TIMESTAMP_STOP]));
	}
	if (tb[CTA_HELP]) {
		const struct nlattr *hp[CTA_HELP_MAX + 1];
		nfa_nested(tb[CTA_HELP], hp, CTA_HELP_MAX);
		if (hp[CTA_HELP_NAME])
			jw_bytes(&w, "helper", nfa_data(hp[CTA_HELP_NAME]), nfa_strlen(hp[CTA_HELP_NAME]));
	}
	jw_end(&w);
	return 0;
}

int conntrack_parse(const void *buf, size_t len, struct capbuf *out)
{
	int r = nl_parse(buf, len, ct_message, out);
	return r > 0 ? 0 : r;
}

int conntrack_dump(struct capbuf *raw, struct capbuf *out)
{
	struct {
		struct nlmsghdr h;
		struct nfgenmsg g;
	} req;
	struct nf_tap t = { raw, ct_message, out };

	memset(&req, 0, sizeof(req));
	req.h.nlmsg_len = sizeof(req);
	req.h.nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.g.nfgen_family = AF_UNSPEC;
	req.g.version = NFNETLINK_V0;
	return nl_query(NETLINK_NETFILTER, &req, sizeof(req), nf_tap_message, &t);
}
