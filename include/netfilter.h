/*
 * netfilter.h - the firewall and connection-tracking state of the network
 * namespace irsnap is in (issue 18, items 3 and 4), read through
 * NETLINK_NETFILTER and the legacy iptables socket options, decoded by
 * irsnap itself (Debian ships no static libmnl for libnftnl to link).
 *
 * Each dump keeps the netlink messages exactly as the kernel sent them
 * (`raw`: a stream of nlmsghdr-aligned messages) and their decoding as
 * JSON Lines (`out`). The *_parse functions decode such a stream: what the
 * dumps use, and what the fuzz targets feed.
 */
#ifndef IRSNAP_NETFILTER_H
#define IRSNAP_NETFILTER_H

#include <stddef.h>

#include "capbuf.h"

/* ctnetlink: every conntrack entry of the namespace. 0 or -errno. */
int conntrack_dump(struct capbuf *raw, struct capbuf *out);
int conntrack_parse(const void *buf, size_t len, struct capbuf *out);

/* nf_tables: tables, chains, sets (with their elements), rules, objects,
 * flow tables. 0 or -errno (of the first dump that failed; the others
 * are still read). */
int nftables_dump(struct capbuf *raw, struct capbuf *out);
int nftables_parse(const void *buf, size_t len, struct capbuf *out);

/* Legacy x_tables: the table `name` ("filter") of family `fam`
 * (NFPROTO_IPV4, NFPROTO_IPV6, NFPROTO_ARP): its blob as *_SO_GET_ENTRIES
 * gives it, with the kernel's info header first (struct ipt_getinfo,
 * ip6t_getinfo or arpt_getinfo), into `raw`; 0 or -errno. */
int xtables_read(int fam, const char *name, struct capbuf *raw);
/* That blob as text (`save`: iptables-save -c's or ip6tables-save -c's
 * lines; for ARP, arptables-legacy -L -n -v -x's listing) and as JSON
 * Lines, one rule per line (`out`). 0, -EINVAL or -ENOMEM. */
int xtables_parse(int fam, const void *buf, size_t len, struct capbuf *save, struct capbuf *out);

#endif
