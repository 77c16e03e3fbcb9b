/*
 * nftables.c - the nf_tables ruleset of one network namespace (netfilter.h):
 * what `nft list ruleset` shows, from NFT_MSG_GET* dumps (tables, chains,
 * sets and each set's elements, rules, stateful objects, flow tables).
 * Only GET requests are sent, never their _RESET forms (which zero
 * counters). Records are one per object, "kind" naming it; a rule's
 * expressions are listed by name with their attributes in hex (verdicts
 * and counters decoded), and the messages themselves are kept raw: a
 * reader with libnftnl decodes every expression from them.
 */
#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "jsonw.h"
#include "netfilter.h"
#include "nfattr.h"
#include "nlquery.h"
#include "textutil.h"
#include "vec.h"
#include "banned.h"

static const char *family_name(int f)
{
	switch (f) {
	case NFPROTO_INET: return "inet";
	case NFPROTO_IPV4: return "ip";
	case NFPROTO_ARP: return "arp";
	case NFPROTO_NETDEV: return "netdev";
	case NFPROTO_BRIDGE: return "bridge";
	case NFPROTO_IPV6: return "ip6";
	default: return "unknown";
	}
}

static const char *hook_name(int family, unsigned h)
{
	static const char *const ip[] = { "prerouting", "input", "forward", "output", "postrouting",
					  "ingress" };
	if (family == NFPROTO_NETDEV)
		return h == 0 ? "ingress" : h == 1 ? "egress" : NULL;
	if (family == NFPROTO_ARP)
		return h == 0 ? "input" : h == 1 ? "output" : h == 2 ? "forward" : NULL;
	return h < sizeof(ip) / sizeof(ip[0]) ? ip[h] : NULL;
}

static void put_str(struct jw *w, const char *key, const struct nlattr *a)
{
	if (a)
		jw_bytes(w, key, nfa_data(a), nfa_strlen(a));
}

/* "attrs":[{"type","hex"}] of the attributes tb[from..NFA_MAX]. */
static void put_attrs(struct jw *w, const struct nlattr *const *tb, unsigned from)
{
	bool first = true;

	jw_key(w, "attrs");
	capbuf_add(w->cb, "[", 1);
	for (unsigned t = from; t <= NFA_MAX; t++) {
		if (!tb[t])
			continue;
		capbuf_add(w->cb, first ? "{" : ",{", first ? 1 : 2);
		first = false;
		struct jw a = { .cb = w->cb };
		jw_int(&a, "type", t);
		jw_hex(&a, "hex", nfa_data(tb[t]), nfa_len(tb[t]));
		capbuf_add(w->cb, "}", 1);
	}
	capbuf_add(w->cb, "]", 1);
}

static void begin(struct jw *w, struct capbuf *out, const char *kind, int family,
		  const struct nlattr *table)
{
	jw_begin(w, out);
	jw_str(w, "kind", kind);
	jw_str(w, "family", family_name(family));
	put_str(w, "table", table);
}

/* NFTA_DATA_VERDICT: "verdict" (and "chain" for jump and goto). */
static void put_verdict(struct jw *w, const struct nlattr *data)
{
	const struct nlattr *d[NFTA_DATA_MAX + 1], *v[NFTA_VERDICT_MAX + 1];
	nfa_nested(data, d, NFTA_DATA_MAX);
	if (!d[NFTA_DATA_VERDICT]) {
		if (d[NFTA_DATA_VALUE])
			jw_hex(w, "value", nfa_data(d[NFTA_DATA_VALUE]), nfa_len(d[NFTA_DATA_VALUE]));
		return;
	}
	nfa_nested(d[NFTA_DATA_VERDICT], v, NFTA_VERDICT_MAX);
	int32_t code = (int32_t)nfa_be32(v[NFTA_VERDICT_CODE]);
	const char *name = code == NF_DROP ? "drop" : code == NF_ACCEPT ? "accept" :
		code == NF_QUEUE ? "queue" : code == NFT_CONTINUE ? "continue" :
		code == NFT_BREAK ? "break" : code == NFT_JUMP ? "jump" :
		code == NFT_GOTO ? "goto" : code == NFT_RETURN ? "return" : NULL;
	if (name)
		jw_str(w, "verdict", name);
	else
		jw_int(w, "verdict", code);
	put_str(w, "chain", v[NFTA_VERDICT_CHAIN]);
}

