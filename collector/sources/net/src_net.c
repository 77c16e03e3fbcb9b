/*
 * src_net.c - the netstat -anp equivalent: volatile/sockets.jsonl and
 * sockets.txt, for every network namespace, from two views reconciled
 * (netsock.h), with the owning processes from the fd tables.
 *
 * Namespaces are found by the inode of /proc/<pid>/ns/net; each one is read
 * once, through one process inside it: its /proc/<pid>/net tables, and a
 * NETLINK_SOCK_DIAG socket created after setns() into it. The raw tables
 * are kept under volatile/proc-net/<netns>/.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/tcp.h>
#include <limits.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "accounts.h"
#include "jsonw.h"
#include "netsock.h"
#include "netsrc.h"
#include "procfs.h"
#include "proctable.h"
#include "pscan.h"
#include "source.h"
#include "spool.h"
#include "textutil.h"
#include "vec.h"
#include "banned.h"

#define NET_TABLE_CAP (256u << 20)

struct netns {
	uint64_t inode;
	int pid;                 /* a process inside it */
};

struct net {
	struct run *r;
	int procfd;
	struct netns *ns;
	size_t nns, ans;
	struct accounts acc;
	struct spool out, view;   /* sockets.jsonl, sockets.txt (spool.h) */
	unsigned only_proc, only_netlink, total;
};

static uint64_t link_inode(const char *link, const char *prefix)
{
	size_t n = strlen(prefix);
	if (strncmp(link, prefix, n) != 0)
		return 0;
	return strtoull(link + n, NULL, 10);
}

/* What a chunk of processes showed: namespaces and fd tables (pscan.h). */
struct walk_out {
	struct netns *ns;
	size_t nns, ans;
	struct fd_part fds;
	struct zbuf z;            /* fds.records, compressed on the chunk's thread */
};

struct walk {
	struct net *N;
	int *pids;
	bool walk_fds;
};

static void add_ns_to(struct netns **v, size_t *n, size_t *alloc, uint64_t ino, int pid)
{
	for (size_t i = 0; i < *n; i++)
		if ((*v)[i].inode == ino)
			return;
	if (!vec_reserve((void **)v, alloc, *n + 1, sizeof(**v)))
		return;
	(*v)[(*n)++] = (struct netns){ .inode = ino, .pid = pid };
}

static void *walk_new(void *ctx)
{
	struct walk_out *o = calloc(1, sizeof(*o));

	(void)ctx;
	if (o) {
		fdpart_init(&o->fds);
		zbuf_init(&o->z, 512u << 20);
	}
	return o;
}

static void walk_finish(void *ctx, void *out)
{
	struct walk_out *o = out;

	(void)ctx;
	spool_pack(&o->z, &o->fds.records);
}

static void walk_one(void *ctx, size_t i, void *out)
{
	struct walk *w = ctx;
	struct walk_out *o = out;
	int pid = w->pids[i];
	int pfd = proc_open_pid(w->N->procfd, pid);

	if (pfd < 0)
		return;   /* gone: nothing of it to name */
	char *link = NULL;
	size_t len;
	if (proc_readlink(pfd, "ns/net", &link, &len) == 0)
		add_ns_to(&o->ns, &o->nns, &o->ans, link_inode(link, "net:["), pid);
	free(link);
	if (w->walk_fds)
		fdwalk_pid(&o->fds, pfd, pid);
	close(pfd);
}

static void walk_merge(void *ctx, void *out)
{
	struct walk *w = ctx;
	struct walk_out *o = out;

	for (size_t i = 0; i < o->nns; i++)
		add_ns_to(&w->N->ns, &w->N->nns, &w->N->ans, o->ns[i].inode, o->ns[i].pid);
	if (w->walk_fds) {
		spool_add_z(&snapshot_fds(&w->N->r->snap)->records, &o->z, o->fds.records.truncated);
		fdwalk_merge(snapshot_fds(&w->N->r->snap), &o->fds);
	}
	fdpart_free(&o->fds);
	zbuf_free(&o->z);
	free(o->ns);
	free(o);
}

