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
#include <sys/stat.h>
#include <dirent.h>
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

/* The netlink view, from inside the namespace (setns needs CAP_SYS_ADMIN),
 * entered through the process folder the tables were read from (pidfd). */
static void netlink_view(struct run *r, int procfd, int pidfd, struct ns_tables *t,
			 uint64_t self_ns)
{
	int back = -1, e = 0;

	if (t->inode != self_ns) {
		struct stat st;
		int nsfd = openat(pidfd, "ns/net", O_RDONLY | O_CLOEXEC);
		back = openat(procfd, "self/ns/net", O_RDONLY | O_CLOEXEC);
		if (nsfd < 0 || back < 0)
			e = -errno;
		else if (fstat(nsfd, &st) < 0 || (uint64_t)st.st_ino != t->inode)
			e = -ESRCH;   /* the process moved on: not this namespace */
		else if (setns(nsfd, CLONE_NEWNET) < 0)
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

/* A process folder of namespace t->inode, open: the walk's pid if it is
 * still there and still in it, else the first process found in it now
 * (t->pid then names that one); -1 if none. */
static int ns_process(int procfd, struct ns_tables *t)
{
	char name[16];
	unsigned long long ino = 0;

	snprintf(name, sizeof(name), "%d", t->pid);
	int fd = openat(procfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0 && proc_ns_inode(fd, "ns/net", &ino) == 0 && ino == t->inode)
		return fd;
	if (fd >= 0)
		close(fd);
	int dfd = dup(procfd);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	struct dirent *de;
	fd = -1;
	while (d && fd < 0 && (de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		int pfd = openat(procfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (pfd >= 0 && proc_ns_inode(pfd, "ns/net", &ino) == 0 && ino == t->inode) {
			fd = pfd;
			t->pid = (int)strtol(de->d_name, NULL, 10);
		} else if (pfd >= 0) {
			close(pfd);
		}
	}
	if (d)
		closedir(d);
	else if (dfd >= 0)
		close(dfd);
	return fd;
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
		/* the namespace's tables through a process folder held open and
		 * checked to be in it: the pid the walk saw may have exited and
		 * (pid_max is often 32768) be another process's now */
		int pidfd = ns_process(procfd, t);
		for (size_t k = 0; k < NET_TABLES; k++) {
			snprintf(path, sizeof(path), "net/%s", net_tables[k].name);
			capbuf_init(&t->raw[k], NET_TABLE_CAP);
			t->err[k] = pidfd >= 0 ? proc_read(pidfd, path, &t->raw[k]) : -ESRCH;
		}
		capbuf_init(&t->netlink, 64u << 20);
		t->netlink_err = pidfd >= 0 ? proc_read(pidfd, "net/netlink", &t->netlink) : -ESRCH;
		if (pidfd >= 0) {
			netlink_view(r, procfd, pidfd, t, self);
			close(pidfd);
		} else {
			run_log(r, "sockets: netns %llu: no process is in it any more: its tables "
				"are not read", (unsigned long long)t->inode);
		}
		t->read = true;
	}
	s->sockets = c;
	s->sockets_free = net_core_free;
	run_log(r, "core: the walk of /proc %.3f s, the socket tables of %zu namespaces %.3f s",
		t1 - t0, c->nns, run_elapsed(r) - t1);
	close(procfd);
	return 0;
}
