/*
 * net_config.c - interfaces, addresses, routes and neighbours of every
 * network namespace, from rtnetlink (rtnetlink(7)) in-process: what
 * `ip link`, `ip addr`, `ip route show table all` and `ip neigh` print,
 * without running ip or arp. Records go to system/net/<netns>/ (JSON Lines); the
 * /proc/net text files of the same namespace are kept raw beside them.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "jsonw.h"
#include "netsrc.h"
#include "nlquery.h"
#include "procfs.h"
#include "source.h"
#include "textutil.h"
#include "banned.h"

#define RT_RECORDS_CAP (128u << 20)

typedef void (*rt_cb)(const struct nlmsghdr *h, struct capbuf *out);

struct rt_ctx {
	size_t hdrlen;
	rt_cb cb;
	struct capbuf *out;
};

static int rt_message(const struct nlmsghdr *h, void *vctx)
{
	struct rt_ctx *c = vctx;

	if (h->nlmsg_len >= NLMSG_LENGTH(c->hdrlen))
		c->cb(h, c->out);
	return 0;
}

static int rt_dump(int type, int family, size_t hdrlen, rt_cb cb, struct capbuf *out)
{
	struct {
		struct nlmsghdr nlh;
		char body[64];
	} req;
	struct rt_ctx c = { .hdrlen = hdrlen, .cb = cb, .out = out };

	memset(&req, 0, sizeof(req));
	req.nlh.nlmsg_len = NLMSG_LENGTH(hdrlen);
	req.nlh.nlmsg_type = (unsigned short)type;
	req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.body[0] = (char)family;   /* every *msg starts with its family byte */
	return nl_query(NETLINK_ROUTE, &req, req.nlh.nlmsg_len, rt_message, &c);
}

/* Iterate the rtattrs after a fixed header. */
#define FOR_ATTRS(h, hdrlen, a, alen)                                                    \
	for (int alen = (int)((h)->nlmsg_len - NLMSG_LENGTH(hdrlen)),                     \
	     _once = 1; _once; _once = 0)                                                \
		for (const struct rtattr *a = (const struct rtattr *)((const char *)NLMSG_DATA(h) + \
				NLMSG_ALIGN(hdrlen)); RTA_OK(a, alen); a = RTA_NEXT(a, alen))

static void jw_addr(struct jw *w, const char *key, int family, const void *data, size_t len)
{
	char buf[64];

	if ((family == AF_INET && len == 4) || (family == AF_INET6 && len == 16)) {
		inet_ntop(family, data, buf, sizeof(buf));
		jw_str(w, key, buf);
	} else {
		jw_null(w, key);
	}
}