/* One pass over /proc: every process's network namespace and socket fds,
 * on a few threads (pscan.h). */
static void walk_processes(struct net *N)
{
	int dfd = dup(N->procfd);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	struct walk w = { .N = N, .walk_fds = !snapshot_fds_walked(&N->r->snap) };
	size_t n = 0, alloc = 0;
	struct dirent *de;

	if (!d) {
		if (dfd >= 0)
			close(dfd);
		return;
	}
	while ((de = readdir(d))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		if (*end || pid <= 0 || pid > INT_MAX)
			continue;
		if (!vec_reserve((void **)&w.pids, &alloc, n + 1, sizeof(*w.pids)))
			break;
		w.pids[n++] = (int)pid;
	}
	closedir(d);
	struct pscan ps = { .nitems = n, .chunk = 32, .ctx = &w, .threads = N->r->threads,
			    .new_out = walk_new,
			    .work = walk_one, .finish = walk_finish, .merge = walk_merge };
	if (pscan_run(&ps, NULL) < 0)
		run_log(N->r, "sockets: out of memory: some processes were not walked");
	free(w.pids);
	if (w.walk_fds)
		fdwalk_finish(snapshot_fds(&N->r->snap));
}

static const struct {
	const char *name;
	enum sock_kind kind;
	int family;
} tables[] = {
	{ "tcp", SK_TCP, AF_INET }, { "tcp6", SK_TCP, AF_INET6 },
	{ "udp", SK_UDP, AF_INET }, { "udp6", SK_UDP, AF_INET6 },
	{ "udplite", SK_UDPLITE, AF_INET }, { "udplite6", SK_UDPLITE, AF_INET6 },
	{ "raw", SK_RAW, AF_INET }, { "raw6", SK_RAW, AF_INET6 },
	{ "unix", SK_UNIX, AF_UNIX }, { "packet", SK_PACKET, AF_PACKET },
};

/* The /proc view of one namespace, read through a process inside it. */
static int proc_view(struct net *N, const struct netns *ns, struct sockvec *sv)
{
	int ret = 0;

	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]) && ret == 0; i++) {
		char path[64], member[128];
		struct capbuf cb;
		unsigned bad = 0;
		snprintf(path, sizeof(path), "%d/net/%s", ns->pid, tables[i].name);
		capbuf_init(&cb, NET_TABLE_CAP);
		int r = proc_read(N->procfd, path, &cb);
		if (r < 0 && r != -E2BIG) {
			if (r != -ENOENT)
				run_log(N->r, "sockets: cannot read '/proc/%s': %s", path, strerror(-r));
			capbuf_release(&cb);
			continue;
		}
		const char *text = cb.buf ? cb.buf : "";
		if (tables[i].kind == SK_UNIX)
			r = net_proc_parse_unix(text, cb.len, sv, &bad);
		else if (tables[i].kind == SK_PACKET)
			r = net_proc_parse_packet(text, cb.len, sv, &bad);
		else
			r = net_proc_parse_inet(text, cb.len, tables[i].kind, tables[i].family, sv, &bad);
		if (bad)
			run_log(N->r, "sockets: '/proc/%s': %u malformed lines skipped", path, bad);
		snprintf(member, sizeof(member), "volatile/proc-net/%llu/%s",
			 (unsigned long long)ns->inode, tables[i].name);
		char src[80];
		snprintf(src, sizeof(src), "/proc/%s", path);
		ret = run_emit_copy(N->r, "sockets", member, src, &cb);
		capbuf_release(&cb);
	}
	return ret;
}

/* The netlink view, from inside the namespace (setns needs CAP_SYS_ADMIN). */
static void netlink_view(struct net *N, const struct netns *ns, uint64_t self_ns,
			 struct sockvec *sv)
{
	int back = -1, r = 0;

