/*
 * xtables.c - the legacy iptables, ip6tables and arptables tables of one
 * network namespace (netfilter.h): a table's blob from *_SO_GET_INFO and
 * *_SO_GET_ENTRIES on a raw socket (read only: the SET options are never
 * used), every entry's offsets checked, its chains found (xt_int.h); then
 * xt_save.c or xt_arp.c prints it.
 *
 * Only tables the kernel lists (/proc/net/ip_tables_names and its ip6 and
 * arp siblings) are asked for: asking for another makes the kernel load
 * its module.
 */
#include <errno.h>
#include <netinet/in.h>
#include <linux/netfilter.h>
#include <linux/netfilter_arp/arp_tables.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netfilter_ipv6/ip6_tables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "jsonw.h"
#include "netfilter.h"
#include "xt_int.h"
#include "banned.h"

#define XT_BLOB_MAX (256u << 20)

/* The tail the walker reads at the family's offsets: target_offset,
 * next_offset right after it, and the counters last. */
#define XT_TAIL(T) \
	_Static_assert(offsetof(T, next_offset) == offsetof(T, target_offset) + 2, #T); \
	_Static_assert(offsetof(T, counters) + sizeof(struct xt_counters) == sizeof(T), #T)
XT_TAIL(struct ipt_entry);
XT_TAIL(struct ip6t_entry);
XT_TAIL(struct arpt_entry);
_Static_assert(offsetof(struct ipt_get_entries, entrytable) ==
	       offsetof(struct arpt_get_entries, entrytable), "get_entries");
_Static_assert(offsetof(struct ipt_get_entries, entrytable) ==
	       offsetof(struct ip6t_get_entries, entrytable), "get_entries");
#define MAX_CHAINS 65536
#define MAX_ENTRIES (1u << 22)

/* The kernel's info header of family fam: its size, and the normalised
 * copy the walker uses. */
static size_t info_size(int fam)
{
	return fam == NFPROTO_ARP ? sizeof(struct arpt_getinfo) : sizeof(struct ipt_getinfo);
}

static void info_load(struct xt_table *t, const void *p)
{
	if (t->fam == NFPROTO_ARP) {
		struct arpt_getinfo a;
		memcpy(&a, p, sizeof(a));
		memcpy(t->name, a.name, sizeof(t->name));
		t->valid_hooks = a.valid_hooks;
		t->nhooks = NF_ARP_NUMHOOKS;
		memcpy(t->hook_entry, a.hook_entry, sizeof(a.hook_entry));
		memcpy(t->underflow, a.underflow, sizeof(a.underflow));
		t->size = a.size;
		t->o_target = offsetof(struct arpt_entry, target_offset);
		t->ehdr = sizeof(struct arpt_entry);
	} else {   /* ip6t_getinfo has ipt_getinfo's layout */
		struct ipt_getinfo a;
		memcpy(&a, p, sizeof(a));
		memcpy(t->name, a.name, sizeof(t->name));
		t->valid_hooks = a.valid_hooks;
		t->nhooks = NF_INET_NUMHOOKS;
		memcpy(t->hook_entry, a.hook_entry, sizeof(a.hook_entry));
		memcpy(t->underflow, a.underflow, sizeof(a.underflow));
		t->size = a.size;
		t->o_target = t->fam == NFPROTO_IPV6 ? offsetof(struct ip6t_entry, target_offset)
			: offsetof(struct ipt_entry, target_offset);
		t->ehdr = t->fam == NFPROTO_IPV6 ? sizeof(struct ip6t_entry) : sizeof(struct ipt_entry);
	}
	t->name[sizeof(t->name) - 1] = '\0';
}

int xtables_read(int fam, const char *name, struct capbuf *raw)
{
	/* the GET options share their numbers' offsets from each base */
	int level = fam == NFPROTO_IPV6 ? IPPROTO_IPV6 : IPPROTO_IP;
	int o_info = fam == NFPROTO_ARP ? ARPT_SO_GET_INFO : IPT_SO_GET_INFO;
	int o_entries = fam == NFPROTO_ARP ? ARPT_SO_GET_ENTRIES : IPT_SO_GET_ENTRIES;
	union { struct ipt_getinfo i; struct arpt_getinfo a; } info;
	socklen_t il = (socklen_t)info_size(fam);
	struct xt_table t = { .fam = fam };
	int fd = socket(fam == NFPROTO_IPV6 ? AF_INET6 : AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	int ret = 0;

	if (fam != NFPROTO_IPV4 && fam != NFPROTO_IPV6 && fam != NFPROTO_ARP)
		return -EAFNOSUPPORT;
	if (fd < 0)
		return -errno;
	memset(&info, 0, sizeof(info));
	snprintf(info.i.name, sizeof(info.i.name), "%s", name);   /* name comes first in both */
	if (getsockopt(fd, level, o_info, &info, &il) < 0) {
		ret = -errno;
		goto out;
	}
	info_load(&t, &info);
	if (t.size > XT_BLOB_MAX) {
		ret = -E2BIG;
		goto out;
	}
	/* ipt_get_entries, ip6t_get_entries and arpt_get_entries: name, size,
	 * then the entries at an aligned offset */
	size_t head = offsetof(struct ipt_get_entries, entrytable);
	size_t el = head + t.size;
	struct ipt_get_entries *e = calloc(1, el);
	if (!e) {
		ret = -ENOMEM;
		goto out;
	}
	memcpy(e->name, info.i.name, sizeof(e->name));
	e->size = (unsigned)t.size;
	socklen_t gl = (socklen_t)el;
	if (getsockopt(fd, level, o_entries, e, &gl) < 0) {
		ret = -errno;   /* EAGAIN: the table changed between the two */
	} else {
		capbuf_add(raw, &info, info_size(fam));
		capbuf_add(raw, (const char *)e + head, t.size);
	}
	free(e);
out:
	close(fd);
	return ret;
}

static int chain_cmp(const void *a, const void *b)
{
	const struct xt_chain *x = a, *y = b;
	if (x->builtin || y->builtin)
		return x->builtin && y->builtin ? x->builtin - y->builtin : x->builtin ? -1 : 1;
	return strcmp(x->name, y->name);
}

static const char *const inet_hooks[] = { "PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING" };
static const char *const arp_hooks[] = { "INPUT", "OUTPUT", "FORWARD" };

/* Every entry's offset, each checked as the kernel made it: aligned, its
 * target inside it, inside the blob. 0 or -EINVAL, -ENOMEM. */
static int walk(struct xt_table *t, unsigned **offs)
{
	size_t aoffs = 1024;
	*offs = malloc(sizeof(**offs) * aoffs);
	if (!*offs)
		return -ENOMEM;
	t->noffs = 0;
	for (size_t off = 0; off + t->ehdr <= t->size && t->noffs < MAX_ENTRIES;) {
		const char *e = t->b + off;
		unsigned to = xt_target_offset(t, e), no = xt_next_offset(t, e);
		/* the kernel aligns every entry, match and target (XT_ALIGN) */
		if (off % XT_ALIGN(1) || no % XT_ALIGN(1) || to % XT_ALIGN(1) || no < t->ehdr ||
		    to < t->ehdr || to + sizeof(struct xt_entry_target) > no || off + no > t->size)
			return -EINVAL;
		const struct xt_entry_target *tg = xt_target(t, e);
		if (tg->u.target_size < sizeof(*tg) || to + tg->u.target_size > no)
			return -EINVAL;
		if (tg->u.user.name[XT_EXTENSION_MAXNAMELEN - 1])
			return -EINVAL;   /* the kernel's names end in NUL */
		if (t->noffs == aoffs) {
			unsigned *n = realloc(*offs, sizeof(**offs) * aoffs * 2);
			if (!n)
				return -ENOMEM;
			*offs = n;
			aoffs *= 2;
		}
		(*offs)[t->noffs++] = (unsigned)off;
		off += no;
	}
	t->offs = *offs;
	return 0;
}

/* Built-in chains at the hook entries, user chains after an ERROR header. */
static int chains(struct xt_table *t, struct xt_chain **chp)
{
	size_t ach = 64, nch = 0;
	struct xt_chain *ch = calloc(ach, sizeof(*ch));
	const char *const *hooks = t->fam == NFPROTO_ARP ? arp_hooks : inet_hooks;

	*chp = ch;
	if (!ch)
		return -ENOMEM;
	for (size_t i = 0; i < t->noffs; i++) {
		const struct xt_entry_target *tg = xt_target(t, t->b + t->offs[i]);
		struct xt_chain c = { 0 };
		for (unsigned h = 0; h < t->nhooks && !c.builtin; h++)
			if ((t->valid_hooks & (1u << h)) && t->hook_entry[h] == t->offs[i]) {
				c.builtin = (int)h + 1;
				c.off = t->offs[i];
				snprintf(c.name, sizeof(c.name), "%s", hooks[h]);
				for (size_t k = i; k < t->noffs; k++)
					if (t->offs[k] == t->underflow[h])
						c.policy = t->b + t->offs[k];
			}
		if (!c.builtin && xt_is_error(t, t->offs[i]) && i + 1 < t->noffs &&
		    tg->u.target_size >= sizeof(struct xt_error_target)) {
			const struct xt_error_target *et = (const void *)tg;
			c.off = t->offs[i + 1];
			memcpy(c.name, et->errorname, XT_FUNCTION_MAXNAMELEN);
			c.name[XT_FUNCTION_MAXNAMELEN] = '\0';
		}
		if (!c.name[0])
			continue;
		if (nch == ach) {
			if (ach >= MAX_CHAINS)
				break;
			struct xt_chain *n = realloc(ch, sizeof(*ch) * ach * 2);
			if (!n)
				return -ENOMEM;
			*chp = ch = n;
			ach *= 2;
		}
		ch[nch++] = c;
	}
	qsort(ch, nch, sizeof(*ch), chain_cmp);
	t->ch = ch;
	t->nch = nch;
	/* references: the standard targets that name a user chain */
	for (size_t i = 0; i < t->noffs; i++) {
		const struct xt_entry_target *tg = xt_target(t, t->b + t->offs[i]);
		int v;
		if (tg->u.user.name[0] || tg->u.target_size < sizeof(*tg) + sizeof(v))
			continue;
		memcpy(&v, tg->data, sizeof(v));
		for (size_t k = 0; v >= 0 && k < nch; k++)
			if (!ch[k].builtin && ch[k].off == (unsigned)v)
				ch[k].refs++;
	}
	return 0;
}

int xtables_parse(int fam, const void *buf, size_t len, struct capbuf *save, struct capbuf *out)
{
	struct xt_table t = { .fam = fam };
	unsigned *offs = NULL;
	struct xt_chain *ch = NULL;
	char *b = NULL;
	int ret;

	if ((fam != NFPROTO_IPV4 && fam != NFPROTO_IPV6 && fam != NFPROTO_ARP) ||
	    len < info_size(fam))
		return -EINVAL;
	info_load(&t, buf);
	if (len - info_size(fam) < t.size)
		t.size = len - info_size(fam);
	/* entries must be aligned as the kernel made them: copy into aligned memory */
	b = malloc(t.size + 1);
	if (!b)
		return -ENOMEM;
	memcpy(b, (const char *)buf + info_size(fam), t.size);
	t.b = b;
	ret = walk(&t, &offs);
	if (ret == 0)
		ret = chains(&t, &ch);
	if (ret == 0 && fam == NFPROTO_ARP)
		xt_list_arp(&t, save, out);
	else if (ret == 0)
		xt_save_ip(&t, save, out);
	free(b);
	free(offs);
	free(ch);
	return ret;
}

