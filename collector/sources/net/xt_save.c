/*
 * xt_save.c - an IPv4 or IPv6 x_tables table (xt_int.h) as
 * `iptables-save -c` and `ip6tables-save -c` print it (iptables 1.8.9:
 * print_rule4/print_rule6, save_ipv4_addr, save_ipv6_addr,
 * save_rule_details), and a JSON record a rule. The ip part of a rule,
 * the standard, error and REJECT targets and the tcp, udp, icmp, icmp6 and
 * comment matches are decoded; any other extension is named ("-m NAME",
 * "-j NAME") with its data in hex in the JSON and a note in the text.
 */
#include <arpa/inet.h>
#include <linux/netfilter/xt_comment.h>
#include <linux/netfilter/xt_tcpudp.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netfilter_ipv4/ipt_REJECT.h>
#include <linux/netfilter_ipv6/ip6_tables.h>
#include <linux/netfilter_ipv6/ip6t_REJECT.h>
#include <stdio.h>
#include <string.h>

#include "xt_int.h"
#include "banned.h"

static void add(struct capbuf *s, const char *str)
{
	capbuf_add(s, str, strlen(str));
}

/* mask_to_str: a prefix length, or the mask dotted when not contiguous. */
static void save_ip4(struct capbuf *s, char letter, struct in_addr a, struct in_addr m, int inv)
{
	char abuf[INET_ADDRSTRLEN], mbuf[INET_ADDRSTRLEN], out[96];
	uint32_t hm = ntohl(m.s_addr);
	int len = -1;

	if (!a.s_addr && !m.s_addr && !inv)
		return;
	for (int i = 0; i <= 32 && len < 0; i++)
		if (hm == (i ? ~0u << (32 - i) : 0u))
			len = i;
	inet_ntop(AF_INET, &a, abuf, sizeof(abuf));
	if (len >= 0)
		snprintf(mbuf, sizeof(mbuf), "%d", len);
	else
		inet_ntop(AF_INET, &m, mbuf, sizeof(mbuf));
	snprintf(out, sizeof(out), "%s -%c %s/%s", inv ? " !" : "", letter, abuf, mbuf);
	add(s, out);
}

/* xtables_ip6mask_to_cidr: the prefix length, or -1 when not contiguous. */
static int ip6_cidr(const struct in6_addr *m)
{
	int bits = 0;
	for (int i = 0; i < 16; i++) {
		unsigned v = m->s6_addr[i];
		if (v == 0xff) {
			bits += 8;
			continue;
		}
		while (v & 0x80) {
			bits++;
			v = (v << 1) & 0xff;
		}
		if (v)
			return -1;
		for (int k = i + 1; k < 16; k++)
			if (m->s6_addr[k])
				return -1;
		break;
	}
	return bits;
}

static void save_ip6(struct capbuf *s, char letter, const struct in6_addr *a,
		     const struct in6_addr *m, int inv)
{
	char abuf[INET6_ADDRSTRLEN], mbuf[INET6_ADDRSTRLEN], out[128];
	int l = ip6_cidr(m);

	if (!inv && l == 0)
		return;
	inet_ntop(AF_INET6, a, abuf, sizeof(abuf));
	if (l < 0)
		inet_ntop(AF_INET6, m, mbuf, sizeof(mbuf));
	else
		snprintf(mbuf, sizeof(mbuf), "%d", l);
	snprintf(out, sizeof(out), "%s -%c %s/%s", inv ? " !" : "", letter, abuf, mbuf);
	add(s, out);
}

static void save_iface(struct capbuf *s, char letter, const char *ifc, const unsigned char *mask,
		       int inv)
{
	char out[8];
	if (!mask[0])
		return;
	snprintf(out, sizeof(out), "%s -%c ", inv ? " !" : "", letter);
	add(s, out);
	for (int i = 0; i < IFNAMSIZ; i++) {
		if (mask[i]) {
			if (ifc[i])
				capbuf_add(s, ifc + i, 1);
		} else {
			if (i && ifc[i - 1])
				capbuf_add(s, "+", 1);
			break;
		}
	}
}