	if (ns->inode != self_ns) {
		char path[64];
		snprintf(path, sizeof(path), "%d/ns/net", ns->pid);
		int nsfd = openat(N->procfd, path, O_RDONLY | O_CLOEXEC);
		back = openat(N->procfd, "self/ns/net", O_RDONLY | O_CLOEXEC);
		if (nsfd < 0 || back < 0 || setns(nsfd, CLONE_NEWNET) < 0)
			r = -errno;
		if (nsfd >= 0)
			close(nsfd);
		if (r < 0) {
			run_log(N->r, "sockets: netns %llu: cannot enter it (%s): /proc view only",
				(unsigned long long)ns->inode, strerror(-r));
			if (back >= 0)
				close(back);
			return;
		}
	}
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		if (tables[i].kind == SK_PACKET)
			continue;   /* packet_diag: not asked; /proc/net/packet is read */
		if (tables[i].kind == SK_UNIX)
			r = net_diag_unix(sv);
		else
			r = net_diag_inet(tables[i].kind, tables[i].family, sv);
		if (r < 0)
			run_log(N->r, "sockets: netns %llu: netlink %s: %s (the /proc view stands alone)",
				(unsigned long long)ns->inode, tables[i].name, strerror(-r));
	}
	if (back >= 0) {
		if (setns(back, CLONE_NEWNET) < 0)
			run_log(N->r, "sockets: cannot return to irsnap's own network namespace: %s",
				strerror(errno));
		close(back);
	}
}

static void addr_text(const struct sock_rec *s, const uint8_t *a, char *buf, size_t len)
{
	if (!inet_ntop(s->family, a, buf, (socklen_t)len))
		snprintf(buf, len, "?");
}

static void endpoint(struct jw *w, const char *key, const struct sock_rec *s, const uint8_t *a,
		     uint16_t port)
{
	char addr[64], json[128];
	addr_text(s, a, addr, sizeof(addr));
	snprintf(json, sizeof(json), "{\"addr\":\"%s\",\"port\":%u}", addr, port);
	jw_raw(w, key, json);
}


/* The sockets.jsonl record of one socket. */
static void emit_json(struct net *N, const struct sock_rec *s, uint64_t netns,
		      const struct capbuf *owners)
{
	struct jw w;

	jw_begin(&w, &N->out.buf);
	jw_int(&w, "netns", (int64_t)netns);
	jw_str(&w, "proto", sock_kind_name(s->kind, s->family));
	jw_str(&w, "family", s->family == AF_INET ? "inet" : s->family == AF_INET6 ? "inet6" :
	       s->family == AF_UNIX ? "unix" : "packet");
	jw_str(&w, "state", s->kind == SK_PACKET ? NULL : tcp_state_name(s->state));
	jw_int(&w, "inode", (int64_t)s->inode);
	jw_int(&w, "uid", s->uid);
	const struct account *a = accounts_user(&N->acc, s->uid);
	if (a)
		jw_bytes(&w, "user", a->name, a->len);
	else
		jw_null(&w, "user");
	jw_int(&w, "rx_queue", s->rxq);
	jw_int(&w, "tx_queue", s->txq);
	if (s->family == AF_INET || s->family == AF_INET6) {
		endpoint(&w, "local", s, s->src, s->sport);
		endpoint(&w, "remote", s, s->dst, s->dport);
		jw_int(&w, "timer", s->timer);
		jw_int(&w, "timer_expires", s->timer_expires);
		jw_int(&w, "retransmits", s->retrans);
		jw_bool(&w, "ident_port", s->sport == 113 || s->dport == 113);
	} else if (s->family == AF_UNIX) {
		jw_int(&w, "type", s->type);
		if (s->path) {
			bool abstract = s->path_len && s->path[0] == '\0';
			jw_bytes(&w, "path", abstract ? s->path + 1 : s->path,
				 abstract ? s->path_len - 1 : s->path_len);
			jw_bool(&w, "abstract", abstract);
		} else {
			jw_null(&w, "path");
		}
		jw_int(&w, "peer_inode", (int64_t)s->peer_inode);
	} else {
		jw_int(&w, "type", s->type);
		jw_int(&w, "protocol", s->sport);
		jw_int(&w, "ifindex", s->ifindex);
	}
	jw_raw(&w, "owners", owners->buf ? owners->buf : "[]");
	char seen[64];
	snprintf(seen, sizeof(seen), "[%s%s%s]", s->seen & SEEN_PROC ? "\"proc\"" : "",
		 s->seen == (SEEN_PROC | SEEN_NETLINK) ? "," : "",
		 s->seen & SEEN_NETLINK ? "\"netlink\"" : "");
	jw_raw(&w, "seen_by", seen);
	bool one_view = s->seen != (SEEN_PROC | SEEN_NETLINK) && s->kind != SK_PACKET;
	jw_bool(&w, "single_view", one_view);
	jw_end(&w);
	N->total++;
	if (one_view && s->seen == SEEN_PROC)
		N->only_proc++;
	else if (one_view)
		N->only_netlink++;
}

