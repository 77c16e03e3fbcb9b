/*
 * report_net.c - the network section (report_int.h): per network
 * namespace, the listeners and then the connections, each joined with its
 * owner, the owner's exe and its parent chain; then the interfaces,
 * addresses, routes and neighbours of that namespace.
 */
#include <stdlib.h>
#include <string.h>

#include "report_int.h"
#include "banned.h"

static int by_ns(const void *a, const void *b)
{
	const int64_t *x = a, *y = b;
	return *x < *y ? -1 : *x > *y;
}

static bool listening(const struct rsock *s)
{
	return s->state && (strcmp(s->state, "LISTEN") == 0 ||
			    (strcmp(s->state, "UNCONN") == 0 && s->lport > 0));
}

static void sock_row(struct page *p, const struct rsock *s)
{
	int64_t o = s->owner >= 0 ? rproc_find(p->b, s->owner) : -1;
	const struct rproc *pr = p->b->procs.v;

	h_fmt(p, "<tr id=\"%s-s-%lld-%lld\">", p->bp, (long long)s->netns, (long long)s->inode);
	h_td(p, s->proto);
	h_td(p, s->state);
	h_raw(p, "<td class=\"m\">");
	h_text(p, s->laddr);
	if (s->lport >= 0)
		h_fmt(p, ":%lld", (long long)s->lport);
	h_raw(p, "</td><td class=\"m\">");
	h_text(p, s->raddr);
	if (s->rport > 0)
		h_fmt(p, ":%lld", (long long)s->rport);
	h_raw(p, "</td>");
	h_td(p, s->user);
	h_tdi(p, s->inode);
	h_raw(p, "<td class=\"m\">");
	h_text(p, s->owners && s->owners[0] ? s->owners : "(no owner found)");
	if (s->one_view)
		h_raw(p, "<span class=\"flag\">one view only</span>");
	h_raw(p, "</td><td class=\"m\">");
	h_text(p, o >= 0 ? pr[o].exe : NULL);
	h_raw(p, "</td><td>");
	if (o >= 0)
		h_chain(p, o);
	h_raw(p, "</td></tr>\n");
}

static void socks(struct page *p, int64_t ns, bool listeners)
{
	const struct rsock *s = p->b->socks.v;
	char id[64];
	size_t shown = 0, left = 0;

	snprintf(id, sizeof(id), "%s-%lld", listeners ? "listen" : "conn", (long long)ns);
	for (size_t i = 0; i < p->b->socks.n; i++) {
		if (s[i].netns != ns || listening(&s[i]) != listeners ||
		    (!listeners && s[i].proto && strcmp(s[i].proto, "unix") == 0 &&
		     (!s[i].owners || !s[i].owners[0])))
			continue;
		if (shown >= RP_TABLE_ROWS) {   /* a browser lays a table out whole */
			left++;
			continue;
		}
		if (!shown++) {
			h_fmt(p, "<h3>%s</h3>\n", listeners ? "Listeners" : "Connections and other "
			      "sockets");
			h_filter(p, id);
			h_fmt(p, "<table id=\"%s-%s\"><thead><tr><th>proto</th><th>state</th>"
			      "<th>local</th><th>remote</th><th>user</th><th>inode</th><th>owners</th>"
			      "<th>owner's exe</th><th>parent chain</th></tr></thead><tbody>\n", p->bp,
			      id);
		}
		sock_row(p, &s[i]);
	}
	if (shown)
		h_raw(p, "</tbody></table>\n");
	if (left)
		h_fmt(p, "<p class=\"over\">%zu more not shown (the page's cap of %u rows a table; "
		      "volatile/sockets.jsonl and irsnap export have them all)</p>\n", left,
		      RP_TABLE_ROWS);
}

static void json_cell(struct page *p, json_t *rec, const char *key)
{
	json_t *v = json_object_get(rec, key);
	if (json_is_string(v)) {
		h_td(p, json_string_value(v));
	} else if (json_is_integer(v)) {
		h_tdi(p, (long long)json_integer_value(v));
	} else if (json_is_array(v) || json_is_object(v)) {
		char *t = json_dumps(v, JSON_COMPACT);
		h_td(p, t);
		free(t);
	} else {
		h_td(p, NULL);
	}
}

static void config(struct page *p, int64_t ns, char kind, const char *title,
		   const char *const *keys)
{
	const struct rnet *x = p->b->net.v;
	size_t shown = 0;
	for (size_t i = 0; i < p->b->net.n; i++) {
		if (x[i].netns != ns || x[i].kind != kind)
			continue;
		if (!shown++) {
			h_fmt(p, "<h3>%s</h3><table><thead><tr>", title);
			for (const char *const *k = keys; *k; k++)
				h_fmt(p, "<th>%s</th>", *k);
			h_raw(p, "</tr></thead><tbody>\n");
		}
		h_raw(p, "<tr>");
		for (const char *const *k = keys; *k; k++)
			json_cell(p, x[i].rec, *k);
		h_raw(p, "</tr>\n");
	}
	if (shown)
		h_raw(p, "</tbody></table>\n");
}

void sec_net(struct page *p)
{
	const struct rbundle *b = p->b;
	size_t n = 0, total = b->socks.n + b->net.n;
	int64_t *ns = calloc(total ? total : 1, sizeof(*ns));

	h_section(p, "net", "Network");
	if (!ns) {
		h_raw(p, "<p class=\"over\">out of memory</p>");
		h_section_end(p);
		return;
	}
	for (size_t i = 0; i < b->socks.n; i++)
		ns[n++] = ((const struct rsock *)b->socks.v)[i].netns;
	for (size_t i = 0; i < b->net.n; i++)
		ns[n++] = ((const struct rnet *)b->net.v)[i].netns;
	qsort(ns, n, sizeof(*ns), by_ns);
	h_fmt(p, "<p>%zu sockets. Unix sockets without an owner are left out of the "
	      "tables (volatile/sockets.jsonl has them).</p>\n", b->socks.n);
	for (size_t i = 0; i < n; i++) {
		if (i && ns[i] == ns[i - 1])
			continue;
		h_fmt(p, "<h3>Network namespace %lld</h3>\n", (long long)ns[i]);
		socks(p, ns[i], true);
		socks(p, ns[i], false);
		config(p, ns[i], 'l', "Interfaces", (const char *const[]){ "index", "name",
		       "flags", "address", "mtu", "kind", "promiscuous", NULL });
		config(p, ns[i], 'a', "Addresses", (const char *const[]){ "index", "label",
		       "family", "address", "prefixlen", "scope", NULL });
		config(p, ns[i], 'r', "Routes", (const char *const[]){ "family", "dst",
		       "dst_len", "gateway", "oif", "prefsrc", "table", NULL });
		config(p, ns[i], 'n', "Neighbours", (const char *const[]){ "index", "family",
		       "dst", "lladdr", "state", NULL });
	}
	h_over(p, b->socks.over, "sockets");
	h_over(p, b->net.over, "interface, address, route or neighbour records");
	free(ns);
	h_section_end(p);
}