/* xtables_chain_protos, first name of each number */
static const char *proto_name(unsigned p)
{
	switch (p) {
	case 6: return "tcp";
	case 132: return "sctp";
	case 17: return "udp";
	case 136: return "udplite";
	case 1: return "icmp";
	case 58: return "ipv6-icmp";
	case 50: return "esp";
	case 51: return "ah";
	case 135: return "mobility-header";
	default: return NULL;
	}
}

/* save_rule_details: interfaces, protocol, fragment. */
static void save_details(struct capbuf *s, const char *in, const unsigned char *inm, const char *out,
			 const unsigned char *outm, unsigned proto, int frag, unsigned inv)
{
	char buf[48];
	save_iface(s, 'i', in, inm, inv & IPT_INV_VIA_IN);
	save_iface(s, 'o', out, outm, inv & IPT_INV_VIA_OUT);
	if (proto) {
		const char *pn = proto_name(proto);
		if (pn)
			snprintf(buf, sizeof(buf), "%s -p %s", inv & XT_INV_PROTO ? " !" : "", pn);
		else
			snprintf(buf, sizeof(buf), "%s -p %u", inv & XT_INV_PROTO ? " !" : "", proto);
		add(s, buf);
	}
	if (frag)
		add(s, inv & IPT_INV_FRAG ? " ! -f" : " -f");
}

