/*
 * netsrc.h - what the sockets source's files share (sources/net).
 */
#ifndef IRSNAP_NETSRC_H
#define IRSNAP_NETSRC_H

#include <stdint.h>

#include "capbuf.h"
#include "netsock.h"
#include "run.h"

/* The socket tables the sockets source reads, in the order it writes them. */
enum { NET_TABLES = 10 };
struct net_table {
	const char *name;
	enum sock_kind kind;
	int family;
};
extern const struct net_table net_tables[NET_TABLES];

/* One network namespace's socket tables as the core read them (net_core.c):
 * the /proc/<pid>/net files raw, and the sock_diag view decoded. */
struct ns_tables {
	uint64_t inode;
	int pid;                          /* a process inside it */
	struct capbuf raw[NET_TABLES];
	int err[NET_TABLES];              /* 0, -E2BIG (cut at the cap) or -errno */
	struct capbuf netlink;            /* /proc/<pid>/net/netlink */
	int netlink_err;
	struct sockvec nv;                /* the netlink view */
	bool entered;                     /* the netlink view could be read */
	bool read;                        /* the core got to it (not stopped) */
};

struct net_core {
	struct ns_tables *ns;
	size_t nns;
	uint64_t self_ns;
};

/* src_net_core (source.h): the core walk, then the tables of every
 * namespace, into r->snap.sockets. */

/* The JSON array [{pid, fd, comm}] of the processes that hold socket inode
 * `ino` open (the run's one fd walk, fdwalk.h); with `view`, the first as
 * "pid/comm" for the text view. */
void sock_owners_json(struct run *r, uint64_t ino, struct capbuf *out, struct capbuf *view);
/* The netlink sockets of one namespace, from the /proc/<pid>/net/netlink
 * the core read (copied raw too), as JSON Lines into `out`
 * (netlink_socks.c). 0, or an archiving error. */
int netlink_socks(struct run *r, const struct ns_tables *t, struct capbuf *out);
/* The firewall and conntrack of the namespace irsnap is in (net_filter.c):
 * `pid` a process inside it, `ino` its inode. 0, or an archiving error. */
int netfilter_ns(struct run *r, int procfd, int pid, uint64_t ino);

#endif
