/*
 * net_core.c - the sockets source's share of the core (netsrc.h,
 * snapshot.h): after the core walk has named every network namespace and
 * every process's fds, each namespace's socket tables are read, and only
 * read: its /proc/<pid>/net files kept raw, its sock_diag dumps decoded
 * from inside it (setns). Parsing, merging and writing wait for the
 * sockets step, after the core window.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "corewalk.h"
#include "netsrc.h"
#include "procfs.h"
#include "source.h"
#include "vec.h"
#include "banned.h"

#define NET_TABLE_CAP (256u << 20)

const struct net_table net_tables[NET_TABLES] = {
	{ "tcp", SK_TCP, AF_INET }, { "tcp6", SK_TCP, AF_INET6 },
	{ "udp", SK_UDP, AF_INET }, { "udp6", SK_UDP, AF_INET6 },
	{ "udplite", SK_UDPLITE, AF_INET }, { "udplite6", SK_UDPLITE, AF_INET6 },
	{ "raw", SK_RAW, AF_INET }, { "raw6", SK_RAW, AF_INET6 },
	{ "unix", SK_UNIX, AF_UNIX }, { "packet", SK_PACKET, AF_PACKET },
};

/* The netlink view, from inside the namespace (setns needs CAP_SYS_ADMIN). */
static void netlink_view(struct run *r, int procfd, struct ns_tables *t, uint64_t self_ns)
{
	int back = -1, e = 0;

	if (t->inode != self_ns) {
		char path[64];
		snprintf(path, sizeof(path), "%d/ns/net", t->pid);
		int nsfd = openat(procfd, path, O_RDONLY | O_CLOEXEC);
		back = openat(procfd, "self/ns/net", O_RDONLY | O_CLOEXEC);
		if (nsfd < 0 || back < 0 || setns(nsfd, CLONE_NEWNET) < 0)
			e = -errno;
		if (nsfd >= 0)
			close(nsfd);
		if (e < 0) {
			run_log(r, "sockets: netns %llu: cannot enter it (%s): /proc view only",
				(unsigned long long)t->inode, strerror(-e));
			if (back >= 0)
				close(back);
			return;
		}
	}
	t->entered = true;
	for (size_t i = 0; i < NET_TABLES; i++) {
		if (net_tables[i].kind == SK_PACKET)
			continue;   /* packet_diag: not asked; /proc/net/packet is read */
		if (net_tables[i].kind == SK_UNIX)
			e = net_diag_unix(&t->nv);
		else
			e = net_diag_inet(net_tables[i].kind, net_tables[i].family, &t->nv);
		if (e < 0)
			run_log(r, "sockets: netns %llu: netlink %s: %s (the /proc view stands alone)",
				(unsigned long long)t->inode, net_tables[i].name, strerror(-e));
	}
	if (back >= 0) {
		if (setns(back, CLONE_NEWNET) < 0)
			run_log(r, "sockets: cannot return to irsnap's own network namespace: %s",
				strerror(errno));
		close(back);
	}
}

static void net_core_free(void *v)
{
	struct net_core *c = v;

	if (!c)
		return;
	for (size_t i = 0; i < c->nns; i++) {
		for (size_t k = 0; k < NET_TABLES; k++)
			capbuf_release(&c->ns[i].raw[k]);
		capbuf_release(&c->ns[i].netlink);
		sockvec_free(&c->ns[i].nv);
	}
	free(c->ns);
	free(c);
}

int src_net_core(struct run *r)
{
	struct snapshot *s = &r->snap;
	int procfd;
	struct net_core *c;

	if (s->sockets)
		return 0;
	procfd = proc_open_root();
	if (procfd < 0)
		return 0;   /* the sockets step says so */
	double t0 = run_elapsed(r);
	core_walk(r, procfd);
	double t1 = run_elapsed(r);
	/* the tables below are read on this core: the other is free for a
	 * process table the plan wants read (snapshot.h) */
	snapshot_idle_core(s);
	c = calloc(1, sizeof(*c));
	if (!c || !(c->ns = calloc(s->nnetns + 1, sizeof(*c->ns)))) {
		free(c);
		run_log(r, "sockets: out of memory: no socket table read");
		close(procfd);
		return 0;
	}
	unsigned long long self = 0;
	proc_ns_inode(procfd, "self/ns/net", &self);
	c->self_ns = self;
	/* irsnap's own namespace first, through irsnap itself */
	c->ns[c->nns++] = (struct ns_tables){ .inode = self, .pid = getpid() };
	for (size_t i = 0; i < s->nnetns; i++)
		if (s->netns[i].inode != self)
			c->ns[c->nns++] = (struct ns_tables){ .inode = s->netns[i].inode,
							       .pid = s->netns[i].pid };
	for (size_t i = 0; i < c->nns && !run_should_stop(r); i++) {
		struct ns_tables *t = &c->ns[i];
		char path[64];
		for (size_t k = 0; k < NET_TABLES; k++) {
			snprintf(path, sizeof(path), "%d/net/%s", t->pid, net_tables[k].name);
			capbuf_init(&t->raw[k], NET_TABLE_CAP);
			t->err[k] = proc_read(procfd, path, &t->raw[k]);
		}
		snprintf(path, sizeof(path), "%d/net/netlink", t->pid);
		capbuf_init(&t->netlink, 64u << 20);
		t->netlink_err = proc_read(procfd, path, &t->netlink);
		netlink_view(r, procfd, t, self);
		t->read = true;
	}
	s->sockets = c;
	s->sockets_free = net_core_free;
	run_log(r, "core: the walk of /proc %.3f s, the socket tables of %zu namespaces %.3f s",
		t1 - t0, c->nns, run_elapsed(r) - t1);
	close(procfd);
	return 0;
}