/* xtables_save_string: bare when only [_-0-9A-Za-z], else quoted. */
static void save_string(struct capbuf *s, const char *v)
{
	size_t n = strspn(v, "_-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
	capbuf_add(s, " ", 1);
	if (n > 0 && v[n] == '\0') {
		capbuf_add(s, v, n);
		return;
	}
	capbuf_add(s, "\"", 1);
	for (; *v; v++) {
		if (*v == '"' || *v == '\\' || *v == '\'')
			capbuf_add(s, "\\", 1);
		capbuf_add(s, v, 1);
	}
	capbuf_add(s, "\"", 1);
}

static void save_ports(struct capbuf *s, const char *opt, const uint16_t *p, int inv)
{
	char out[48];
	if (p[0] == 0 && p[1] == 0xffff)
		return;
	if (p[0] != p[1])
		snprintf(out, sizeof(out), "%s %s %u:%u", inv ? " !" : "", opt, p[0], p[1]);
	else
		snprintf(out, sizeof(out), "%s %s %u", inv ? " !" : "", opt, p[0]);
	add(s, out);
}

/* icmp_save and icmp6_save */
static void save_icmp(struct capbuf *s, const char *opt, const void *data, int inv_bit)
{
	struct ipt_icmp ic;   /* ip6t_icmp has its layout */
	char out[64];
	memcpy(&ic, data, sizeof(ic));
	if (ic.invflags & inv_bit)
		add(s, " !");
	if (ic.type == 0xff && inv_bit == IPT_ICMP_INV) {
		add(s, " --icmp-type any");
		return;
	}
	snprintf(out, sizeof(out), " %s %u", opt, ic.type);
	add(s, out);
	if (ic.code[0] != 0 || ic.code[1] != 0xff) {
		snprintf(out, sizeof(out), "/%u", ic.code[0]);
		add(s, out);
	}
}

/* One match's options; false when irsnap does not decode it. */
static bool save_match(struct capbuf *s, int fam, const char *name, const void *data, size_t n)
{
	if (!strcmp(name, "tcp") && n >= sizeof(struct xt_tcp)) {
		struct xt_tcp t;
		memcpy(&t, data, sizeof(t));
		save_ports(s, "--sport", t.spts, t.invflags & XT_TCP_INV_SRCPT);
		save_ports(s, "--dport", t.dpts, t.invflags & XT_TCP_INV_DSTPT);
		return !t.option && !t.flg_mask && !(t.invflags & ~(XT_TCP_INV_SRCPT | XT_TCP_INV_DSTPT));
	}
	if (!strcmp(name, "udp") && n >= sizeof(struct xt_udp)) {
		struct xt_udp u;
		memcpy(&u, data, sizeof(u));
		save_ports(s, "--sport", u.spts, u.invflags & XT_UDP_INV_SRCPT);
		save_ports(s, "--dport", u.dpts, u.invflags & XT_UDP_INV_DSTPT);
		return true;
	}
	if (!strcmp(name, "icmp") && fam == NFPROTO_IPV4 && n >= sizeof(struct ipt_icmp)) {
		save_icmp(s, "--icmp-type", data, IPT_ICMP_INV);
		return true;
	}
	if (!strcmp(name, "icmp6") && fam == NFPROTO_IPV6 && n >= sizeof(struct ip6t_icmp)) {
		save_icmp(s, "--icmpv6-type", data, IP6T_ICMP_INV);
		return true;
	}
	if (!strcmp(name, "comment") && n >= sizeof(struct xt_comment_info)) {
		char c[XT_MAX_COMMENT_LEN + 1];
		memcpy(c, data, XT_MAX_COMMENT_LEN);
		c[XT_MAX_COMMENT_LEN] = '\0';
		add(s, " --comment");
		save_string(s, c);
		return true;
	}
	return false;
}

/* The REJECT target's option; false when its value has no name. */
static bool save_reject(struct capbuf *s, int fam, const void *data, size_t n)
{
	static const char *const with4[] = { "icmp-net-unreachable", "icmp-host-unreachable",
		"icmp-proto-unreachable", "icmp-port-unreachable", "icmp-echo-reply",
		"icmp-net-prohibited", "icmp-host-prohibited", "tcp-reset", "icmp-admin-prohibited" };
	/* ip6t_REJECT's table: 2 (not-neighbor) and 5 (echo-reply) are #if 0 */
	static const char *const with6[] = { "icmp6-no-route", "icmp6-adm-prohibited", NULL,
		"icmp6-addr-unreachable", "icmp6-port-unreachable", NULL, "tcp-reset",
		"icmp6-policy-fail", "icmp6-reject-route" };
	const char *const *with = fam == NFPROTO_IPV6 ? with6 : with4;
	unsigned nwith = fam == NFPROTO_IPV6 ? sizeof(with6) / sizeof(*with6) : sizeof(with4) / sizeof(*with4);
	struct ipt_reject_info ri;   /* ip6t_reject_info has its layout */

	if (n < sizeof(ri))
		return false;
	memcpy(&ri, data, sizeof(ri));
	if (ri.with >= nwith || !with[ri.with])
		return false;
	add(s, " --reject-with ");
	add(s, with[ri.with]);
	return true;
}

/* The ip part: addresses, interfaces, protocol, fragment. */
static bool save_head(struct capbuf *s, const struct xt_table *t, const void *e, bool *isgoto)
{
	if (t->fam == NFPROTO_IPV6) {
		const struct ip6t_ip6 *ip = &((const struct ip6t_entry *)e)->ipv6;
		save_ip6(s, 's', &ip->src, &ip->smsk, ip->invflags & IP6T_INV_SRCIP);
		save_ip6(s, 'd', &ip->dst, &ip->dmsk, ip->invflags & IP6T_INV_DSTIP);
		save_details(s, ip->iniface, ip->iniface_mask, ip->outiface, ip->outiface_mask,
			     ip->proto, 0, ip->invflags);
		*isgoto = ip->flags & IP6T_F_GOTO;
		return !(ip->flags & IP6T_F_TOS);   /* ip6tables prints "-? N": not a rule */
	}
	const struct ipt_ip *ip = &((const struct ipt_entry *)e)->ip;
	save_ip4(s, 's', ip->src, ip->smsk, ip->invflags & IPT_INV_SRCIP);
	save_ip4(s, 'd', ip->dst, ip->dmsk, ip->invflags & IPT_INV_DSTIP);
	save_details(s, ip->iniface, ip->iniface_mask, ip->outiface, ip->outiface_mask, ip->proto,
		     ip->flags & IPT_F_FRAG, ip->invflags);
	*isgoto = ip->flags & IPT_F_GOTO;
	return true;
}

/* One rule: its save line into s, its record into out. */
static void one_rule(const struct xt_table *t, const struct xt_chain *c, const void *e,
		     unsigned num, void *arg)
{
	struct capbuf **io = arg, line;
	struct xt_counters n = xt_counts(t, e);
	char head[96];
	bool isgoto = false;

	capbuf_init(&line, 1u << 16);
	snprintf(head, sizeof(head), "[%llu:%llu] -A ", (unsigned long long)n.pcnt,
		 (unsigned long long)n.bcnt);
	add(&line, head);
	add(&line, c->name);
	bool decoded = save_head(&line, t, e, &isgoto);
	unsigned to = xt_target_offset(t, e);
	for (unsigned off = (unsigned)t->ehdr; off + sizeof(struct xt_entry_match) <= to;) {
		const struct xt_entry_match *m = (const void *)((const char *)e + off);
		unsigned ms = m->u.match_size;
		if (ms < sizeof(*m) || ms % XT_ALIGN(1) || off + ms > to) {
			decoded = false;
			break;
		}
		char name[XT_EXTENSION_MAXNAMELEN + 1];
		memcpy(name, m->u.user.name, XT_EXTENSION_MAXNAMELEN);
		name[XT_EXTENSION_MAXNAMELEN] = '\0';
		add(&line, " -m ");
		add(&line, name);
		decoded &= save_match(&line, t->fam, name, m->data, ms - sizeof(*m));
		off += ms;
	}
	const struct xt_entry_target *tg = xt_target(t, e);
	const char *jump = xt_jump(t, e);
	if (!jump)
		decoded = false;
	if (jump && *jump) {
		add(&line, isgoto && !tg->u.user.name[0] ? " -g " : " -j ");
		add(&line, jump);
	}
	if (!strcmp(tg->u.user.name, "REJECT"))
		decoded &= save_reject(&line, t->fam, tg->data, tg->u.target_size - sizeof(*tg));
	else if (tg->u.user.name[0])
		decoded = false;
	if (!decoded)
		add(&line, " # irsnap: options not decoded (see the JSON)");
	xt_rule_json(t, c, e, num, line.buf, line.len, decoded, io[1]);
	capbuf_add(&line, "\n", 1);
	capbuf_add(io[0], line.buf, line.len);
	capbuf_release(&line);
}

void xt_save_ip(const struct xt_table *t, struct capbuf *save, struct capbuf *out)
{
	struct capbuf *io[2] = { save, out };
	char line[160];

	snprintf(line, sizeof(line), "*%s\n", t->name);
	add(save, line);
	for (size_t i = 0; i < t->nch; i++) {
		const void *p = t->ch[i].policy;
		struct xt_counters n = { 0, 0 };
		const char *pol = "-";
		if (p) {
			const struct xt_entry_target *tg = xt_target(t, p);
			int v = 0;
			if (tg->u.target_size >= sizeof(*tg) + sizeof(int))
				memcpy(&v, tg->data, sizeof(v));
			pol = xt_verdict(v) ? xt_verdict(v) : "-";
			n = xt_counts(t, p);
		}
		snprintf(line, sizeof(line), ":%s %s [%llu:%llu]\n", t->ch[i].name, pol,
			 (unsigned long long)n.pcnt, (unsigned long long)n.bcnt);
		add(save, line);
	}
	for (size_t i = 0; i < t->nch; i++)
		xt_rules(t, &t->ch[i], one_rule, io);
	add(save, "COMMIT\n");
}
