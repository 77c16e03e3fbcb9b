/*
 * report_model.c - the report's records from a bundle's JSON records, and
 * the joins made once every member is read (report.h): the process tree,
 * each process's open files and the checks of findings.jsonl naming it,
 * logins from addresses that failed before.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "report_int.h"
#include "strset.h"
#include "vec.h"
#include "banned.h"

void *rvec_add(struct rvec *v, size_t size, size_t cap)
{
	if (v->n >= cap || !vec_reserve(&v->v, &v->alloc, v->n + 1, size)) {
		v->over++;
		return NULL;
	}
	void *e = (char *)v->v + v->n * size;
	memset(e, 0, size);
	v->n++;
	return e;
}

static int by_time_desc(const void *a, const void *b)
{
	const struct rbody *x = a, *y = b;
	return x->t < y->t ? 1 : x->t > y->t ? -1 : 0;
}

void rbody_keep_recent(struct rvec *v, size_t keep)
{
	struct rbody *r = v->v;
	if (v->n <= keep)
		return;
	qsort(r, v->n, sizeof(*r), by_time_desc);
	for (size_t i = keep; i < v->n; i++)
		free(r[i].name);
	v->over += v->n - keep;
	v->n = keep;
}

const char *jstr(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

int64_t jint(json_t *o, const char *key, int64_t dflt)
{
	json_t *v = json_object_get(o, key);
	return json_is_integer(v) ? (int64_t)json_integer_value(v) : dflt;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* An array of strings joined by spaces, or an object's scalars as k:v. */
static char *joined(json_t *v, size_t cap)
{
	struct capbuf cb;
	size_t i;
	const char *k;
	json_t *x;

	capbuf_init(&cb, cap);
	if (json_is_array(v)) {
		json_array_foreach(v, i, x) {
			if (json_is_string(x))
				capbuf_printf(&cb, "%s%s", i ? " " : "", json_string_value(x));
		}
	} else if (json_is_object(v)) {
		json_object_foreach(v, k, x) {
			if (json_is_integer(x))
				capbuf_printf(&cb, "%s%s:%lld", cb.len ? " " : "", k,
					      (long long)json_integer_value(x));
		}
	}
	if (cb.truncated && cb.len >= 3)   /* said where it was cut */
		memcpy(cb.buf + cb.len - 3, "...", 3);
	char *s = capbuf_detach(&cb, NULL);
	capbuf_release(&cb);
	return s;
}

void rproc_add(struct rbundle *b, json_t *rec)
{
	struct rproc *p = rvec_add(&b->procs, sizeof(*p), RP_PROCS);
	b->procs_sorted = false;
	if (!p)
		return;
	json_t *ns = json_object_get(rec, "namespaces");
	p->pid = jint(rec, "pid", -1);
	p->ppid = jint(rec, "ppid", -1);
	p->ticks = jint(rec, "start_ticks", -1);
	p->netns = jint(ns, "net", -1);
	p->comm = dup_or_null(jstr(rec, "comm"));
	p->cmd = joined(json_object_get(rec, "cmdline"), 4096);
	p->exe = dup_or_null(jstr(rec, "exe"));
	p->sha = dup_or_null(jstr(rec, "exe_sha256"));
	p->cwd = dup_or_null(jstr(rec, "cwd"));
	p->user = dup_or_null(jstr(json_object_get(rec, "uid_names"), "real"));
	p->start = dup_or_null(jstr(rec, "start_time"));
	p->exe_fs = dup_or_null(jstr(rec, "exe_fs"));
	p->ns = joined(ns, 1024);
	p->status = dup_or_null(jstr(rec, "status"));
	p->kthread = json_is_true(json_object_get(rec, "kernel_thread"));
	p->deleted = json_is_true(json_object_get(rec, "exe_deleted"));
	capbuf_init(&p->files, 64u << 10);
	p->child = p->sib = p->parent = -1;
}

