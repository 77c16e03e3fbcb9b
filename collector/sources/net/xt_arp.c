/*
 * xt_arp.c - an ARP x_tables table (xt_int.h) as `arptables-legacy -L -n
 * -v -x` lists it (arptables 0.0.5: print_header, print_firewall, the
 * mangle, CLASSIFY and MARK targets' print), and a JSON record a rule.
 * arptables has no save format of its own worth the name (Debian's
 * arptables-legacy-save is a Perl script over `arptables -L`, which is
 * the nft variant there), so the listing with its counters is the text.
 * An unknown target is printed as arptables prints it and marked not
 * decoded.
 */
#include <arpa/inet.h>
#include <linux/netfilter/xt_CLASSIFY.h>
#include <linux/netfilter/xt_mark.h>
#include <linux/netfilter_arp/arp_tables.h>
#include <linux/netfilter_arp/arpt_mangle.h>
#include <stdio.h>
#include <string.h>

#include "xt_int.h"
#include "banned.h"

static void add(struct capbuf *s, const char *str)
{
	capbuf_add(s, str, strlen(str));
}

/* addr_to_dotted and mask_to_dotted: nothing for /32 */
static void ip_and_mask(struct capbuf *s, const char *opt, struct in_addr a, struct in_addr m,
			int inv)
{
	char abuf[INET_ADDRSTRLEN], mbuf[INET_ADDRSTRLEN + 1] = "", out[96];
	uint32_t hm = ntohl(m.s_addr);
	int len = -1;

	if (!m.s_addr)
		return;
	for (int i = 0; i < 32 && len < 0; i++)
		if (hm == (i ? ~0u << (32 - i) : 0u))
			len = i;
	inet_ntop(AF_INET, &a, abuf, sizeof(abuf));
	if (len >= 0) {
		snprintf(mbuf, sizeof(mbuf), "/%d", len);
	} else if (hm != 0xffffffffu) {
		mbuf[0] = '/';
		inet_ntop(AF_INET, &m, mbuf + 1, sizeof(mbuf) - 1);
	}
	snprintf(out, sizeof(out), "%s%s %s%s ", inv ? "! " : "", opt, abuf, mbuf);
	add(s, out);
}

