/*
 * xt_int.h - one legacy x_tables table as the decoders share it: xtables.c
 * reads the blob, checks every entry's offsets and finds the chains,
 * xt_table.c reads the checked entries;
 * xt_save.c prints an IPv4 or IPv6 table as iptables-save -c does,
 * xt_arp.c an ARP table as arptables-legacy -L -n -v -x does.
 *
 * The three entry structs (ipt_entry, ip6t_entry, arpt_entry) differ in
 * their head and agree in their tail (target_offset, next_offset,
 * comefrom, counters), which the walker reads at the family's offsets.
 */
#ifndef IRSNAP_XT_INT_H
#define IRSNAP_XT_INT_H

#include <linux/netfilter/x_tables.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capbuf.h"

#define XT_MAX_HOOKS 5

struct xt_chain {
	unsigned off;            /* offset of its first rule */
	char name[XT_FUNCTION_MAXNAMELEN + 1];
	int builtin;             /* hook number + 1, or 0 */
	const void *policy;      /* a built-in chain's policy entry */
	unsigned refs;           /* rules that jump or go to it */
};

struct xt_table {
	int fam;                 /* NFPROTO_IPV4, NFPROTO_IPV6, NFPROTO_ARP */
	char name[XT_TABLE_MAXNAMELEN];
	unsigned valid_hooks, nhooks;
	unsigned hook_entry[XT_MAX_HOOKS], underflow[XT_MAX_HOOKS];
	const char *b;           /* the entries, copied to aligned memory */
	size_t size;
	const unsigned *offs;    /* each entry's offset, rising */
	size_t noffs;
	const struct xt_chain *ch;   /* built-ins by hook, then by name */
	size_t nch;
	size_t o_target;         /* offsetof(entry, target_offset); */
	size_t ehdr;             /* sizeof(entry) */
};

/* An entry's fields (e points into t->b at a checked offset). */
unsigned xt_target_offset(const struct xt_table *t, const void *e);
unsigned xt_next_offset(const struct xt_table *t, const void *e);
const struct xt_entry_target *xt_target(const struct xt_table *t, const void *e);
struct xt_counters xt_counts(const struct xt_table *t, const void *e);
/* Whether the entry at offset off has the ERROR target (a user chain's
 * header, or the table's end). */
bool xt_is_error(const struct xt_table *t, unsigned off);
/* A standard target's verdict name (ACCEPT, DROP, QUEUE, RETURN) or NULL. */
const char *xt_verdict(int v);
/* Where the rule e goes: a verdict, a user chain's name, "" when it falls
 * through to the next rule (a rule without -j), the extension's name for
 * any other target; NULL when the standard verdict points nowhere known. */
const char *xt_jump(const struct xt_table *t, const void *e);
/* The rules of chain c, in order, without its policy or implicit RETURN. */
void xt_rules(const struct xt_table *t, const struct xt_chain *c,
	      void (*fn)(const struct xt_table *, const struct xt_chain *, const void *e,
			 unsigned num, void *arg), void *arg);

/* The printers: text into save, one JSON record a rule into out. */
void xt_save_ip(const struct xt_table *t, struct capbuf *save, struct capbuf *out);
void xt_list_arp(const struct xt_table *t, struct capbuf *save, struct capbuf *out);

/* The JSON record of a rule all printers share; line is its text. */
void xt_rule_json(const struct xt_table *t, const struct xt_chain *c, const void *e,
		  unsigned num, const char *line, size_t len, bool decoded, struct capbuf *out);

#endif