/* One expression: {"name", its decoded fields, "attrs":[{"type","hex"}]}. */
static void put_expr(struct capbuf *out, const struct nlattr *e)
{
	const struct nlattr *tb[NFTA_EXPR_MAX + 1];
	struct jw w = { .cb = out };

	nfa_nested(e, tb, NFTA_EXPR_MAX);
	capbuf_add(out, "{", 1);
	put_str(&w, "name", tb[NFTA_EXPR_NAME]);
	const char *name = tb[NFTA_EXPR_NAME] ? nfa_data(tb[NFTA_EXPR_NAME]) : "";
	size_t nl = nfa_strlen(tb[NFTA_EXPR_NAME]);
	const struct nlattr *d[NFA_MAX + 1];
	nfa_nested(tb[NFTA_EXPR_DATA], d, NFA_MAX);
	if (nl == 9 && memcmp(name, "immediate", 9) == 0 && d[NFTA_IMMEDIATE_DATA]) {
		put_verdict(&w, d[NFTA_IMMEDIATE_DATA]);
	} else if (nl == 7 && memcmp(name, "counter", 7) == 0) {
		jw_int(&w, "packets", (int64_t)nfa_be64(d[NFTA_COUNTER_PACKETS]));
		jw_int(&w, "bytes", (int64_t)nfa_be64(d[NFTA_COUNTER_BYTES]));
	}
	put_attrs(&w, d, 0);
	capbuf_add(out, "}", 1);
}

/* The comment in a rule's user data (libnftnl's TLV: type 0). */
static void put_comment(struct jw *w, const struct nlattr *u)
{
	const unsigned char *p = u ? nfa_data(u) : NULL;
	size_t n = nfa_len(u);
	for (size_t i = 0; p && i + 2 <= n; i += 2 + p[i + 1]) {
		if (i + 2 + p[i + 1] > n)
			break;
		if (p[i] == 0) {
			jw_bytes(w, "comment", (const char *)p + i + 2, strnlen((const char *)p + i + 2, p[i + 1]));
			return;
		}
	}
}

static void rule_msg(struct capbuf *out, int fam, const struct nlattr **tb)
{
	struct jw w;
	begin(&w, out, "rule", fam, tb[NFTA_RULE_TABLE]);
	put_str(&w, "chain", tb[NFTA_RULE_CHAIN]);
	jw_int(&w, "handle", (int64_t)nfa_be64(tb[NFTA_RULE_HANDLE]));
	if (tb[NFTA_RULE_POSITION])
		jw_int(&w, "position", (int64_t)nfa_be64(tb[NFTA_RULE_POSITION]));
	put_comment(&w, tb[NFTA_RULE_USERDATA]);
	jw_key(&w, "expr");
	capbuf_add(out, "[", 1);
	const struct nlattr *l = tb[NFTA_RULE_EXPRESSIONS];
	const char *p = l ? nfa_data(l) : NULL;
	size_t n = nfa_len(l), k = 0;
	while (p && n >= NLA_HDRLEN) {
		const struct nlattr *e = (const struct nlattr *)p;
		if (e->nla_len < NLA_HDRLEN || e->nla_len > n)
			break;
		if ((e->nla_type & NLA_TYPE_MASK) == NFTA_LIST_ELEM) {
			if (k++)
				capbuf_add(out, ",", 1);
			put_expr(out, e);
		}
		size_t step = NLA_ALIGN(e->nla_len);
		if (step >= n)
			break;
		p += step;
		n -= step;
	}
	capbuf_add(out, "]", 1);
	if (tb[NFTA_RULE_USERDATA])
		jw_hex(&w, "userdata_hex", nfa_data(tb[NFTA_RULE_USERDATA]), nfa_len(tb[NFTA_RULE_USERDATA]));
	jw_end(&w);
}

