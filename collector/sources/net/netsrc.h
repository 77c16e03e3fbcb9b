/*
 * netsrc.h - what the sockets source's files share (sources/net).
 */
#ifndef IRSNAP_NETSRC_H
#define IRSNAP_NETSRC_H

#include <stdint.h>

#include "capbuf.h"
#include "run.h"

/* The JSON array [{pid, fd, comm}] of the processes that hold socket inode
 * `ino` open (the run's one fd walk, fdwalk.h); with `view`, the first as
 * "pid/comm" for the text view. */
void sock_owners_json(struct run *r, uint64_t ino, struct capbuf *out, struct capbuf *view);
/* The netlink sockets of one namespace, read through a process inside it
 * (/proc/<pid>/net/netlink, copied raw too), as JSON Lines into `out`
 * (netlink_socks.c). 0, or an archiving error. */
int netlink_socks(struct run *r, int procfd, int pid, uint64_t netns, struct capbuf *out);
/* The firewall and conntrack of the namespace irsnap is in (net_filter.c):
 * `pid` a process inside it, `ino` its inode. 0, or an archiving error. */
int netfilter_ns(struct run *r, int procfd, int pid, uint64_t ino);

#endif
