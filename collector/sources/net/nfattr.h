/*
 * nfattr.h - netlink attributes (struct nlattr) of netfilter's replies,
 * read as the kernel wrote them and as a fuzzer may: an attribute whose
 * length runs past its buffer ends the walk; a getter whose payload is too
 * short gives 0. Values are big-endian on the wire (NLA_F_NET_BYTEORDER).
 */
#ifndef IRSNAP_NFATTR_H
#define IRSNAP_NFATTR_H

#include <endian.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "capbuf.h"
#include "nlquery.h"

#define NFA_MAX 64

/* tb[type] = the last attribute of that type in (p, len); types above max
 * are left out. */
static inline void nfa_table(const void *p, size_t len, const struct nlattr **tb, unsigned max)
{
	memset(tb, 0, (max + 1) * sizeof(*tb));
	while (len >= NLA_HDRLEN) {
		const struct nlattr *a = p;
		if (a->nla_len < NLA_HDRLEN || a->nla_len > len)
			break;
		unsigned t = a->nla_type & NLA_TYPE_MASK;
		if (t <= max)
			tb[t] = a;
		size_t step = NLA_ALIGN(a->nla_len);
		if (step >= len)
			break;
		p = (const char *)p + step;
		len -= step;
	}
}

static inline const void *nfa_data(const struct nlattr *a) { return (const char *)a + NLA_HDRLEN; }
static inline size_t nfa_len(const struct nlattr *a) { return a ? a->nla_len - NLA_HDRLEN : 0; }

static inline uint8_t nfa_u8(const struct nlattr *a)
{
	return a && nfa_len(a) >= 1 ? *(const uint8_t *)nfa_data(a) : 0;
}

static inline uint16_t nfa_be16(const struct nlattr *a)
{
	uint16_t v = 0;
	if (a && nfa_len(a) >= 2)
		memcpy(&v, nfa_data(a), 2);
	return be16toh(v);
}

static inline uint32_t nfa_be32(const struct nlattr *a)
{
	uint32_t v = 0;
	if (a && nfa_len(a) >= 4)
		memcpy(&v, nfa_data(a), 4);
	return be32toh(v);
}

static inline uint64_t nfa_be64(const struct nlattr *a)
{
	uint64_t v = 0;
	if (a && nfa_len(a) >= 8)
		memcpy(&v, nfa_data(a), 8);
	return be64toh(v);
}

/* A string attribute's bytes, up to its NUL. */
static inline size_t nfa_strlen(const struct nlattr *a)
{
	return a ? strnlen(nfa_data(a), nfa_len(a)) : 0;
}

/* The nested attributes of a. */
static inline void nfa_nested(const struct nlattr *a, const struct nlattr **tb, unsigned max)
{
	nfa_table(a ? nfa_data(a) : NULL, nfa_len(a), tb, max);
}

/* The attributes after the nfgenmsg of a netfilter message; its family. */
static inline int nfa_message(const struct nlmsghdr *h, const struct nlattr **tb, unsigned max)
{
	size_t hl = NLMSG_LENGTH(sizeof(struct nfgenmsg));
	if (h->nlmsg_len < hl) {
		memset(tb, 0, (max + 1) * sizeof(*tb));
		return -1;
	}
	const struct nfgenmsg *g = NLMSG_DATA(h);
	nfa_table((const char *)h + NLMSG_ALIGN(hl), h->nlmsg_len - NLMSG_ALIGN(hl), tb, max);
	return g->nfgen_family;
}

/* A dump's callback that keeps every message as it came (nlmsghdr-aligned,
 * zero-padded) in `raw` before `cb` decodes it. */
struct nf_tap {
	struct capbuf *raw;
	nl_cb cb;
	void *ctx;
};

static inline int nf_tap_message(const struct nlmsghdr *h, void *ctx)
{
	static const char zero[NLMSG_ALIGNTO];
	struct nf_tap *t = ctx;

	capbuf_add(t->raw, h, h->nlmsg_len);
	capbuf_add(t->raw, zero, NLMSG_ALIGN(h->nlmsg_len) - h->nlmsg_len);
	return t->cb(h, t->ctx);
}

#endif
