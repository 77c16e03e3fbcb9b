/*
 * netlink_socks.c - volatile/netlink.jsonl: every netlink socket of every
 * network namespace, with its owners (issue 14, item 6).
 *
 * A process-event watcher (a NETLINK_CONNECTOR socket joined to the proc
 * connector's group) let malware see irsnap start and kill its payload;
 * netlink sockets were in no record. From /proc/<pid>/net/netlink: the
 * protocol, the port id (0: the kernel's own), the multicast groups, the
 * queues and drops, the inode, and the processes holding it (the run's fd
 * walk); `proc_events_listener` marks a connector socket in the proc
 * group (CN_IDX_PROC, group 1).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "jsonw.h"
#include "netsock.h"
#include "netsrc.h"
#include "procfs.h"
#include "source.h"
#include "banned.h"

struct nl_ctx {
	struct run *r;
	uint64_t netns;
	struct capbuf *out;
	unsigned n, listeners;
};

static int one(void *ctx, const struct nl_sock *s)
{
	struct nl_ctx *c = ctx;
	const char *name = netlink_proto_name(s->protocol);
	struct capbuf owners;
	char groups[16];
	struct jw w;

	capbuf_init(&owners, 1u << 20);
	sock_owners_json(c->r, s->inode, &owners, NULL);
	snprintf(groups, sizeof(groups), "0x%08x", s->groups);
	bool listener = s->protocol == 11 && (s->groups & 1u) && s->portid != 0;
	jw_begin(&w, c->out);
	jw_int(&w, "netns", (int64_t)c->netns);
	jw_int(&w, "protocol", s->protocol);
	jw_str(&w, "protocol_name", name);
	jw_int(&w, "portid", s->portid);
	jw_bool(&w, "kernel", s->portid == 0);
	jw_str(&w, "groups", groups);
	jw_bool(&w, "proc_events_listener", listener);
	jw_int(&w, "rmem", s->rmem);
	jw_int(&w, "wmem", s->wmem);
	jw_int(&w, "drops", s->drops);
	jw_int(&w, "inode", (int64_t)s->inode);
	jw_raw(&w, "owners", owners.buf ? owners.buf : "[]");
	jw_end(&w);
	capbuf_release(&owners);
	c->n++;
	c->listeners += listener;
	return 0;
}

int netlink_socks(struct run *r, const struct ns_tables *t, struct capbuf *out)
{
	char member[128], src[80];
	unsigned bad = 0;
	struct nl_ctx c = { .r = r, .netns = t->inode, .out = out };

	snprintf(src, sizeof(src), "/proc/%d/net/netlink", t->pid);
	if (t->netlink_err < 0 && t->netlink_err != -E2BIG) {
		if (t->netlink_err != -ENOENT)
			run_log(r, "sockets: cannot read '%s': %s", src, strerror(-t->netlink_err));
		return 0;
	}
	net_proc_parse_netlink(t->netlink.buf ? t->netlink.buf : "", t->netlink.len, one, &c, &bad);
	run_log(r, "sockets: netns %llu: %u netlink sockets, %u listening to process events%s",
		(unsigned long long)t->inode, c.n, c.listeners, bad ? " (malformed lines skipped)" : "");
	snprintf(member, sizeof(member), "volatile/proc-net/%llu/netlink", (unsigned long long)t->inode);
	return run_emit_copy(r, "sockets", member, src, &t->netlink);
}
