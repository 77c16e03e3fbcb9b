/*
 * report_procs.c - the processes as a tree (report_int.h): each one a line
 * with its flags that opens to its exe, hash, cwd, namespaces, open files
 * and sockets. A process's anchor is <bundle>-p-<pid>-<start_ticks>, the
 * keys a finding's evidence names.
 */
#include <stdlib.h>
#include <string.h>

#include "report_int.h"
#include "banned.h"

#define TREE_DEPTH 48   /* deeper descendants are listed at this depth */

struct walk {
	struct page *p;
	const struct rproc *pr;
	bool *seen;
	size_t *by_owner;          /* socket indexes sorted by owner pid */
	size_t nowned;
};

static const struct rsock *socks_of(const struct rbundle *b)
{
	return b->socks.v;
}

static int by_owner(const void *a, const void *b, void *ctx)
{
	const struct rsock *s = ctx;
	int64_t x = s[*(const size_t *)a].owner, y = s[*(const size_t *)b].owner;
	return x < y ? -1 : x > y;
}

static void row(struct page *p, const char *key, const char *val)
{
	if (!val || !val[0])
		return;
	h_fmt(p, "<tr><th>%s</th><td class=\"m\">", key);
	h_text(p, val);
	h_raw(p, "</td></tr>");
}

static void flags(struct page *p, const struct rproc *r)
{
	if (r->kthread)
		h_raw(p, "<span class=\"flag\">kernel thread</span>");
	if (r->deleted)
		h_raw(p, "<span class=\"flag\">deleted</span>");
	if (r->exe && strstr(r->exe, "/memfd:"))
		h_raw(p, "<span class=\"flag\">memfd</span>");
	if (r->exe_fs && (strcmp(r->exe_fs, "tmpfs") == 0 || strcmp(r->exe_fs, "shmem") == 0))
		h_raw(p, "<span class=\"flag\">tmpfs</span>");
	if (r->flags) {
		h_raw(p, "<span class=\"flag\">");
		h_text(p, r->flags);
		h_raw(p, "</span>");
	}
}

static void sockets(struct walk *w, const struct rproc *r)
{
	const struct rsock *s = socks_of(w->p->b);
	size_t lo = 0, hi = w->nowned;
	while (lo < hi) {   /* the first socket owned by r->pid */
		size_t mid = lo + (hi - lo) / 2;
		if (s[w->by_owner[mid]].owner < r->pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo >= w->nowned || s[w->by_owner[lo]].owner != r->pid)
		return;
	h_raw(w->p, "<tr><th>sockets</th><td class=\"m\">");
	for (size_t i = lo; i < w->nowned && s[w->by_owner[i]].owner == r->pid; i++) {
		const struct rsock *k = &s[w->by_owner[i]];
		h_fmt(w->p, "<a href=\"#%s-s-%lld-%lld\">", w->p->bp, (long long)k->netns,
		      (long long)k->inode);
		h_text(w->p, k->proto);
		h_raw(w->p, " ");
		h_text(w->p, k->laddr);
		h_fmt(w->p, ":%lld ", (long long)k->lport);
		h_text(w->p, k->state);
		h_raw(w->p, "</a>\n");
	}
	h_raw(w->p, "</td></tr>");
}

static void node(struct walk *w, size_t i, int depth)
{
	struct page *p = w->p;
	const struct rproc *r = &w->pr[i];

	w->seen[i] = true;
	h_fmt(p, "<li id=\"%s-p-%lld-%lld\"><details><summary><code>%lld</code> ", p->bp,
	      (long long)r->pid, (long long)r->ticks, (long long)r->pid);
	h_text(p, r->comm ? r->comm : "?");
	h_raw(p, " <small>");
	h_text(p, r->user);
	h_raw(p, " ");
	h_text(p, r->exe);
	h_raw(p, "</small>");
	flags(p, r);
	h_raw(p, "</summary><table>");
	row(p, "command", r->cmd);
	row(p, "exe", r->exe);
	row(p, "exe sha256", r->sha);
	row(p, "exe fs", r->exe_fs);
	row(p, "cwd", r->cwd);
	row(p, "started", r->start);
	row(p, "namespaces", r->ns);
	row(p, "status", r->status);
	if (r->nfiles) {
		h_fmt(p, "<tr><th>open files (%u)</th><td class=\"m\">", r->nfiles);
		h_textn(p, r->files.buf ? r->files.buf : "", r->files.len);
		if (r->nfiles > RP_FILES)
			h_fmt(p, "<span class=\"over\">%u more not shown</span>", r->nfiles - RP_FILES);
		h_raw(p, "</td></tr>");
	}
	sockets(w, r);
	h_raw(p, "</table></details>");
	if (r->child >= 0 && depth < TREE_DEPTH)
		h_raw(p, "<ul class=\"tree\">");
	for (int64_t c = r->child; c >= 0; c = w->pr[c].sib)
		if (!w->seen[c])
			node(w, (size_t)c, depth + 1);
	if (r->child >= 0 && depth < TREE_DEPTH)
		h_raw(p, "</ul>");
	h_raw(p, "</li>\n");
}

void sec_procs(struct page *p)
{
	const struct rbundle *b = p->b;
	struct walk w = { .p = p, .pr = b->procs.v };
	size_t n = b->procs.n, rest = 0;

	h_section(p, "procs", "Processes");
	h_fmt(p, "<p>%zu processes, as a tree by parent (a parent started after its child is a "
	      "recycled pid and not joined). Flags: kernel thread, deleted, memfd, tmpfs, and "
	      "the checks of the findings that name the process.</p>\n", n);
	w.seen = calloc(n ? n : 1, sizeof(*w.seen));
	w.by_owner = calloc(b->socks.n ? b->socks.n : 1, sizeof(*w.by_owner));
	if (!w.seen || !w.by_owner) {
		h_raw(p, "<p class=\"over\">out of memory: the tree is not shown</p>");
		free(w.seen);
		free(w.by_owner);
		h_section_end(p);
		return;
	}
	for (size_t i = 0; i < b->socks.n; i++)
		if (socks_of(b)[i].owner >= 0)
			w.by_owner[w.nowned++] = i;
	qsort_r(w.by_owner, w.nowned, sizeof(*w.by_owner), by_owner, b->socks.v);
	h_raw(p, "<ul class=\"tree\">\n");
	for (size_t i = 0; i < n; i++)
		if (w.pr[i].parent < 0)
			node(&w, i, 0);
	for (size_t i = 0; i < n; i++)   /* parent loops: records no root leads to */
		if (!w.seen[i]) {
			rest++;
			node(&w, i, TREE_DEPTH);
		}
	h_raw(p, "</ul>\n");
	if (rest)
		h_fmt(p, "<p class=\"over\">%zu processes are in a loop of parents (not possible "
		      "on a real host: the records were made up)</p>", rest);
	h_over(p, b->procs.over, "processes");
	free(w.seen);
	free(w.by_owner);
	h_section_end(p);
}

/* "comm(pid) < parent(pid) < ..." up the tree. */
void h_chain(struct page *p, int64_t i)
{
	const struct rproc *pr = p->b->procs.v;
	for (int k = 0; i >= 0 && k < 32; k++, i = pr[i].parent) {
		h_raw(p, k ? " &lt; " : "");
		h_fmt(p, "<a href=\"#%s-p-%lld-%lld\">", p->bp, (long long)pr[i].pid,
		      (long long)pr[i].ticks);
		h_text(p, pr[i].comm ? pr[i].comm : "?");
		h_fmt(p, "(%lld)</a>", (long long)pr[i].pid);
	}
}