static void jw_mac(struct jw *w, const char *key, const unsigned char *p, size_t n)
{
	char buf[3 * 32 + 1] = "";
	size_t o = 0;

	for (size_t i = 0; i < n && i < 32; i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%02x", i ? ":" : "", p[i]);
	jw_str(w, key, buf);
}

static void link_cb(const struct nlmsghdr *h, struct capbuf *out)
{
	static const struct { unsigned flag; const char *name; } flags[] = {
		{ IFF_UP, "UP" }, { IFF_BROADCAST, "BROADCAST" }, { IFF_LOOPBACK, "LOOPBACK" },
		{ IFF_POINTOPOINT, "POINTOPOINT" }, { IFF_RUNNING, "RUNNING" }, { IFF_NOARP, "NOARP" },
		{ IFF_PROMISC, "PROMISC" }, { IFF_ALLMULTI, "ALLMULTI" }, { IFF_MULTICAST, "MULTICAST" },
		{ 1u << 16, "LOWER_UP" },   /* IFF_LOWER_UP, from linux/if.h */
	};
	const struct ifinfomsg *m = NLMSG_DATA(h);
	struct jw w;
	char fl[256] = "[";

	jw_begin(&w, out);
	jw_int(&w, "index", m->ifi_index);
	jw_int(&w, "type", m->ifi_type);
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (m->ifi_flags & flags[i].flag)
			snprintf(fl + strlen(fl), sizeof(fl) - strlen(fl), "%s\"%s\"",
				 fl[1] ? "," : "", flags[i].name);
	snprintf(fl + strlen(fl), sizeof(fl) - strlen(fl), "]");
	jw_raw(&w, "flags", fl);
	jw_bool(&w, "promiscuous", (m->ifi_flags & IFF_PROMISC) != 0);
	FOR_ATTRS(h, sizeof(*m), a, alen) {
		const void *d = RTA_DATA(a);
		size_t n = RTA_PAYLOAD(a);
		switch (a->rta_type) {
		case IFLA_IFNAME: jw_bytes(&w, "name", d, strnlen(d, n)); break;
		case IFLA_ADDRESS: jw_mac(&w, "address", d, n); break;
		case IFLA_BROADCAST: jw_mac(&w, "broadcast", d, n); break;
		case IFLA_MTU: if (n >= 4) jw_int(&w, "mtu", *(const uint32_t *)d); break;
		case IFLA_OPERSTATE: if (n >= 1) jw_int(&w, "operstate", *(const uint8_t *)d); break;
		case IFLA_MASTER: if (n >= 4) jw_int(&w, "master", *(const uint32_t *)d); break;
		case IFLA_LINK: if (n >= 4) jw_int(&w, "link", *(const uint32_t *)d); break;
		case IFLA_LINKINFO:
			for (const struct rtattr *b = d; RTA_OK(b, (int)n); b = RTA_NEXT(b, n))
				if (b->rta_type == IFLA_INFO_KIND)
					jw_bytes(&w, "kind", RTA_DATA(b), strnlen(RTA_DATA(b), RTA_PAYLOAD(b)));
			break;
		default: break;
		}
	}
	jw_end(&w);
}

static void addr_cb(const struct nlmsghdr *h, struct capbuf *out)
{
	const struct ifaddrmsg *m = NLMSG_DATA(h);
	struct jw w;

	jw_begin(&w, out);
	jw_int(&w, "index", m->ifa_index);
	jw_str(&w, "family", m->ifa_family == AF_INET ? "inet" : m->ifa_family == AF_INET6 ? "inet6" : "other");
	jw_int(&w, "prefixlen", m->ifa_prefixlen);
	jw_int(&w, "scope", m->ifa_scope);
	jw_int(&w, "flags", m->ifa_flags);
	FOR_ATTRS(h, sizeof(*m), a, alen) {
		const void *d = RTA_DATA(a);
		size_t n = RTA_PAYLOAD(a);
		switch (a->rta_type) {
		case IFA_ADDRESS: jw_addr(&w, "address", m->ifa_family, d, n); break;
		case IFA_LOCAL: jw_addr(&w, "local", m->ifa_family, d, n); break;
		case IFA_BROADCAST: jw_addr(&w, "broadcast", m->ifa_family, d, n); break;
		case IFA_LABEL: jw_bytes(&w, "label", d, strnlen(d, n)); break;
		default: break;
		}
	}
	jw_end(&w);
}

static void route_cb(const struct nlmsghdr *h, struct capbuf *out)
{
	const struct rtmsg *m = NLMSG_DATA(h);
	struct jw w;
	uint32_t table = m->rtm_table;

	jw_begin(&w, out);
	jw_str(&w, "family", m->rtm_family == AF_INET ? "inet" : "inet6");
	jw_int(&w, "dst_len", m->rtm_dst_len);
	jw_int(&w, "type", m->rtm_type);
	jw_int(&w, "protocol", m->rtm_protocol);
	jw_int(&w, "scope", m->rtm_scope);
	FOR_ATTRS(h, sizeof(*m), a, alen) {
		const void *d = RTA_DATA(a);
		size_t n = RTA_PAYLOAD(a);
		switch (a->rta_type) {
		case RTA_DST: jw_addr(&w, "dst", m->rtm_family, d, n); break;
		case RTA_GATEWAY: jw_addr(&w, "gateway", m->rtm_family, d, n); break;
		case RTA_PREFSRC: jw_addr(&w, "prefsrc", m->rtm_family, d, n); break;
		case RTA_OIF: if (n >= 4) jw_int(&w, "oif", *(const uint32_t *)d); break;
		case RTA_PRIORITY: if (n >= 4) jw_int(&w, "metric", *(const uint32_t *)d); break;
		case RTA_TABLE: if (n >= 4) table = *(const uint32_t *)d; break;
		default: break;
		}
	}
	jw_int(&w, "table", table);
	jw_end(&w);
}

static void neigh_cb(const struct nlmsghdr *h, struct capbuf *out)
{
	const struct ndmsg *m = NLMSG_DATA(h);
	struct jw w;

	jw_begin(&w, out);
	jw_int(&w, "index", m->ndm_ifindex);
	jw_str(&w, "family", m->ndm_family == AF_INET ? "inet" : m->ndm_family == AF_INET6 ? "inet6" : "other");
	jw_int(&w, "state", m->ndm_state);
	jw_int(&w, "flags", m->ndm_flags);
	FOR_ATTRS(h, sizeof(*m), a, alen) {
		const void *d = RTA_DATA(a);
		size_t n = RTA_PAYLOAD(a);
		if (a->rta_type == NDA_DST)
			jw_addr(&w, "dst", m->ndm_family, d, n);
		else if (a->rta_type == NDA_LLADDR)
			jw_mac(&w, "lladdr", d, n);
	}
	jw_end(&w);
}

struct rtq {
	const char *name;
	int type, family;
	size_t hdrlen;
	rt_cb cb;
};

static const struct rtq queries[] = {
	{ "links", RTM_GETLINK, AF_UNSPEC, sizeof(struct ifinfomsg), link_cb },
	{ "addresses", RTM_GETADDR, AF_UNSPEC, sizeof(struct ifaddrmsg), addr_cb },
	{ "routes", RTM_GETROUTE, AF_INET, sizeof(struct rtmsg), route_cb },
	{ "routes", RTM_GETROUTE, AF_INET6, sizeof(struct rtmsg), route_cb },
	{ "neighbours", RTM_GETNEIGH, AF_UNSPEC, sizeof(struct ndmsg), neigh_cb },
};

static const char *const proc_files[] = {
	"dev", "route", "ipv6_route", "arp", "if_inet6", "netstat", "snmp",
};

/* Find every network namespace: inode of /proc/<pid>/ns/net -> a pid. */
static size_t find_namespaces(int procfd, uint64_t *ino, int *pid, size_t max)
{
	int dfd = dup(procfd);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	struct dirent *de;
	size_t n = 0;
	char *link;
	size_t len;

	if (proc_readlink(procfd, "self/ns/net", &link, &len) == 0) {
		ino[n] = strtoull(link + 5, NULL, 10);
		pid[n++] = getpid();
		free(link);
	}
	while (d && (de = readdir(d)) && n < max) {
		char *end;
		long p = strtol(de->d_name, &end, 10);
		char path[64];
		if (*end || p <= 0)
			continue;
		snprintf(path, sizeof(path), "%ld/ns/net", p);
		if (proc_readlink(procfd, path, &link, &len) < 0)
			continue;
		uint64_t i = strtoull(link + 5, NULL, 10);
		free(link);
		bool seen = false;
		for (size_t k = 0; k < n && !seen; k++)
			seen = ino[k] == i;
		if (!seen) {
			ino[n] = i;
			pid[n++] = (int)p;
		}
	}
	if (d)
		closedir(d);
	else if (dfd >= 0)
		close(dfd);
	return n;
}

int src_netconfig_collect(struct run *r)
{
	uint64_t ino[256];
	int pid[256], ret = 0;
	int procfd = proc_open_root();

	if (procfd < 0)
		return 0;
	size_t nns = find_namespaces(procfd, ino, pid, 256);
	int self = openat(procfd, "self/ns/net", O_RDONLY | O_CLOEXEC);
	for (size_t i = 0; i < nns && ret == 0; i++) {
		char member[160], path[64], src[80];
		if (run_should_stop(r))
			break;
		for (size_t k = 0; k < sizeof(proc_files) / sizeof(proc_files[0]) && ret == 0; k++) {
			struct capbuf cb;
			capbuf_init(&cb, RT_RECORDS_CAP);
			snprintf(path, sizeof(path), "%d/net/%s", pid[i], proc_files[k]);
			if (proc_read(procfd, path, &cb) >= 0 || cb.len) {
				snprintf(member, sizeof(member), "system/net/%llu/proc/%s",
					 (unsigned long long)ino[i], proc_files[k]);
				snprintf(src, sizeof(src), "/proc/%s", path);
				ret = run_emit_copy(r, "netconfig", member, src, &cb);
			}
			capbuf_release(&cb);
		}
		bool entered = i == 0;
		if (!entered) {
			snprintf(path, sizeof(path), "%d/ns/net", pid[i]);
			int nsfd = openat(procfd, path, O_RDONLY | O_CLOEXEC);
			entered = nsfd >= 0 && setns(nsfd, CLONE_NEWNET) == 0;
			if (nsfd >= 0)
				close(nsfd);
			if (!entered)
				run_log(r, "netconfig: netns %llu: cannot enter it: /proc files only",
					(unsigned long long)ino[i]);
		}
		for (size_t q = 0; entered && q < sizeof(queries) / sizeof(queries[0]) && ret == 0; q++) {
			struct capbuf out;
			capbuf_init(&out, RT_RECORDS_CAP);
			int e = rt_dump(queries[q].type, queries[q].family, queries[q].hdrlen,
					queries[q].cb, &out);
			if (q + 1 < sizeof(queries) / sizeof(queries[0]) &&
			    strcmp(queries[q + 1].name, queries[q].name) == 0) {
				/* routes: v4 then v6 into one member */
				int e2 = rt_dump(queries[q + 1].type, queries[q + 1].family,
						 queries[q + 1].hdrlen, queries[q + 1].cb, &out);
				if (e == 0)
					e = e2;
			}
			if (e < 0)
				run_log(r, "netconfig: netns %llu: rtnetlink %s: %s",
					(unsigned long long)ino[i], queries[q].name, strerror(-e));
			snprintf(member, sizeof(member), "system/net/%llu/%s.jsonl",
				 (unsigned long long)ino[i], queries[q].name);
			ret = run_emit(r, "netconfig", member, &out);
			capbuf_release(&out);
			if (q + 1 < sizeof(queries) / sizeof(queries[0]) &&
			    strcmp(queries[q + 1].name, queries[q].name) == 0)
				q++;
		}
		if (entered && ret == 0)
			ret = netfilter_ns(r, procfd, pid[i], ino[i]);
		if (i > 0 && entered && (self < 0 || setns(self, CLONE_NEWNET) < 0))
			run_log(r, "netconfig: cannot return to irsnap's own network namespace");
	}
	run_log(r, "netconfig: %zu network namespaces", nns);
	if (self >= 0)
		close(self);
	close(procfd);
	return ret;
}

int net_config_parse(unsigned query, const void *buf, size_t len, struct capbuf *out)
{
	if (query >= sizeof(queries) / sizeof(queries[0]))
		return -EINVAL;
	struct rt_ctx c = { .hdrlen = queries[query].hdrlen, .cb = queries[query].cb, .out = out };
	return nl_parse(buf, len, rt_message, &c);
}
