/*
 * net_filter.c - the firewall and connection tracking of one network
 * namespace, for the netconfig step (netsrc.h, netfilter.h): run while
 * irsnap is inside the namespace. Members under system/net/<netns>/:
 *
 *   conntrack.jsonl, conntrack.nlmsg    the ctnetlink dump, decoded and raw
 *   nftables.jsonl, nftables.nlmsg      the nf_tables ruleset, decoded and raw
 *   iptables-save.txt, iptables.jsonl   the legacy IPv4 tables, as
 *                                       iptables-save -c prints them
 *   ip6tables-save.txt, ip6tables.jsonl the IPv6 ones, as ip6tables-save -c
 *   arptables.txt, arptables.jsonl      the ARP ones, as arptables-legacy
 *                                       -L -n -v -x lists them
 *   {ip,ip6,arp}tables/<table>.blob     each table as the kernel gave it
 *
 * A subsystem whose module is not loaded is not asked (kmod.h): asking
 * would load it. That is said in the work log, and its members are absent.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <linux/netfilter.h>
#include <sys/socket.h>

#include "kmod.h"
#include "netfilter.h"
#include "netsrc.h"
#include "procfs.h"
#include "textutil.h"
#include "banned.h"

#define NF_JSON_CAP (256u << 20)
#define NF_RAW_CAP (256u << 20)

static int emit_pair(struct run *r, uint64_t ino, const char *name, const char *src,
		     int (*dump)(struct capbuf *, struct capbuf *))
{
	struct capbuf raw, out;
	char member[160], rawm[160];
	int ret;

	capbuf_init(&raw, NF_RAW_CAP);
	capbuf_init(&out, NF_JSON_CAP);
	int e = dump(&raw, &out);
	if (e < 0)
		run_log(r, "netconfig: netns %llu: %s: %s", (unsigned long long)ino, src, strerror(-e));
	snprintf(rawm, sizeof(rawm), "system/net/%llu/%s.nlmsg", (unsigned long long)ino, name);
	snprintf(member, sizeof(member), "system/net/%llu/%s.jsonl", (unsigned long long)ino, name);
	ret = run_emit_copy(r, "netconfig", rawm, src, &raw);
	if (ret == 0)
		ret = run_emit(r, "netconfig", member, &out);
	capbuf_release(&raw);
	capbuf_release(&out);
	return ret;
}

struct legacy_fam {
	int fam;
	const char *names;   /* /proc/<pid>/net/<names> */
	const char *dir;     /* the members' names */
	const char *text;    /* the text member */
	const char *opt;     /* the GET option, for the source */
};

static const struct legacy_fam legacy_fams[] = {
	{ NFPROTO_IPV4, "ip_tables_names", "iptables", "iptables-save.txt", "IPT_SO_GET_ENTRIES" },
	{ NFPROTO_IPV6, "ip6_tables_names", "ip6tables", "ip6tables-save.txt", "IP6T_SO_GET_ENTRIES" },
	{ NFPROTO_ARP, "arp_tables_names", "arptables", "arptables.txt", "ARPT_SO_GET_ENTRIES" },
};

/* The legacy tables of one family that /proc/<pid>/net/<names> lists. */
static int legacy(struct run *r, int procfd, int pid, uint64_t ino, const struct legacy_fam *f)
{
	char path[96], member[200], src[96];
	struct capbuf list, save, out;
	int ret = 0;

	capbuf_init(&list, 4096);
	snprintf(path, sizeof(path), "%d/net/%s", pid, f->names);
	if (proc_read(procfd, path, &list) < 0 || !list.buf) {   /* no x_tables loaded */
		capbuf_release(&list);
		return 0;
	}
	capbuf_init(&save, NF_JSON_CAP);
	capbuf_init(&out, NF_JSON_CAP);
	for (char *p = list.buf, *nl; ret == 0 && p < list.buf + list.len; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(list.buf + list.len - p));
		if (!nl)
			break;
		*nl = '\0';
		if (!*p || strlen(p) >= 32 || strchr(p, '/'))
			continue;
		struct capbuf raw;
		capbuf_init(&raw, NF_RAW_CAP);
		int e = xtables_read(f->fam, p, &raw);
		snprintf(src, sizeof(src), "getsockopt %s %s", f->opt, p);
		if (e < 0) {
			run_log(r, "netconfig: netns %llu: %s: %s", (unsigned long long)ino,
				shown(src).s, strerror(-e));
		} else {
			snprintf(member, sizeof(member), "system/net/%llu/%s/%s.blob",
				 (unsigned long long)ino, f->dir, p);
			ret = run_emit_copy(r, "netconfig", member, src, &raw);
			if (xtables_parse(f->fam, raw.buf, raw.len, &save, &out) < 0)
				run_log(r, "netconfig: netns %llu: %s table %s: its blob does "
					"not parse (kept raw)", (unsigned long long)ino, f->dir,
					shown(p).s);
		}
		capbuf_release(&raw);
	}
	if (ret == 0 && save.len) {
		snprintf(member, sizeof(member), "system/net/%llu/%s", (unsigned long long)ino, f->text);
		ret = run_emit(r, "netconfig", member, &save);
		snprintf(member, sizeof(member), "system/net/%llu/%s.jsonl", (unsigned long long)ino, f->dir);
		if (ret == 0)
			ret = run_emit(r, "netconfig", member, &out);
	}
	capbuf_release(&list);
	capbuf_release(&save);
	capbuf_release(&out);
	return ret;
}

int netfilter_ns(struct run *r, int procfd, int pid, uint64_t ino)
{
	int ret = 0;

	if (kmod_present(procfd, "nf_conntrack_netlink"))
		ret = emit_pair(r, ino, "conntrack", "ctnetlink IPCTNL_MSG_CT_GET dump", conntrack_dump);
	else
		run_log(r, "netconfig: nf_conntrack_netlink is not loaded: conntrack not asked "
			"(asking would load it)");
	if (ret == 0 && kmod_present(procfd, "nf_tables"))
		ret = emit_pair(r, ino, "nftables", "nfnetlink NFT_MSG_GET* dumps", nftables_dump);
	else if (ret == 0)
		run_log(r, "netconfig: nf_tables is not loaded: the nftables ruleset not asked "
			"(asking would load it)");
	for (size_t i = 0; ret == 0 && i < sizeof(legacy_fams) / sizeof(*legacy_fams); i++)
		ret = legacy(r, procfd, pid, ino, &legacy_fams[i]);
	return ret;
}