static void table_msg(struct capbuf *out, int fam, const struct nlattr **tb)
{
	struct jw w;
	begin(&w, out, "table", fam, NULL);
	put_str(&w, "name", tb[NFTA_TABLE_NAME]);
	jw_int(&w, "handle", (int64_t)nfa_be64(tb[NFTA_TABLE_HANDLE]));
	jw_int(&w, "flags", nfa_be32(tb[NFTA_TABLE_FLAGS]));
	jw_int(&w, "use", nfa_be32(tb[NFTA_TABLE_USE]));
	if (tb[NFTA_TABLE_OWNER])
		jw_int(&w, "owner", nfa_be32(tb[NFTA_TABLE_OWNER]));
	jw_end(&w);
}

static void chain_msg(struct capbuf *out, int fam, const struct nlattr **tb)
{
	const struct nlattr *h[NFTA_HOOK_MAX + 1], *c[NFTA_COUNTER_MAX + 1];
	struct jw w;

	begin(&w, out, "chain", fam, tb[NFTA_CHAIN_TABLE]);
	put_str(&w, "name", tb[NFTA_CHAIN_NAME]);
	jw_int(&w, "handle", (int64_t)nfa_be64(tb[NFTA_CHAIN_HANDLE]));
	put_str(&w, "type", tb[NFTA_CHAIN_TYPE]);
	if (tb[NFTA_CHAIN_HOOK]) {
		nfa_nested(tb[NFTA_CHAIN_HOOK], h, NFTA_HOOK_MAX);
		unsigned hn = nfa_be32(h[NFTA_HOOK_HOOKNUM]);
		const char *name = hook_name(fam, hn);
		if (name)
			jw_str(&w, "hook", name);
		else
			jw_int(&w, "hook", hn);
		jw_int(&w, "prio", (int32_t)nfa_be32(h[NFTA_HOOK_PRIORITY]));
		put_str(&w, "dev", h[NFTA_HOOK_DEV]);
	}
	if (tb[NFTA_CHAIN_POLICY]) {
		uint32_t p = nfa_be32(tb[NFTA_CHAIN_POLICY]);
		jw_str(&w, "policy", p == NF_ACCEPT ? "accept" : p == NF_DROP ? "drop" : "other");
	}
	if (tb[NFTA_CHAIN_COUNTERS]) {
		nfa_nested(tb[NFTA_CHAIN_COUNTERS], c, NFTA_COUNTER_MAX);
		jw_int(&w, "packets", (int64_t)nfa_be64(c[NFTA_COUNTER_PACKETS]));
		jw_int(&w, "bytes", (int64_t)nfa_be64(c[NFTA_COUNTER_BYTES]));
	}
	jw_int(&w, "use", nfa_be32(tb[NFTA_CHAIN_USE]));
	jw_end(&w);
}

static void set_msg(struct capbuf *out, int fam, const struct nlattr **tb)
{
	struct jw w;
	begin(&w, out, "set", fam, tb[NFTA_SET_TABLE]);
	put_str(&w, "name", tb[NFTA_SET_NAME]);
	jw_int(&w, "handle", (int64_t)nfa_be64(tb[NFTA_SET_HANDLE]));
	jw_int(&w, "flags", nfa_be32(tb[NFTA_SET_FLAGS]));
	jw_int(&w, "key_type", nfa_be32(tb[NFTA_SET_KEY_TYPE]));
	jw_int(&w, "key_len", nfa_be32(tb[NFTA_SET_KEY_LEN]));
	if (tb[NFTA_SET_DATA_TYPE]) {
		jw_int(&w, "data_type", nfa_be32(tb[NFTA_SET_DATA_TYPE]));
		jw_int(&w, "data_len", nfa_be32(tb[NFTA_SET_DATA_LEN]));
	}
	if (tb[NFTA_SET_TIMEOUT])
		jw_int(&w, "timeout_ms", (int64_t)nfa_be64(tb[NFTA_SET_TIMEOUT]));
	jw_end(&w);
}

