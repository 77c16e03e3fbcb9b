/*
 * src_net.c - the netstat -anp equivalent: volatile/sockets.jsonl and
 * sockets.txt, for every network namespace, from two views reconciled
 * (netsock.h), with the owning processes from the fd tables.
 *
 * Namespaces are found by the inode of /proc/<pid>/ns/net; each one is read
 * once, through one process inside it: its /proc/<pid>/net tables, and a
 * NETLINK_SOCK_DIAG socket created after setns() into it. That reading is
 * the core's (net_core.c, snapshot.h); this step, after the core window,
 * parses, merges and writes. The raw tables are kept under
 * volatile/proc-net/<netns>/.
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

struct net {
	struct run *r;
	struct accounts acc;
	struct spool out, view;   /* sockets.jsonl, sockets.txt (spool.h) */
	unsigned only_proc, only_netlink, total;
};

/* The /proc view of one namespace, from the tables the core read: parsed
 * here, after the core window, and kept raw (each text freed once it is in
 * the bundle: 8 MB of /proc/net/tcp at 50,000 sockets, not held through the
 * merge and the records). */
static int proc_view(struct net *N, struct ns_tables *t, struct sockvec *sv)
{
	int ret = 0;

	for (size_t i = 0; i < NET_TABLES && ret == 0; i++) {
		char src[80], member[128];
		struct capbuf *cb = &t->raw[i];
		unsigned bad = 0;
		int r = t->err[i];
		snprintf(src, sizeof(src), "/proc/%d/net/%s", t->pid, net_tables[i].name);
		if (r < 0 && r != -E2BIG) {
			if (r != -ENOENT)
				run_log(N->r, "sockets: cannot read '%s': %s", src, strerror(-r));
			continue;
		}
		const char *text = cb->buf ? cb->buf : "";
		if (net_tables[i].kind == SK_UNIX)
			r = net_proc_parse_unix(text, cb->len, sv, &bad);
		else if (net_tables[i].kind == SK_PACKET)
			r = net_proc_parse_packet(text, cb->len, sv, &bad);
		else
			r = net_proc_parse_inet(text, cb->len, net_tables[i].kind, net_tables[i].family,
						sv, &bad);
		if (bad)
			run_log(N->r, "sockets: '%s': %u malformed lines skipped", src, bad);
		snprintf(member, sizeof(member), "volatile/proc-net/%llu/%s",
			 (unsigned long long)t->inode, net_tables[i].name);
		ret = run_emit_copy(N->r, "sockets", member, src, cb);
		capbuf_release(cb);
	}
	return ret;
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

	src_net_core(r);   /* the plan's core phase did it, or now */
	struct net_core *c = r->snap.sockets;
	if (!c) {
		run_source_failed(r, "sockets", "/proc", -ENOMEDIUM, "cannot open '/proc'");
		return 0;
	}
	spool_init(&N.out);
	spool_init(&N.view);
	struct capbuf nl;   /* volatile/netlink.jsonl (netlink_socks.c) */
	capbuf_init(&nl, 256u << 20);
	accounts_load(&N.acc, "/etc/passwd", "/etc/group");
	run_log(r, "sockets: %zu network namespaces, %u fds walked, %zu of them sockets",
		c->nns, snapshot_fds(&r->snap)->nfds, snapshot_fds(&r->snap)->nown);

	for (size_t i = 0; i < c->nns && ret == 0; i++) {
		struct ns_tables *t = &c->ns[i];
		struct sockvec pv = { 0 };
		if (!t->read) {
			run_log(r, "sockets: netns %llu: not read (the run was stopped)",
				(unsigned long long)t->inode);
			continue;
		}
		ret = proc_view(&N, t, &pv);
		if (ret == 0)
			ret = netlink_socks(r, t, &nl);
		/* the merge takes the netlink view's records (the sockets step
		 * is the core's only reader of them) */
		if (sockvec_merge(&pv, &t->nv) < 0)
			run_log(r, "sockets: out of memory merging the views");
		if (pv.n)
			qsort(pv.v, pv.n, sizeof(*pv.v), sock_order);
		capbuf_printf(&N.view.buf, "\n== network namespace %llu (read through pid %d) ==\n"
			      "%-8s %6s %6s %-39s %-39s %-11s %s\n", (unsigned long long)t->inode,
			      t->pid, "Proto", "Recv-Q", "Send-Q", "Local Address",
			      "Foreign Address", "State", "PID/Program name (exe)");
		for (size_t k = 0; k < pv.n; k++)
			emit(&N, &pv.v[k], t->inode);
		sockvec_free(&pv);
		sockvec_free(&t->nv);
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
	/* the tables are written: their memory back before the processes'
	 * details (the raw copies live on in the spools) */
	r->snap.sockets_free(r->snap.sockets);
	r->snap.sockets = NULL;
	r->snap.sockets_free = NULL;
	return ret;
}