static void mac(struct capbuf *s, const unsigned char *m)
{
	char out[24];
	snprintf(out, sizeof(out), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
	add(s, out);
}

static void devaddr(struct capbuf *s, const char *opt, const struct arpt_devaddr_info *d, int inv)
{
	int i;
	for (i = 0; i < ARPT_DEV_ADDR_LEN_MAX && !d->mask[i]; i++)
		;
	if (i == ARPT_DEV_ADDR_LEN_MAX)
		return;
	add(s, inv ? "! " : "");
	add(s, opt);
	mac(s, (const unsigned char *)d->addr);
	for (i = 0; i < 6 && (unsigned char)d->mask[i] == 255; i++)
		;
	if (i < 6) {
		add(s, "/");
		mac(s, (const unsigned char *)d->mask);
	}
	add(s, " ");
}

static void iface(struct capbuf *s, char letter, const char *name, int inv)
{
	char out[IFNAMSIZ + 8];
	snprintf(out, sizeof(out), "%s-%c %.*s ", inv ? "! " : "", letter, IFNAMSIZ,
		 name[0] ? name : "*");
	add(s, out);
}

/* --opcode, --h-type, --proto-type: a value and its mask, numeric */
static void field16(struct capbuf *s, const char *opt, uint16_t v, uint16_t m, int inv, bool hex)
{
	char out[64];
	if (!m)
		return;
	snprintf(out, sizeof(out), hex ? "%s%s 0x%x" : "%s%s %u", inv ? "! " : "", opt, ntohs(v));
	add(s, out);
	if (m != 0xffff) {
		snprintf(out, sizeof(out), hex ? "/%x" : "/%d", ntohs(m));
		add(s, out);
	}
	add(s, " ");
}

/* The target's options; false when irsnap does not decode it. */
static bool target_opts(struct capbuf *s, const struct xt_entry_target *tg)
{
	size_t n = tg->u.target_size - sizeof(*tg);
	char out[96];

	if (!tg->u.user.name[0])
		return true;   /* standard: a verdict or a chain, nothing more */
	if (!strcmp(tg->u.user.name, "mangle") && n >= sizeof(struct arpt_mangle)) {
		struct arpt_mangle m;
		char a[INET_ADDRSTRLEN];
		memcpy(&m, tg->data, sizeof(m));
		if (m.flags & ARPT_MANGLE_SIP) {
			inet_ntop(AF_INET, &m.u_s.src_ip, a, sizeof(a));
			snprintf(out, sizeof(out), "--mangle-ip-s %s ", a);
			add(s, out);
		}
		if (m.flags & ARPT_MANGLE_SDEV) {
			add(s, "--mangle-mac-s ");
			mac(s, (const unsigned char *)m.src_devaddr);
			add(s, " ");
		}
		if (m.flags & ARPT_MANGLE_TIP) {
			inet_ntop(AF_INET, &m.u_t.tgt_ip, a, sizeof(a));
			snprintf(out, sizeof(out), "--mangle-ip-d %s ", a);
			add(s, out);
		}
		if (m.flags & ARPT_MANGLE_TDEV) {
			add(s, "--mangle-mac-d ");
			mac(s, (const unsigned char *)m.tgt_devaddr);
			add(s, " ");
		}
		if (m.target != NF_ACCEPT)
			add(s, m.target == NF_DROP ? "--mangle-target DROP " : "--mangle-target CONTINUE ");
		return true;
	}
	if (!strcmp(tg->u.user.name, "CLASSIFY") && n >= sizeof(struct xt_classify_target_info)) {
		struct xt_classify_target_info c;
		memcpy(&c, tg->data, sizeof(c));
		snprintf(out, sizeof(out), "--set-class %x:%x ", c.priority >> 16, c.priority & 0xffff);
		add(s, out);
		return true;
	}
	if (!strcmp(tg->u.user.name, "MARK") && n >= sizeof(struct xt_mark_tginfo2)) {
		struct xt_mark_tginfo2 m;
		memcpy(&m, tg->data, sizeof(m));
		if (m.mark == 0)
			snprintf(out, sizeof(out), "--and-mark %x", ~m.mask);
		else if (m.mark == m.mask)
			snprintf(out, sizeof(out), "--or-mark %x", m.mark);
		else
			snprintf(out, sizeof(out), "--set-mark %x", m.mark);
		add(s, out);   /* arptables prints no space after it */
		return true;
	}
	if (n) {
		snprintf(out, sizeof(out), "[%zu bytes of unknown target data] ", n);
		add(s, out);
	}
	return false;
}

static void one_rule(const struct xt_table *t, const struct xt_chain *c, const void *e,
		     unsigned num, void *arg)
{
	const struct arpt_arp *a = &((const struct arpt_entry *)e)->arp;
	struct capbuf **io = arg, line;
	const char *jump = xt_jump(t, e);
	struct xt_counters n = xt_counts(t, e);
	char out[96];

	capbuf_init(&line, 1u << 12);
	if (jump && *jump) {
		add(&line, "-j ");
		add(&line, jump);
		add(&line, " ");
	}
	iface(&line, 'i', a->iniface, a->invflags & ARPT_INV_VIA_IN);
	iface(&line, 'o', a->outiface, a->invflags & ARPT_INV_VIA_OUT);
	ip_and_mask(&line, "-s", a->src, a->smsk, a->invflags & ARPT_INV_SRCIP);
	devaddr(&line, "--src-mac ", &a->src_devaddr, a->invflags & ARPT_INV_SRCDEVADDR);
	ip_and_mask(&line, "-d", a->tgt, a->tmsk, a->invflags & ARPT_INV_TGTIP);
	devaddr(&line, "--dst-mac ", &a->tgt_devaddr, a->invflags & ARPT_INV_TGTDEVADDR);
	if (a->arhln_mask) {
		snprintf(out, sizeof(out), "%s--h-length %d", a->invflags & ARPT_INV_ARPHLN ? "! " : "",
			 a->arhln);
		add(&line, out);
		if (a->arhln_mask != 255) {
			snprintf(out, sizeof(out), "/%d", a->arhln_mask);
			add(&line, out);
		}
		add(&line, " ");
	}
	field16(&line, "--opcode", a->arpop, a->arpop_mask, a->invflags & ARPT_INV_ARPOP, false);
	field16(&line, "--h-type", a->arhrd, a->arhrd_mask, a->invflags & ARPT_INV_ARPHRD, false);
	field16(&line, "--proto-type", a->arpro, a->arpro_mask, a->invflags & ARPT_INV_ARPPRO, true);
	bool decoded = target_opts(&line, xt_target(t, e)) && jump;
	if (t->ehdr != xt_target_offset(t, e))
		decoded = false;   /* arptables has no matches: a forged entry */
	snprintf(out, sizeof(out), ", pcnt=%llu -- bcnt=%llu ", (unsigned long long)n.pcnt,
		 (unsigned long long)n.bcnt);
	add(&line, out);
	xt_rule_json(t, c, e, num, line.buf, line.len, decoded, io[1]);
	capbuf_add(&line, "\n", 1);
	capbuf_add(io[0], line.buf, line.len);
	capbuf_release(&line);
}

void xt_list_arp(const struct xt_table *t, struct capbuf *save, struct capbuf *out)
{
	struct capbuf *io[2] = { save, out };
	char line[192];

	for (size_t i = 0; i < t->nch; i++) {
		const struct xt_chain *c = &t->ch[i];
		if (i)
			add(save, "\n");
		if (c->builtin) {
			struct xt_counters n = { 0, 0 };
			const char *pol = NULL;
			if (c->policy) {
				const struct xt_entry_target *tg = xt_target(t, c->policy);
				int v = 0;
				if (tg->u.target_size >= sizeof(*tg) + sizeof(int))
					memcpy(&v, tg->data, sizeof(v));
				pol = xt_verdict(v);
				n = xt_counts(t, c->policy);
			}
			snprintf(line, sizeof(line), "Chain %s (policy %s %llu packets, %llu bytes)\n",
				 c->name, pol ? pol : "-", (unsigned long long)n.pcnt,
				 (unsigned long long)n.bcnt);
		} else {
			snprintf(line, sizeof(line), "Chain %s (%u references)\n", c->name, c->refs);
		}
		add(save, line);
		xt_rules(t, c, one_rule, io);
	}
}
