/*
 * nlquery.h - one netlink dump request, read to its end (netlink(7)).
 *
 * Shared by the socket diagnostics (NETLINK_SOCK_DIAG) and the network
 * configuration (NETLINK_ROUTE): open a socket of `protocol` in the current
 * network namespace, send `req` (a complete nlmsghdr + body with
 * NLM_F_REQUEST|NLM_F_DUMP), and hand every message to `cb` until
 * NLMSG_DONE. NLMSG_ERROR ends the dump with the kernel's -errno; a
 * callback's negative return ends it with that. 0 or -errno.
 */
#ifndef IRSNAP_NLQUERY_H
#define IRSNAP_NLQUERY_H

#include <linux/netlink.h>
#include <stddef.h>

typedef int (*nl_cb)(const struct nlmsghdr *h, void *ctx);

int nl_query(int protocol, void *req, size_t len, nl_cb cb, void *ctx);
/* The messages of one reply buffer (what the kernel sent, or a fuzzer):
 * 1 at NLMSG_DONE, 0 when the buffer ends first, or -errno (an
 * NLMSG_ERROR, a callback's error). `buf` is nlmsghdr-aligned. */
int nl_parse(const void *buf, size_t len, nl_cb cb, void *ctx);

#endif