/* NFTA_SET_ELEM_LIST: one record per element, key (and data) in hex. */
static void elems_msg(struct capbuf *out, int fam, const struct nlattr **tb)
{
	const struct nlattr *l = tb[NFTA_SET_ELEM_LIST_ELEMENTS];
	const char *p = l ? nfa_data(l) : NULL;
	size_t n = nfa_len(l);

	while (p && n >= NLA_HDRLEN) {
		const struct nlattr *e = (const struct nlattr *)p, *el[NFTA_SET_ELEM_MAX + 1];
		if (e->nla_len < NLA_HDRLEN || e->nla_len > n)
			break;
		nfa_nested(e, el, NFTA_SET_ELEM_MAX);
		struct jw w;
		begin(&w, out, "element", fam, tb[NFTA_SET_ELEM_LIST_TABLE]);
		put_str(&w, "set", tb[NFTA_SET_ELEM_LIST_SET]);
		const struct nlattr *k[NFTA_DATA_MAX + 1];
		nfa_nested(el[NFTA_SET_ELEM_KEY], k, NFTA_DATA_MAX);
		if (k[NFTA_DATA_VALUE])
			jw_hex(&w, "key", nfa_data(k[NFTA_DATA_VALUE]), nfa_len(k[NFTA_DATA_VALUE]));
		nfa_nested(el[NFTA_SET_ELEM_KEY_END], k, NFTA_DATA_MAX);
		if (k[NFTA_DATA_VALUE])
			jw_hex(&w, "key_end", nfa_data(k[NFTA_DATA_VALUE]), nfa_len(k[NFTA_DATA_VALUE]));
		if (el[NFTA_SET_ELEM_DATA]) {
			jw_key(&w, "data");
			capbuf_add(out, "{", 1);
			struct jw d = { .cb = out };
			put_verdict(&d, el[NFTA_SET_ELEM_DATA]);
			capbuf_add(out, "}", 1);
		}
		if (el[NFTA_SET_ELEM_FLAGS])
			jw_int(&w, "flags", nfa_be32(el[NFTA_SET_ELEM_FLAGS]));
		if (el[NFTA_SET_ELEM_EXPIRATION])
			jw_int(&w, "expires_ms", (int64_t)nfa_be64(el[NFTA_SET_ELEM_EXPIRATION]));
		jw_end(&w);
		size_t step = NLA_ALIGN(e->nla_len);
		if (step >= n)
			break;
		p += step;
		n -= step;
	}
}

/* A stateful object or a flow table: its names and attributes in hex. */
static void other_msg(struct capbuf *out, int fam, const char *kind, const struct nlattr **tb)
{
	struct jw w;
	begin(&w, out, kind, fam, tb[1]);       /* NFTA_OBJ_TABLE, NFTA_FLOWTABLE_TABLE */
	put_str(&w, "name", tb[2]);             /* NFTA_OBJ_NAME, NFTA_FLOWTABLE_NAME */
	put_attrs(&w, tb, 3);
	jw_end(&w);
}

struct nft_ctx {
	struct capbuf *out;
	/* the sets seen, for their elements: "family\0table\0name\0" */
	struct capbuf sets;
	size_t nsets;
};

static int nft_message(const struct nlmsghdr *h, void *vctx)
{
	struct nft_ctx *c = vctx;
	const struct nlattr *tb[NFA_MAX + 1];

	if ((h->nlmsg_type >> 8) != NFNL_SUBSYS_NFTABLES)
		return 0;
	int fam = nfa_message(h, tb, NFA_MAX);
	if (fam < 0)
		return 0;
	switch (h->nlmsg_type & 0xff) {
	case NFT_MSG_NEWTABLE: table_msg(c->out, fam, tb); break;
	case NFT_MSG_NEWCHAIN: chain_msg(c->out, fam, tb); break;
	case NFT_MSG_NEWRULE: rule_msg(c->out, fam, tb); break;
	case NFT_MSG_NEWSET:
		set_msg(c->out, fam, tb);
		if (tb[NFTA_SET_TABLE] && tb[NFTA_SET_NAME] && c->nsets < 65536) {
			unsigned char f = (unsigned char)fam;
			capbuf_add(&c->sets, &f, 1);
			capbuf_add(&c->sets, nfa_data(tb[NFTA_SET_TABLE]), nfa_strlen(tb[NFTA_SET_TABLE]));
			capbuf_add(&c->sets, "", 1);
			capbuf_add(&c->sets, nfa_data(tb[NFTA_SET_NAME]), nfa_strlen(tb[NFTA_SET_NAME]));
			capbuf_add(&c->sets, "", 1);
			c->nsets++;
		}
		break;
	case NFT_MSG_NEWSETELEM: elems_msg(c->out, fam, tb); break;
	case NFT_MSG_NEWOBJ: other_msg(c->out, fam, "object", tb); break;
	case NFT_MSG_NEWFLOWTABLE: other_msg(c->out, fam, "flowtable", tb); break;
	default: break;
	}
	return 0;
}