static int by_pid(const void *a, const void *b)
{
	const struct rproc *x = a, *y = b;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

static void sort_procs(struct rbundle *b)
{
	if (!b->procs_sorted && b->procs.n)
		qsort(b->procs.v, b->procs.n, sizeof(struct rproc), by_pid);
	b->procs_sorted = true;
}

int64_t rproc_find(const struct rbundle *b, int64_t pid)
{
	size_t lo = 0, hi = b->procs.n;
	const struct rproc *p = b->procs.v;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (p[mid].pid == pid)
			return (int64_t)mid;
		if (p[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

void rfile_add(struct rbundle *b, json_t *rec)
{
	sort_procs(b);   /* processes.jsonl comes first in a bundle */
	int64_t i = rproc_find(b, jint(rec, "pid", -1));
	const char *t = jstr(rec, "target");
	if (i < 0 || !t)
		return;
	struct rproc *p = (struct rproc *)b->procs.v + i;
	if (p->nfiles++ < RP_FILES)
		capbuf_printf(&p->files, "%lld %s%s\n", (long long)jint(rec, "fd", -1), t,
			      json_is_true(json_object_get(rec, "deleted")) ? " [deleted]" : "");
}

void rsock_add(struct rbundle *b, json_t *rec)
{
	struct rsock *s = rvec_add(&b->socks, sizeof(*s), RP_SOCKS);
	if (!s)
		return;
	json_t *l = json_object_get(rec, "local"), *r = json_object_get(rec, "remote");
	json_t *own = json_object_get(rec, "owners"), *o;
	size_t i;
	struct capbuf cb;

	s->netns = jint(rec, "netns", -1);
	s->inode = jint(rec, "inode", -1);
	s->proto = dup_or_null(jstr(rec, "proto"));
	s->state = dup_or_null(jstr(rec, "state"));
	s->user = dup_or_null(jstr(rec, "user"));
	s->laddr = dup_or_null(l ? jstr(l, "addr") : jstr(rec, "path"));
	s->raddr = dup_or_null(jstr(r, "addr"));
	s->lport = jint(l, "port", -1);
	s->rport = jint(r, "port", -1);
	s->one_view = json_is_true(json_object_get(rec, "single_view"));
	s->owner = jint(json_array_get(own, 0), "pid", -1);
	capbuf_init(&cb, 4096);
	json_array_foreach(own, i, o) {
		capbuf_printf(&cb, "%s%lld/%s", i ? ", " : "", (long long)jint(o, "pid", -1),
			      jstr(o, "comm") ? jstr(o, "comm") : "?");
	}
	s->owners = capbuf_detach(&cb, NULL);
	capbuf_release(&cb);
}

void rlogin_add(struct rbundle *b, json_t *rec, enum rlogin_src src)
{
	struct rlogin *l = rvec_add(&b->logins, sizeof(*l), RP_LOGINS);
	if (!l)
		return;
	l->src = src;
	l->epoch = jint(rec, "time_epoch", 0);
	l->time = dup_or_null(jstr(rec, "time"));
	l->type = dup_or_null(src == RL_LASTLOG ? "LASTLOG" : jstr(rec, "type_name"));
	l->user = dup_or_null(jstr(rec, "user"));
	l->line = dup_or_null(jstr(rec, "line"));
	l->host = dup_or_null(jstr(rec, "host"));
	l->addr = dup_or_null(jstr(rec, "addr"));
	l->pid = jint(rec, "pid", -1);
}

void rlink_add(struct rbundle *b, json_t *rec)
{
	const char *src = jstr(rec, "source"), *t = jstr(rec, "link_target");
	if (!src || !t)
		return;
	struct rlink *k = rvec_add(&b->links, sizeof(*k), RP_UNITLINKS);
	if (k) {
		k->path = strdup(src);
		k->target = strdup(t);
	}
}

static void flag(struct rproc *p, const char *check)
{
	size_t have = p->flags ? strlen(p->flags) : 0, n = strlen(check);
	if (p->flags && strstr(p->flags, check))
		return;
	char *f = realloc(p->flags, have + n + 2);
	if (!f)
		return;
	if (have)
		f[have++] = ' ';
	memcpy(f + have, check, n + 1);
	p->flags = f;
}

/* The checks naming a process (evidence keys with its pid and start). */
static void flags_from_findings(struct rbundle *b)
{
	size_t i, j;
	json_t *f, *ev;
	json_array_foreach(b->found, i, f) {
		const char *check = jstr(f, "check");
		json_array_foreach(json_object_get(f, "evidence"), j, ev) {
			json_t *k = json_object_get(ev, "keys");
			int64_t x = rproc_find(b, jint(k, "pid", -1));
			if (!check || x < 0)
				continue;
			struct rproc *p = (struct rproc *)b->procs.v + x;
			if (jint(k, "start_ticks", p->ticks) == p->ticks)
				flag(p, check);
		}
	}
}

static void tree(struct rbundle *b)
{
	struct rproc *p = b->procs.v;
	for (size_t k = b->procs.n; k-- > 0;) {   /* children in pid order */
		int64_t up = p[k].ppid > 0 && p[k].ppid != p[k].pid ? rproc_find(b, p[k].ppid) : -1;
		/* a parent started after its child is a recycled pid: not this one's */
		if (up < 0 || p[up].ticks > p[k].ticks)
			continue;
		p[k].parent = up;
		p[k].sib = p[up].child;
		p[up].child = (int64_t)k;
	}
}

static void after_failures(struct rbundle *b)
{
	struct strset failed = { 0 };
	struct rlogin *l = b->logins.v;
	for (size_t i = 0; i < b->logins.n; i++)
		if (l[i].src == RL_BTMP && l[i].host && l[i].host[0])
			strset_add(&failed, l[i].host);
	for (size_t i = 0; i < b->logins.n; i++)
		if (l[i].src == RL_WTMP && l[i].type && strcmp(l[i].type, "USER_PROCESS") == 0 &&
		    l[i].host && strset_has(&failed, l[i].host))
			l[i].after_failures = true;
	strset_free(&failed);
}

void report_link(struct rbundle *b)
{
	sort_procs(b);
	tree(b);
	flags_from_findings(b);
	after_failures(b);
	rbody_keep_recent(&b->body, RP_BODY);
}

void report_free(struct rbundle *b)
{
	struct rproc *p = b->procs.v;
	for (size_t i = 0; i < b->procs.n; i++) {
		free(p[i].comm); free(p[i].cmd); free(p[i].exe); free(p[i].sha); free(p[i].cwd);
		free(p[i].user); free(p[i].start); free(p[i].exe_fs); free(p[i].ns);
		free(p[i].status); free(p[i].flags);
		capbuf_release(&p[i].files);
	}
	struct rsock *s = b->socks.v;
	for (size_t i = 0; i < b->socks.n; i++) {
		free(s[i].proto); free(s[i].state); free(s[i].laddr); free(s[i].raddr);
		free(s[i].user); free(s[i].owners);
	}
	struct rlogin *l = b->logins.v;
	for (size_t i = 0; i < b->logins.n; i++) {
		free(l[i].time); free(l[i].type); free(l[i].user); free(l[i].line);
		free(l[i].host); free(l[i].addr);
	}
	struct rbody *r = b->body.v;
	for (size_t i = 0; i < b->body.n; i++)
		free(r[i].name);
	struct rnet *x = b->net.v;
	for (size_t i = 0; i < b->net.n; i++)
		json_decref(x[i].rec);
	json_t **a = b->anoms.v;
	for (size_t i = 0; i < b->anoms.n; i++)
		json_decref(a[i]);
	struct rfile *f = b->persist.v;
	for (size_t i = 0; i < b->persist.n; i++) {
		free(f[i].path);
		capbuf_release(&f[i].text);
	}
	struct rlink *k = b->links.v;
	for (size_t i = 0; i < b->links.n; i++) {
		free(k[i].path);
		free(k[i].target);
	}
	free(b->procs.v); free(b->socks.v); free(b->logins.v); free(b->body.v);
	free(b->net.v); free(b->anoms.v); free(b->persist.v); free(b->links.v);
	json_decref(b->run);
	json_decref(b->found);
	capbuf_release(&b->findings);
	capbuf_release(&b->worklog);
	capbuf_release(&b->part);
	verify_result_free(&b->res);
	memset(b, 0, sizeof(*b));
}