/* The netstat -anp line of one socket. */
static void emit_line(struct net *N, const struct sock_rec *s, const struct capbuf *who)
{
	bool one_view = s->seen != (SEEN_PROC | SEEN_NETLINK) && s->kind != SK_PACKET;

	if (s->family == AF_INET || s->family == AF_INET6) {
		char a1[64], a2[64], view_local[80], view_remote[80];
		addr_text(s, s->src, a1, sizeof(a1));
		addr_text(s, s->dst, a2, sizeof(a2));
		snprintf(view_local, sizeof(view_local), "%s:%u", a1, s->sport);
		if (s->dport || s->state == TCP_ESTABLISHED)
			snprintf(view_remote, sizeof(view_remote), "%s:%u", a2, s->dport);
		else
			snprintf(view_remote, sizeof(view_remote), "%s:*", a2);
		capbuf_printf(&N->view.buf, "%-8s %6u %6u %-39s %-39s %-11s %-20s%s%s\n",
			      sock_kind_name(s->kind, s->family), s->rxq, s->txq, view_local,
			      view_remote, s->kind == SK_TCP ? tcp_state_name(s->state) :
			      s->kind == SK_RAW ? "" : (s->state == TCP_ESTABLISHED ? "ESTABLISHED" : ""),
			      who->len ? who->buf : "-",
			      one_view ? (s->seen == SEEN_PROC ? "  [only in /proc]" : "  [only in netlink: hidden from /proc?]") : "",
			      (s->sport == 113 || s->dport == 113) ?
			      "  [ident: often this host's own outbound reverse lookup; check before calling it an attack]" : "");
	} else if (s->family == AF_UNIX) {
		struct capbuf p;
		capbuf_init(&p, 4096);
		if (s->path && s->path_len && s->path[0] == '\0') {
			capbuf_add(&p, "@", 1);
			text_escape(&p, s->path + 1, s->path_len - 1);
		} else if (s->path) {
			text_escape(&p, s->path, s->path_len);
		}
		capbuf_printf(&N->view.buf, "%-8s %-10s %-11s %10llu %-20s %s%s\n", "unix",
			      s->type == SOCK_STREAM ? "STREAM" : s->type == SOCK_DGRAM ? "DGRAM" :
			      s->type == SOCK_SEQPACKET ? "SEQPACKET" : "OTHER",
			      s->state == TCP_LISTEN ? "LISTENING" : s->state == TCP_ESTABLISHED ? "CONNECTED" : "",
			      (unsigned long long)s->inode, who->len ? who->buf : "-",
			      p.buf ? p.buf : "", one_view ? (s->seen == SEEN_PROC ? "  [only in /proc]" :
			      "  [only in netlink]") : "");
		capbuf_release(&p);
	}
}

