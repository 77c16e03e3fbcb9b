/*
 * report_fleet.c - the page (report.h): with several bundles a fleet
 * overview and the pivots across hosts first (the same exe SHA-256, remote
 * address or user on more than one host); then each bundle's sections,
 * the incident-report draft last.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"
#include "banned.h"

#define PIVOTS 500u

struct pv {
	const char *key;
	size_t bundle;
};

static int by_key(const void *a, const void *b)
{
	const struct pv *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	return c ? c : x->bundle < y->bundle ? -1 : x->bundle > y->bundle;
}

static void add(struct rvec *v, const char *key, size_t bundle)
{
	if (!key || !key[0] || strcmp(key, "0.0.0.0") == 0 || strcmp(key, "::") == 0)
		return;
	struct pv *e = rvec_add(v, sizeof(*e), 1u << 22);
	if (e)
		*e = (struct pv){ key, bundle };
}

static void pivot(struct page *p, struct rbundle *b, size_t n, const char *title, int what)
{
	struct rvec v = { 0 };
	size_t groups = 0;
	for (size_t i = 0; i < n; i++) {
		const struct rproc *pr = b[i].procs.v;
		const struct rsock *s = b[i].socks.v;
		const struct rlogin *l = b[i].logins.v;
		if (what == 0)
			for (size_t k = 0; k < b[i].procs.n; k++)
				add(&v, pr[k].sha, i);
		if (what == 1)
			for (size_t k = 0; k < b[i].socks.n; k++)
				add(&v, s[k].raddr, i);
		if (what == 2)
			for (size_t k = 0; k < b[i].logins.n; k++)
				add(&v, l[k].src != RL_LASTLOG ? l[k].user : NULL, i);
	}
	if (v.n)
		qsort(v.v, v.n, sizeof(struct pv), by_key);
	h_fmt(p, "<h3>%s</h3><table><thead><tr><th>value</th><th>hosts</th></tr></thead><tbody>\n",
	      title);
	const struct pv *e = v.v;
	for (size_t i = 0; i < v.n;) {
		size_t j = i, hosts = 0;
		for (; j < v.n && strcmp(e[j].key, e[i].key) == 0; j++)
			hosts += j == i || e[j].bundle != e[j - 1].bundle;
		if (hosts > 1 && groups++ < PIVOTS) {
			h_raw(p, "<tr><td class=\"m\">");
			h_text(p, e[i].key);
			h_raw(p, "</td><td>");
			for (size_t k = i; k < j; k++)
				if (k == i || e[k].bundle != e[k - 1].bundle) {
					h_fmt(p, "<a href=\"#b%zu-summary\">", e[k].bundle);
					h_text(p, jstr(json_object_get(b[e[k].bundle].run, "host"),
						       "hostname"));
					h_raw(p, "</a> ");
				}
			h_raw(p, "</td></tr>\n");
		}
		i = j;
	}
	h_raw(p, "</tbody></table>\n");
	h_over(p, groups > PIVOTS ? groups - PIVOTS : 0, "values");
	free(v.v);
}

void sec_fleet(struct page *p, struct rbundle *b, size_t n)
{
	h_fmt(p, "<section id=\"fleet\"><h2>Fleet overview: %zu bundles</h2>\n<table><thead><tr>"
	      "<th>verdict</th><th>bundle</th><th>host</th><th>collected</th><th>high</th>"
	      "<th>medium</th><th>low</th></tr></thead><tbody>\n", n);
	for (size_t i = 0; i < n; i++) {
		json_t *f = json_object_get(b[i].run, "findings");
		h_fmt(p, "<tr class=\"%s\"><td>%s</td><td><a href=\"#b%zu-summary\">", b[i].fails ?
		      "high" : "", b[i].fails == 0 ? "VALID" : b[i].fails < 0 ? "UNREADABLE" :
		      "INVALID", i);
		h_text(p, b[i].path);
		h_raw(p, "</a></td>");
		h_td(p, jstr(json_object_get(b[i].run, "host"), "hostname"));
		h_td(p, jstr(b[i].run, "started_at"));
		h_tdi(p, (long long)jint(f, "high", 0));
		h_tdi(p, (long long)jint(f, "medium", 0));
		h_tdi(p, (long long)jint(f, "low", 0));
		h_raw(p, "</tr>\n");
	}
	h_raw(p, "</tbody></table>\n<p>Pivots across the valid and invalid bundles alike: an "
	      "invalid bundle's values are not evidence.</p>\n");
	pivot(p, b, n, "The same exe SHA-256 on several hosts", 0);
	pivot(p, b, n, "The same remote address on several hosts", 1);
	pivot(p, b, n, "The same user in the login records of several hosts", 2);
	h_raw(p, "</section>\n");
}

static void fill(struct page *p, const char *what)
{
	h_fmt(p, "<tr><th>%s</th><td class=\"fill\">(to be filled by the investigator)</td></tr>\n",
	      what);
}

void sec_draft(struct page *p)
{
	const struct rbundle *b = p->b;
	const struct rsock *s = b->socks.v;
	const struct rlogin *l = b->logins.v;
	json_t *run = b->run;
	size_t shown = 0;

	h_section(p, "draft", "Incident report draft");
	h_raw(p, "<p>For the report to the team and to JPCERT/CC: the facts below come from "
	      "the bundle; the attack taxonomy fields (JPCERT/CC's primer) are the "
	      "investigator's.</p><table>\n<tr><th>host</th>");
	h_td(p, jstr(json_object_get(run, "host"), "hostname"));
	h_raw(p, "</tr><tr><th>collected</th><td>");
	h_text(p, jstr(run, "started_at"));
	h_raw(p, " to ");
	h_text(p, jstr(run, "finished_at"));
	h_raw(p, "</td></tr><tr><th>case, examiner</th><td>");
	h_text(p, jstr(json_object_get(run, "case"), "id"));
	h_raw(p, ", ");
	h_text(p, jstr(json_object_get(run, "case"), "examiner"));
	h_raw(p, "</td></tr><tr><th>remote addresses (connections)</th><td class=\"m\">");
	for (size_t i = 0; i < b->socks.n && shown < 200; i++)
		if (s[i].raddr && s[i].state && strcmp(s[i].state, "ESTABLISHED") == 0 &&
		    s[i].proto && strcmp(s[i].proto, "unix") != 0) {
			h_text(p, s[i].raddr);
			h_fmt(p, ":%lld ", (long long)s[i].rport);
			shown++;
		}
	h_raw(p, "</td></tr><tr><th>accounts and hosts in the logins</th><td class=\"m\">");
	shown = 0;
	for (size_t i = 0; i < b->logins.n && shown < 200; i++)
		if (l[i].user && l[i].user[0] && (l[i].src == RL_BTMP || l[i].after_failures ||
						   l[i].src == RL_UTMP)) {
			h_text(p, l[i].user);
			h_raw(p, "@");
			h_text(p, l[i].host);
			h_raw(p, " ");
			shown++;
		}
	h_raw(p, "</td></tr><tr><th>what was collected</th><td class=\"m\">bundle ");
	h_text(p, b->res.id);
	h_raw(p, ", sha256 ");
	h_text(p, b->res.bundle_sha256);
	h_fmt(p, ", %llu bytes, %u members, signer ", b->res.bundle_bytes, b->res.members);
	h_text(p, b->res.fingerprint);
	h_raw(p, "</td></tr>\n");
	fill(p, "tool");
	fill(p, "vulnerability");
	fill(p, "action");
	fill(p, "target");
	fill(p, "unauthorized result");
	h_raw(p, "</table>\n");
	h_section_end(p);
}

int report_html(FILE *out, struct rbundle *b, size_t n)
{
	struct page p = { .f = out };
	char bp[32];

	h_head(&p, n == 1 ? "irsnap report" : "irsnap fleet report");
	h_raw(&p, "<h1>irsnap report</h1>\n");
	if (n > 1)
		sec_fleet(&p, b, n);
	for (size_t i = 0; i < n; i++) {
		snprintf(bp, sizeof(bp), "b%zu", i);
		p.bp = bp;
		p.b = &b[i];
		h_fmt(&p, "<article id=\"b%zu\"><h1>", i);
		h_text(&p, b[i].path);
		h_raw(&p, "</h1>\n<nav>");
		static const char *const secs[] = { "summary", "findings", "procs", "net",
			"logins", "persist", "timeline", "worklog", "draft" };
		for (size_t k = 0; k < sizeof(secs) / sizeof(secs[0]); k++)
			h_fmt(&p, "<a href=\"#%s-%s\">%s</a>", bp, secs[k], secs[k]);
		h_raw(&p, "</nav>\n");
		sec_summary(&p);
		if (b[i].fails >= 0) {
			sec_findings(&p);
			sec_procs(&p);
			sec_net(&p);
			sec_logins(&p);
			sec_persist(&p);
			sec_timeline(&p);
			sec_worklog(&p);
			sec_draft(&p);
		}
		h_raw(&p, "</article>\n");
	}
	h_tail(&p);
	if (!p.err && fflush(out) != 0)
		p.err = -(errno ? errno : EIO);
	return p.err;
}