int nftables_parse(const void *buf, size_t len, struct capbuf *out)
{
	struct nft_ctx c = { .out = out };
	capbuf_init(&c.sets, 1u << 20);
	int r = nl_parse(buf, len, nft_message, &c);
	capbuf_release(&c.sets);
	return r > 0 ? 0 : r;
}

static void add_str_attr(char *msg, size_t *len, size_t cap, unsigned type, const char *s)
{
	size_t n = strlen(s) + 1;
	struct nlattr a = { .nla_len = (uint16_t)(NLA_HDRLEN + n), .nla_type = (uint16_t)type };
	if (*len + NLA_ALIGN(a.nla_len) > cap)
		return;
	memcpy(msg + *len, &a, sizeof(a));
	memcpy(msg + *len + NLA_HDRLEN, s, n);
	memset(msg + *len + NLA_HDRLEN + n, 0, NLA_ALIGN(a.nla_len) - a.nla_len);
	*len += NLA_ALIGN(a.nla_len);
}

/* One GET dump; `table`/`set` name the set whose elements are asked. */
static int nft_get(struct nf_tap *t, unsigned msg, int family, const char *table, const char *set)
{
	union {
		struct nlmsghdr h;
		char b[1024];
	} req;
	size_t len = NLMSG_LENGTH(sizeof(struct nfgenmsg));

	memset(&req, 0, sizeof(req));
	struct nfgenmsg *g = NLMSG_DATA(&req.h);
	g->nfgen_family = (uint8_t)family;
	g->version = NFNETLINK_V0;
	if (table && set) {
		add_str_attr(req.b, &len, sizeof(req.b), NFTA_SET_ELEM_LIST_TABLE, table);
		add_str_attr(req.b, &len, sizeof(req.b), NFTA_SET_ELEM_LIST_SET, set);
	}
	req.h.nlmsg_len = (uint32_t)len;
	req.h.nlmsg_type = (uint16_t)((NFNL_SUBSYS_NFTABLES << 8) | msg);
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	return nl_query(NETLINK_NETFILTER, &req, len, nf_tap_message, t);
}

int nftables_dump(struct capbuf *raw, struct capbuf *out)
{
	static const unsigned msgs[] = { NFT_MSG_GETTABLE, NFT_MSG_GETCHAIN, NFT_MSG_GETSET,
		NFT_MSG_GETRULE, NFT_MSG_GETOBJ, NFT_MSG_GETFLOWTABLE };
	struct nft_ctx c = { .out = out };
	struct nf_tap t = { raw, nft_message, &c };
	int first = 0;

	capbuf_init(&c.sets, 1u << 20);
	for (size_t i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
		int e = nft_get(&t, msgs[i], NFPROTO_UNSPEC, NULL, NULL);
		if (e < 0 && !first)
			first = e;
	}
	/* the elements of each set: the names are the kernel's, NUL-free */
	const char *p = c.sets.buf, *end = p ? p + c.sets.len : NULL;
	while (p && p < end) {
		int fam = (unsigned char)*p++;
		const char *table = p;
		p += strlen(p) + 1;
		const char *set = p;
		p += strlen(p) + 1;
		if (p > end)
			break;
		int e = nft_get(&t, NFT_MSG_GETSETELEM, fam, table, set);
		if (e < 0 && e != -ENOENT && !first)
			first = e;
	}
	capbuf_release(&c.sets);
	return first;
}
