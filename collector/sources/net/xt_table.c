/*
 * xt_table.c - reading one checked x_tables table (xt_int.h): an entry's
 * fields at its family's offsets, where a rule jumps, a chain's rules, the
 * JSON record every printer writes for a rule.
 */
#include <linux/netfilter.h>
#include <stdio.h>
#include <string.h>

#include "jsonw.h"
#include "xt_int.h"
#include "banned.h"

unsigned xt_target_offset(const struct xt_table *t, const void *e)
{
	uint16_t v;
	memcpy(&v, (const char *)e + t->o_target, sizeof(v));
	return v;
}

unsigned xt_next_offset(const struct xt_table *t, const void *e)
{
	uint16_t v;
	memcpy(&v, (const char *)e + t->o_target + 2, sizeof(v));
	return v;
}

const struct xt_entry_target *xt_target(const struct xt_table *t, const void *e)
{
	return (const void *)((const char *)e + xt_target_offset(t, e));
}

struct xt_counters xt_counts(const struct xt_table *t, const void *e)
{
	struct xt_counters c;
	/* target_offset, next_offset, comefrom, then the aligned counters */
	memcpy(&c, (const char *)e + t->ehdr - sizeof(c), sizeof(c));
	return c;
}

const char *xt_verdict(int v)
{
	return v == -NF_ACCEPT - 1 ? "ACCEPT" : v == -NF_DROP - 1 ? "DROP" :
	       v == -NF_QUEUE - 1 ? "QUEUE" : v == XT_RETURN ? "RETURN" : NULL;
}

static const struct xt_chain *chain_at(const struct xt_table *t, unsigned off)
{
	for (size_t i = 0; i < t->nch; i++)
		if (!t->ch[i].builtin && t->ch[i].off == off)
			return &t->ch[i];
	return NULL;
}

const char *xt_jump(const struct xt_table *t, const void *e)
{
	const struct xt_entry_target *tg = xt_target(t, e);
	size_t tdata = tg->u.target_size - sizeof(*tg);

	if (tg->u.user.name[0])
		return tg->u.user.name;   /* NUL-terminated by the walker */
	if (tdata < sizeof(int))
		return NULL;
	int v;
	memcpy(&v, tg->data, sizeof(v));
	if (xt_verdict(v))
		return xt_verdict(v);
	unsigned off = (unsigned)((const char *)e - t->b);
	if (v >= 0 && (unsigned)v == off + xt_next_offset(t, e))
		return "";
	const struct xt_chain *c = v >= 0 ? chain_at(t, (unsigned)v) : NULL;
	return c ? c->name : NULL;
}

/* Whether the entry at `off` has the ERROR target (a user chain's header,
 * or the table's end). */
bool xt_is_error(const struct xt_table *t, unsigned off)
{
	const struct xt_entry_target *tg = xt_target(t, t->b + off);
	return strncmp(tg->u.user.name, XT_ERROR_TARGET, XT_EXTENSION_MAXNAMELEN) == 0;
}

void xt_rules(const struct xt_table *t, const struct xt_chain *c,
	      void (*fn)(const struct xt_table *, const struct xt_chain *, const void *e,
			 unsigned num, void *arg), void *arg)
{
	unsigned num = 0;
	/* the chain's first entry (offsets rise): each entry is then visited
	 * once in all, kube-proxy's 10^4 chains too */
	size_t lo = 0, hi = t->noffs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->offs[mid] < c->off)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t k = lo; k < t->noffs; k++) {
		const void *e = t->b + t->offs[k];
		bool end = c->builtin ? e == c->policy || !c->policy
			: xt_is_error(t, t->offs[k]) || k + 1 == t->noffs || xt_is_error(t, t->offs[k + 1]);
		if (end)
			break;   /* the policy, or a user chain's implicit RETURN */
		fn(t, c, e, ++num, arg);
	}
}

void xt_rule_json(const struct xt_table *t, const struct xt_chain *c, const void *e,
		  unsigned num, const char *line, size_t len, bool decoded, struct capbuf *out)
{
	struct xt_counters n = xt_counts(t, e);
	const struct xt_entry_target *tg = xt_target(t, e);
	const char *jump = xt_jump(t, e);
	struct jw w;

	jw_begin(&w, out);
	jw_str(&w, "table", t->name);
	jw_bytes(&w, "chain", c->name, strlen(c->name));
	jw_int(&w, "rule", num);
	jw_int(&w, "packets", (int64_t)n.pcnt);
	jw_int(&w, "bytes", (int64_t)n.bcnt);
	jw_key(&w, "matches");
	capbuf_add(out, "[", 1);
	unsigned to = xt_target_offset(t, e);
	for (unsigned off = (unsigned)t->ehdr; off + sizeof(struct xt_entry_match) <= to;) {
		const struct xt_entry_match *m = (const void *)((const char *)e + off);
		unsigned ms = m->u.match_size;
		if (ms < sizeof(*m) || ms % XT_ALIGN(1) || off + ms > to)
			break;
		capbuf_add(out, off == t->ehdr ? "{" : ",{", off == t->ehdr ? 1 : 2);
		struct jw mw = { .cb = out };
		jw_bytes(&mw, "name", m->u.user.name, strnlen(m->u.user.name, XT_EXTENSION_MAXNAMELEN));
		jw_int(&mw, "revision", m->u.user.revision);
		jw_hex(&mw, "hex", m->data, ms - sizeof(*m));
		capbuf_add(out, "}", 1);
		off += ms;
	}
	capbuf_add(out, "]", 1);
	if (jump && *jump)
		jw_bytes(&w, "target", jump, strlen(jump));
	jw_hex(&w, "target_hex", tg->data, tg->u.target_size - sizeof(*tg));
	jw_bool(&w, "decoded", decoded);
	jw_bytes(&w, "save", line ? line : "", len);
	jw_end(&w);
}
