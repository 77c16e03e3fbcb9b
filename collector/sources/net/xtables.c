/*
 * xtables.c - the legacy iptables tables of one network namespace
 * (netfilter.h): a table's blob from IPT_SO_GET_INFO and
 * IPT_SO_GET_ENTRIES on a raw socket (read only: the SET options are never
 * used), and its decoding to what `iptables-save -c` prints. The ip part of
 * a rule, the standard, error and REJECT targets and the tcp, udp and
 * comment matches are decoded; any other extension is named ("-m NAME",
 * "-j NAME") with its data in hex in the JSON and a note in the text.
 * IPv6 tables are kept raw (the blob) and not decoded.
 *
 * Only tables the kernel lists (/proc/net/ip_tables_names) are asked for:
 * asking for another makes the kernel load its module.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter/xt_comment.h>
#include <linux/netfilter/xt_tcpudp.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netfilter_ipv4/ipt_REJECT.h>
#include <linux/netfilter_ipv6/ip6_tables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "jsonw.h"
#include "netfilter.h"
#include "textutil.h"
#include "banned.h"

#define XT_BLOB_MAX (256u << 20)

int xtables_read(int af, const char *name, struct capbuf *raw)
{
	struct ipt_getinfo info;
	socklen_t il = sizeof(info);
	int level = af == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP;
	int fd = socket(af, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	int ret = 0;

	if (fd < 0)
		return -errno;
	memset(&info, 0, sizeof(info));
	snprintf(info.name, sizeof(info.name), "%s", name);
	/* ip6t_getinfo has the same layout as ipt_getinfo */
	if (getsockopt(fd, level, IPT_SO_GET_INFO, &info, &il) < 0) {
		ret = -errno;
		goto out;
	}
	if (info.size > XT_BLOB_MAX) {
		ret = -E2BIG;
		goto out;
	}
	size_t el = sizeof(struct ipt_get_entries) + info.size;
	struct ipt_get_entries *e = calloc(1, el);
	if (!e) {
		ret = -ENOMEM;
		goto out;
	}
	memcpy(e->name, info.name, sizeof(e->name));
	e->size = info.size;
	socklen_t gl = (socklen_t)el;
	if (getsockopt(fd, level, IPT_SO_GET_ENTRIES, e, &gl) < 0) {
		ret = -errno;   /* EAGAIN: the table changed between the two */
	} else {
		capbuf_add(raw, &info, sizeof(info));
		capbuf_add(raw, e->entrytable, e->size);
	}
	free(e);
out:
	close(fd);
	return ret;
}

struct xt_chain {
	unsigned off;            /* offset of its first rule */
	char name[XT_FUNCTION_MAXNAMELEN + 1];
	int builtin;             /* hook number + 1, or 0 */
	const struct ipt_entry *policy;
};

static const char *const hook_chain[] = { "PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING" };

static void save_ip(struct capbuf *s, const char *opt, struct in_addr a, struct in_addr m, int inv)
{
	char buf[INET_ADDRSTRLEN], out[80];
	if (!a.s_addr && !m.s_addr && !inv)
		return;
	inet_ntop(AF_INET, &a, buf, sizeof(buf));
	snprintf(out, sizeof(out), "%s %s %s/%d", inv ? " !" : "", opt, buf,
		 __builtin_popcount(m.s_addr));
	capbuf_add(s, out, strlen(out));
}

static void save_iface(struct capbuf *s, char letter, const char *ifc, const unsigned char *mask,
		       int inv)
{
	char out[8];
	if (!mask[0])
		return;
	snprintf(out, sizeof(out), "%s -%c ", inv ? " !" : "", letter);
	capbuf_add(s, out, strlen(out));
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

static const char *proto_name(unsigned p)
{
	switch (p) {
	case 6: return "tcp";
	case 17: return "udp";
	case 1: return "icmp";
	case 132: return "sctp";
	case 136: return "udplite";
	case 58: return "ipv6-icmp";
	case 50: return "esp";
	case 51: return "ah";
	default: return NULL;
	}
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
	capbuf_add(s, out, strlen(out));
}

/* One match's options; false when irsnap does not decode it. */
static bool save_match(struct capbuf *s, const char *name, const void *data, size_t n)
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
	if (!strcmp(name, "comment") && n >= sizeof(struct xt_comment_info)) {
		char c[XT_MAX_COMMENT_LEN + 1];
		memcpy(c, data, XT_MAX_COMMENT_LEN);
		c[XT_MAX_COMMENT_LEN] = '\0';
		capbuf_add(s, " --comment", 10);
		save_string(s, c);
		return true;
	}
	return false;
}

