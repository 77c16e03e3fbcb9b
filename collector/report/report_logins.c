/*
 * report_logins.c - the logins section (report_int.h): one timeline of
 * wtmp, btmp, lastlog and the current sessions (utmp), oldest first, a
 * login from an address that btmp has failures of marked, and the
 * anomalies the login sources recorded.
 */
#include <stdlib.h>
#include <string.h>

#include "report_int.h"
#include "banned.h"

static const char *const src_name[RL_NSRC] = {
	[RL_WTMP] = "wtmp", [RL_BTMP] = "btmp (failed)", [RL_LASTLOG] = "lastlog",
	[RL_UTMP] = "utmp (now)",
};

static int by_time(const void *a, const void *b, void *ctx)
{
	const struct rlogin *l = ctx;
	const struct rlogin *x = &l[*(const size_t *)a], *y = &l[*(const size_t *)b];
	if (x->epoch != y->epoch)
		return x->epoch < y->epoch ? -1 : 1;
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;   /* stable */
}

static void anomalies(struct page *p)
{
	json_t *const *a = p->b->anoms.v;
	if (!p->b->anoms.n) {
		h_raw(p, "<p>No anomaly recorded in the login sources.</p>\n");
		return;
	}
	h_fmt(p, "<h3>Anomalies (%zu)</h3><table><thead><tr><th>source</th><th>offset</th>"
	      "<th>kind</th><th>detail</th></tr></thead><tbody>\n", p->b->anoms.n);
	for (size_t i = 0; i < p->b->anoms.n; i++) {
		h_raw(p, "<tr class=\"medium\">");
		h_td(p, jstr(a[i], "source"));
		h_tdi(p, (long long)jint(a[i], "offset", -1));
		h_td(p, jstr(a[i], "kind"));
		h_td(p, jstr(a[i], "detail"));
		h_raw(p, "</tr>\n");
	}
	h_raw(p, "</tbody></table>\n");
	h_over(p, p->b->anoms.over, "anomalies");
}

void sec_logins(struct page *p)
{
	const struct rbundle *b = p->b;
	const struct rlogin *l = b->logins.v;
	size_t n = b->logins.n, fails = 0, marked = 0;
	size_t *ix = calloc(n ? n : 1, sizeof(*ix));

	h_section(p, "logins", "Logins");
	if (!ix) {
		h_raw(p, "<p class=\"over\">out of memory</p>");
		h_section_end(p);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		ix[i] = i;
		fails += l[i].src == RL_BTMP;
		marked += l[i].after_failures;
	}
	qsort_r(ix, n, sizeof(*ix), by_time, b->logins.v);
	h_fmt(p, "<p>%zu records (wtmp with its rotations, btmp, lastlog, utmp), oldest first; "
	      "%zu failed logins; %zu logins from an address with failed logins "
	      "(marked).</p>\n", n, fails, marked);
	anomalies(p);
	if (n) {
		h_filter(p, "logins-t");
		h_fmt(p, "<table id=\"%s-logins-t\"><thead><tr><th>time (UTC)</th><th>source</th>"
		      "<th>type</th><th>user</th><th>line</th><th>host</th><th>address</th>"
		      "<th>pid</th></tr></thead><tbody>\n", p->bp);
	}
	for (size_t k = 0; k < n; k++) {
		const struct rlogin *r = &l[ix[k]];
		h_fmt(p, "<tr%s>", r->after_failures ? " class=\"high\"" : r->src == RL_BTMP ?
		      " class=\"low\"" : "");
		h_td(p, r->time);
		h_raw(p, "<td>");
		h_raw(p, src_name[r->src]);
		if (r->after_failures)
			h_raw(p, "<span class=\"flag\">after failures</span>");
		h_raw(p, "</td>");
		h_td(p, r->type);
		h_td(p, r->user);
		h_td(p, r->line);
		h_td(p, r->host);
		h_td(p, r->addr);
		h_tdi(p, (long long)r->pid);
		h_raw(p, "</tr>\n");
	}
	if (n)
		h_raw(p, "</tbody></table>\n");
	h_over(p, b->logins.over, "login records");
	free(ix);
	h_section_end(p);
}