/* One socket: its record and its line; the owners' names read once. */
static void emit(struct net *N, const struct sock_rec *s, uint64_t netns)
{
	struct capbuf owners, who;

	capbuf_init(&owners, 1 << 20);
	capbuf_init(&who, 256);
	sock_owners_json(N->r, s->inode, &owners, &who);
	emit_json(N, s, netns, &owners);
	emit_line(N, s, &who);
	capbuf_release(&owners);
	capbuf_release(&who);
	spool_flush(&N->out);
	spool_flush(&N->view);
}

static int sock_order(const void *x, const void *y)
{
	const struct sock_rec *a = x, *b = y;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if (a->sport != b->sport)
		return a->sport < b->sport ? -1 : 1;
	return (a->inode > b->inode) - (a->inode < b->inode);
}

int src_net_collect(struct run *r)
{
	struct net N = { .r = r };
	int ret = 0;

	N.procfd = proc_open_root();
	if (N.procfd < 0) {
		run_source_failed(r, "sockets", "/proc", N.procfd, "cannot open '/proc'");
		return 0;
	}
	spool_init(&N.out);
	spool_init(&N.view);
	struct capbuf nl;   /* volatile/netlink.jsonl (netlink_socks.c) */
	capbuf_init(&nl, 256u << 20);
	accounts_load(&N.acc, "/etc/passwd", "/etc/group");
	char *self = NULL;
	size_t len;
	uint64_t self_ns = 0;
	if (proc_readlink(N.procfd, "self/ns/net", &self, &len) == 0)
		self_ns = link_inode(self, "net:[");
	free(self);
	add_ns_to(&N.ns, &N.nns, &N.ans, self_ns, getpid());   /* our own first */
	walk_processes(&N);
	run_log(r, "sockets: %zu network namespaces, %u fds walked, %zu of them sockets",
		N.nns, snapshot_fds(&r->snap)->nfds, snapshot_fds(&r->snap)->nown);
	/* the tables below are read on this core: the other is free for a
	 * process table the plan wants read ahead (snapshot.h) */
	snapshot_idle_core(&r->snap);

	for (size_t i = 0; i < N.nns && ret == 0; i++) {
		struct sockvec pv = { 0 }, nv = { 0 };
		if (run_should_stop(r))
			break;
		ret = proc_view(&N, &N.ns[i], &pv);
		if (ret == 0)
			ret = netlink_socks(r, N.procfd, N.ns[i].pid, N.ns[i].inode, &nl);
		netlink_view(&N, &N.ns[i], self_ns, &nv);
		if (sockvec_merge(&pv, &nv) < 0)
			run_log(r, "sockets: out of memory merging the views");
		if (pv.n)
			qsort(pv.v, pv.n, sizeof(*pv.v), sock_order);
		capbuf_printf(&N.view.buf, "\n== network namespace %llu (read through pid %d) ==\n"
			      "%-8s %6s %6s %-39s %-39s %-11s %s\n", (unsigned long long)N.ns[i].inode,
			      N.ns[i].pid, "Proto", "Recv-Q", "Send-Q", "Local Address",
			      "Foreign Address", "State", "PID/Program name (exe)");
		for (size_t k = 0; k < pv.n; k++)
			emit(&N, &pv.v[k], N.ns[i].inode);
		sockvec_free(&pv);
		sockvec_free(&nv);
	}
	run_log(r, "sockets: %u sockets; %u only in /proc, %u only in netlink", N.total,
		N.only_proc, N.only_netlink);
	if (ret == 0)
		ret = spool_emit(r, "sockets", "volatile/sockets.jsonl", &N.out);
	if (ret == 0)
		ret = spool_emit(r, "sockets", "volatile/sockets.txt", &N.view);
	if (ret == 0)
		ret = run_emit(r, "sockets", "volatile/netlink.jsonl", &nl);
	capbuf_release(&nl);
	spool_free(&N.out);
	spool_free(&N.view);
	accounts_free(&N.acc);
	free(N.ns);
	close(N.procfd);
	return ret;
}