static const char *verdict_name(int v)
{
	return v == -NF_ACCEPT - 1 ? "ACCEPT" : v == -NF_DROP - 1 ? "DROP" :
	       v == -NF_QUEUE - 1 ? "QUEUE" : v == XT_RETURN ? "RETURN" : NULL;
}

static int chain_cmp(const void *a, const void *b)
{
	const struct xt_chain *x = a, *y = b;
	if (x->builtin || y->builtin)
		return x->builtin && y->builtin ? x->builtin - y->builtin : x->builtin ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* One rule: its save line into s, its record into out. */
static void one_rule(const char *table, const struct xt_chain *ch, size_t nch, const struct xt_chain *c,
		     const struct ipt_entry *e, unsigned num, struct capbuf *s, struct capbuf *out)
{
	struct capbuf line;
	struct jw w;
	char head[96];
	bool decoded = true;

	capbuf_init(&line, 1u << 16);
	snprintf(head, sizeof(head), "[%llu:%llu] -A ", (unsigned long long)e->counters.pcnt,
		 (unsigned long long)e->counters.bcnt);
	capbuf_add(&line, head, strlen(head));
	capbuf_add(&line, c->name, strlen(c->name));
	save_ip(&line, "-s", e->ip.src, e->ip.smsk, e->ip.invflags & IPT_INV_SRCIP);
	save_ip(&line, "-d", e->ip.dst, e->ip.dmsk, e->ip.invflags & IPT_INV_DSTIP);
	save_iface(&line, 'i', e->ip.iniface, e->ip.iniface_mask, e->ip.invflags & IPT_INV_VIA_IN);
	save_iface(&line, 'o', e->ip.outiface, e->ip.outiface_mask, e->ip.invflags & IPT_INV_VIA_OUT);
	if (e->ip.proto) {
		const char *pn = proto_name(e->ip.proto);
		snprintf(head, sizeof(head), "%s -p %s", e->ip.invflags & XT_INV_PROTO ? " !" : "",
			 pn ? pn : "");
		capbuf_add(&line, head, strlen(head));
		if (!pn) {
			snprintf(head, sizeof(head), "%u", e->ip.proto);
			capbuf_add(&line, head, strlen(head));
		}
	}
	if (e->ip.flags & IPT_F_FRAG)
		capbuf_add(&line, e->ip.invflags & IPT_INV_FRAG ? " ! -f" : " -f",
			   e->ip.invflags & IPT_INV_FRAG ? 5 : 3);
	jw_begin(&w, out);
	jw_str(&w, "table", table);
	jw_bytes(&w, "chain", c->name, strlen(c->name));
	jw_int(&w, "rule", num);
	jw_int(&w, "packets", (int64_t)e->counters.pcnt);
	jw_int(&w, "bytes", (int64_t)e->counters.bcnt);
	jw_key(&w, "matches");
	capbuf_add(out, "[", 1);
	for (unsigned off = sizeof(*e); off + sizeof(struct xt_entry_match) <= e->target_offset;) {
		const struct xt_entry_match *m = (const void *)((const char *)e + off);
		unsigned ms = m->u.match_size;
		if (ms < sizeof(*m) || ms % XT_ALIGN(1) || off + ms > e->target_offset)
			break;
		char name[XT_EXTENSION_MAXNAMELEN + 1];
		memcpy(name, m->u.user.name, XT_EXTENSION_MAXNAMELEN);
		name[XT_EXTENSION_MAXNAMELEN] = '\0';
		capbuf_add(&line, " -m ", 4);
		capbuf_add(&line, name, strlen(name));
		bool ok = save_match(&line, name, m->data, ms - sizeof(*m));
		decoded &= ok;
		capbuf_add(out, off == sizeof(*e) ? "{" : ",{", off == sizeof(*e) ? 1 : 2);
		struct jw mw = { .cb = out };
		jw_bytes(&mw, "name", name, strlen(name));
		jw_int(&mw, "revision", m->u.user.revision);
		jw_bool(&mw, "decoded", ok);
		jw_hex(&mw, "hex", m->data, ms - sizeof(*m));
		capbuf_add(out, "}", 1);
		off += ms;
	}
	capbuf_add(out, "]", 1);
	const struct xt_entry_target *t = (const void *)((const char *)e + e->target_offset);
	size_t tdata = t->u.target_size - sizeof(*t);
	char tname[XT_EXTENSION_MAXNAMELEN + 1];
	memcpy(tname, t->u.user.name, XT_EXTENSION_MAXNAMELEN);
	tname[XT_EXTENSION_MAXNAMELEN] = '\0';
	const char *jump = NULL;
	if (tname[0] == '\0' && tdata >= sizeof(int)) {
		int v;
		memcpy(&v, t->data, sizeof(v));
		jump = verdict_name(v);
		for (size_t i = 0; !jump && v >= 0 && i < nch; i++)
			if (!ch[i].builtin && ch[i].off == (unsigned)v)
				jump = ch[i].name;
		if (!jump)
			decoded = false;
	} else if (tname[0]) {
		jump = tname;
	}
	if (jump && *jump) {
		capbuf_add(&line, e->ip.flags & IPT_F_GOTO ? " -g " : " -j ", 4);
		capbuf_add(&line, jump, strlen(jump));
		jw_bytes(&w, "target", jump, strlen(jump));
	}
	if (!strcmp(tname, "REJECT") && tdata >= sizeof(struct ipt_reject_info)) {
		static const char *const with[] = { "icmp-net-unreachable", "icmp-host-unreachable",
			"icmp-proto-unreachable", "icmp-port-unreachable", "icmp-echo-reply",
			"icmp-net-prohibited", "icmp-host-prohibited", "tcp-reset", "icmp-admin-prohibited" };
		struct ipt_reject_info ri;
		memcpy(&ri, t->data, sizeof(ri));
		if (ri.with < sizeof(with) / sizeof(with[0])) {
			capbuf_add(&line, " --reject-with ", 15);
			capbuf_add(&line, with[ri.with], strlen(with[ri.with]));
		} else {
			decoded = false;
		}
	} else if (tname[0]) {
		decoded = false;
	}
	jw_hex(&w, "target_hex", t->data, tdata);
	jw_bool(&w, "decoded", decoded);
	if (!decoded)
		capbuf_add(&line, " # irsnap: options not decoded (see the JSON)", 46);
	jw_bytes(&w, "save", line.buf ? line.buf : "", line.len);
	jw_end(&w);
	capbuf_add(&line, "\n", 1);
	capbuf_add(s, line.buf, line.len);
	capbuf_release(&line);
}

/* Whether the entry at `off` has the ERROR target (a user chain's header,
 * or the table's end). */
static bool is_error(const char *b, unsigned off)
{
	const struct ipt_entry *e = (const void *)(b + off);
	const struct xt_entry_target *t = (const void *)((const char *)e + e->target_offset);
	return strncmp(t->u.user.name, XT_ERROR_TARGET, XT_EXTENSION_MAXNAMELEN) == 0;
}

#define MAX_CHAINS 65536
#define MAX_ENTRIES (1u << 22)

int xtables_parse(int af, const void *buf, size_t len, struct capbuf *save, struct capbuf *out)
{
	struct ipt_getinfo info;

	if (af != AF_INET || len < sizeof(info))
		return -EINVAL;
	memcpy(&info, buf, sizeof(info));
	info.name[sizeof(info.name) - 1] = '\0';
	const char *blob = (const char *)buf + sizeof(info);
	size_t size = len - sizeof(info) < info.size ? len - sizeof(info) : info.size;
	/* entries must be aligned as the kernel made them: copy into aligned memory */
	char *b = malloc(size + 1);
	unsigned *offs = malloc(sizeof(*offs) * 1024);
	size_t noffs = 0, aoffs = 1024;
	struct xt_chain *ch = calloc(MAX_CHAINS < 1024 ? MAX_CHAINS : 1024, sizeof(*ch));
	size_t nch = 0, ach = 1024;
	int ret = 0;
	if (!b || !offs || !ch) {
		ret = -ENOMEM;
		goto out;
	}
	memcpy(b, blob, size);
	for (size_t off = 0; off + sizeof(struct ipt_entry) <= size && noffs < MAX_ENTRIES;) {
		const struct ipt_entry *e = (const void *)(b + off);
		/* the kernel aligns every entry, match and target (XT_ALIGN) */
		if (off % XT_ALIGN(1) || e->next_offset % XT_ALIGN(1) ||
		    e->target_offset % XT_ALIGN(1) || e->next_offset < sizeof(*e) ||
		    e->target_offset < sizeof(*e) ||
		    e->target_offset + sizeof(struct xt_entry_target) > e->next_offset ||
		    off + e->next_offset > size) {
			ret = -EINVAL;
			break;
		}
		const struct xt_entry_target *t = (const void *)((const char *)e + e->target_offset);
		if (t->u.target_size < sizeof(*t) || e->target_offset + t->u.target_size > e->next_offset) {
			ret = -EINVAL;
			break;
		}
		if (noffs == aoffs) {
			unsigned *n = realloc(offs, sizeof(*offs) * aoffs * 2);
			if (!n) { ret = -ENOMEM; break; }
			offs = n;
			aoffs *= 2;
		}
		offs[noffs++] = (unsigned)off;
		off += e->next_offset;
	}
	/* chains: built in at the hook entries, user ones after an ERROR header */
	for (size_t i = 0; ret == 0 && i < noffs; i++) {
		const struct xt_entry_target *t = (const void *)(b + offs[i] +
			((const struct ipt_entry *)(const void *)(b + offs[i]))->target_offset);
		struct xt_chain c = { 0 };
		for (int h = 0; h < NF_INET_NUMHOOKS; h++)
			if ((info.valid_hooks & (1u << h)) && info.hook_entry[h] == offs[i] && !c.builtin) {
				c.builtin = h + 1;
				c.off = offs[i];
				snprintf(c.name, sizeof(c.name), "%s", hook_chain[h]);
				for (size_t k = i; k < noffs; k++)
					if (offs[k] == info.underflow[h])
						c.policy = (const void *)(b + offs[k]);
			}
		if (!c.builtin && is_error(b, offs[i]) && i + 1 < noffs &&
		    t->u.target_size >= sizeof(struct xt_error_target)) {
			const struct xt_error_target *et = (const void *)t;
			c.off = offs[i + 1];
			memcpy(c.name, et->errorname, XT_FUNCTION_MAXNAMELEN);
			c.name[XT_FUNCTION_MAXNAMELEN] = '\0';
		}
		if (!c.name[0])
			continue;
		if (nch == ach) {
			if (ach >= MAX_CHAINS)
				break;
			struct xt_chain *n = realloc(ch, sizeof(*ch) * ach * 2);
			if (!n) { ret = -ENOMEM; break; }
			ch = n;
			ach *= 2;
		}
		ch[nch++] = c;
	}
	if (ret == 0) {
		char line[160];
		snprintf(line, sizeof(line), "*%s\n", info.name);
		capbuf_add(save, line, strlen(line));
		qsort(ch, nch, sizeof(*ch), chain_cmp);
		for (size_t i = 0; i < nch; i++) {
			const struct ipt_entry *p = ch[i].policy;
			const char *pol = "-";
			if (p) {
				const struct xt_entry_target *t = (const void *)((const char *)p + p->target_offset);
				int v = 0;
				if (t->u.target_size >= sizeof(*t) + sizeof(int))
					memcpy(&v, t->data, sizeof(v));
				pol = verdict_name(v) ? verdict_name(v) : "-";
			}
			snprintf(line, sizeof(line), ":%s %s [%llu:%llu]\n", ch[i].name, pol,
				 p ? (unsigned long long)p->counters.pcnt : 0ULL,
				 p ? (unsigned long long)p->counters.bcnt : 0ULL);
			capbuf_add(save, line, strlen(line));
		}
		for (size_t i = 0; i < nch; i++) {
			unsigned num = 0;
			/* the chain's first entry (offsets rise): each entry is
			 * then visited once in all, kube-proxy's 10^4 chains too */
			size_t lo = 0, hi = noffs;
			while (lo < hi) {
				size_t mid = lo + (hi - lo) / 2;
				if (offs[mid] < ch[i].off)
					lo = mid + 1;
				else
					hi = mid;
			}
			for (size_t k = lo; k < noffs; k++) {
				const struct ipt_entry *e = (const void *)(b + offs[k]);
				bool end = ch[i].builtin ? e == ch[i].policy || !ch[i].policy
					: is_error(b, offs[k]) || k + 1 == noffs || is_error(b, offs[k + 1]);
				if (end)
					break;   /* the policy, or a user chain's implicit RETURN */
				one_rule(info.name, ch, nch, &ch[i], e, ++num, save, out);
			}
		}
		capbuf_add(save, "COMMIT\n", 7);
	}
out:
	free(b);
	free(offs);
	free(ch);
	return ret;
}
