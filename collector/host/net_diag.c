/*
 * net_diag.c - sockets from the kernel through NETLINK_SOCK_DIAG
 * (sock_diag(7)): inet_diag for TCP, UDP, UDP-Lite and raw sockets, and
 * unix_diag with names, peers and queue lengths. This is what ss(8) asks,
 * asked in-process: no program is run.
 */
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netsock.h"
#include "nlquery.h"
#include "banned.h"

struct inet_ctx {
	enum sock_kind kind;
	struct sockvec *out;
};

static int inet_cb(const struct nlmsghdr *h, void *ctx)
{
	struct inet_ctx *c = ctx;
	const struct inet_diag_msg *m = NLMSG_DATA(h);

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
		return 0;
	struct sock_rec *s = sockvec_push(c->out);
	if (!s)
		return -ENOMEM;
	s->kind = c->kind;
	s->family = m->idiag_family;
	s->state = m->idiag_state;
	memcpy(s->src, m->id.idiag_src, m->idiag_family == AF_INET6 ? 16 : 4);
	memcpy(s->dst, m->id.idiag_dst, m->idiag_family == AF_INET6 ? 16 : 4);
	s->sport = ntohs(m->id.idiag_sport);
	s->dport = ntohs(m->id.idiag_dport);
	s->inode = m->idiag_inode;
	s->uid = m->idiag_uid;
	s->rxq = m->idiag_rqueue;
	s->txq = m->idiag_wqueue;
	s->timer = m->idiag_timer;
	s->timer_expires = m->idiag_expires;
	s->retrans = m->idiag_retrans;
	s->seen = SEEN_NETLINK;
	return 0;
}

int net_diag_inet(enum sock_kind kind, int family, struct sockvec *out)
{
	static const int proto[] = {
		[SK_TCP] = IPPROTO_TCP, [SK_UDP] = IPPROTO_UDP,
		[SK_UDPLITE] = IPPROTO_UDPLITE, [SK_RAW] = IPPROTO_RAW,
	};
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 r;
	} req;
	struct inet_ctx c = { .kind = kind, .out = out };

	if (kind > SK_RAW)
		return -EINVAL;
	memset(&req, 0, sizeof(req));
	req.nlh.nlmsg_len = sizeof(req);
	req.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.r.sdiag_family = (uint8_t)family;
	req.r.sdiag_protocol = (uint8_t)proto[kind];
	req.r.idiag_states = ~0U;
	if (kind == SK_RAW)
		req.r.pad = IPPROTO_RAW;   /* sdiag_raw_protocol: every raw socket */
	return nl_query(NETLINK_SOCK_DIAG, &req, sizeof(req), inet_cb, &c);
}

static int unix_cb(const struct nlmsghdr *h, void *ctx)
{
	struct sockvec *out = ctx;
	const struct unix_diag_msg *m = NLMSG_DATA(h);

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
		return 0;
	struct sock_rec *s = sockvec_push(out);
	if (!s)
		return -ENOMEM;
	s->kind = SK_UNIX;
	s->family = AF_UNIX;
	s->type = m->udiag_type;
	s->state = m->udiag_state;
	s->inode = m->udiag_ino;
	s->seen = SEEN_NETLINK;
	int len = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*m)));
	for (const struct nlattr *a = (const struct nlattr *)(m + 1);
	     len >= (int)sizeof(*a) && a->nla_len >= sizeof(*a) && a->nla_len <= (unsigned)len;
	     len -= NLA_ALIGN(a->nla_len),
	     a = (const struct nlattr *)((const char *)a + NLA_ALIGN(a->nla_len))) {
		const void *data = (const char *)a + NLA_HDRLEN;
		size_t dlen = a->nla_len - NLA_HDRLEN;
		switch (a->nla_type) {
		case UNIX_DIAG_NAME:
			free(s->path);
			s->path = malloc(dlen + 1);
			if (!s->path)
				return -ENOMEM;
			memcpy(s->path, data, dlen);
			s->path[dlen] = '\0';
			/* a pathname is a C string (the binder may count its NUL);
			 * an abstract name (leading NUL) keeps every byte */
			s->path_len = dlen && s->path[0] ? strnlen(s->path, dlen) : dlen;
			break;
		case UNIX_DIAG_PEER:
			if (dlen >= 4)
				s->peer_inode = *(const uint32_t *)data;
			break;
		case UNIX_DIAG_RQLEN:
			if (dlen >= sizeof(struct unix_diag_rqlen)) {
				const struct unix_diag_rqlen *q = data;
				s->rxq = q->udiag_rqueue;
				s->txq = q->udiag_wqueue;
			}
			break;
		default:
			break;
		}
	}
	return 0;
}

int net_diag_unix(struct sockvec *out)
{
	struct {
		struct nlmsghdr nlh;
		struct unix_diag_req r;
	} req;

	memset(&req, 0, sizeof(req));
	req.nlh.nlmsg_len = sizeof(req);
	req.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.r.sdiag_family = AF_UNIX;
	req.r.udiag_states = ~0U;
	req.r.udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_PEER | UDIAG_SHOW_RQLEN;
	return nl_query(NETLINK_SOCK_DIAG, &req, sizeof(req), unix_cb, out);
}

int net_diag_parse(const void *buf, size_t len, enum sock_kind kind, struct sockvec *out)
{
	struct inet_ctx c = { .kind = kind, .out = out };

	return kind == SK_UNIX ? nl_parse(buf, len, unix_cb, out) :
	       nl_parse(buf, len, inet_cb, &c);
}
