/*
 * proc_view.c - volatile/processes.txt: the `ps -ef` shape with a process
 * tree, for a human with `less`. Every string is already escaped (no control
 * byte, no bidi control); the JSON Lines file is the record.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "procfs.h"
#include "procsrc.h"
#include "textutil.h"
#include "vec.h"
#include "banned.h"

static int by_ppid_pid(const void *x, const void *y)
{
	const struct view_row *a = *(const struct view_row *const *)x;
	const struct view_row *b = *(const struct view_row *const *)y;
	if (a->ppid != b->ppid)
		return a->ppid < b->ppid ? -1 : 1;
	return (a->pid > b->pid) - (a->pid < b->pid);
}

struct tree {
	struct procs *p;
	struct view_row **sorted;   /* by (ppid, pid) */
	struct capbuf *out;
	char *seen;                 /* rows printed, to survive ppid cycles */
};

static void print_row(struct tree *t, const struct view_row *v, int depth)
{
	const struct account *a = accounts_user(&t->p->acc, v->uid);
	struct capbuf user;
	char stime[RFC3339_LEN];
	unsigned long long cpu = v->cpu_ticks / (unsigned long long)t->p->hz;
	int64_t ns = t->p->boot_ns + (int64_t)(v->start_ticks * (1000000000ULL /
					       (unsigned long long)t->p->hz));

	capbuf_init(&user, 64);
	if (a)
		text_escape(&user, a->name, a->len);
	else if (v->uid != UINT_MAX)   /* UINT_MAX: status was unreadable */
		capbuf_printf(&user, "%u", v->uid);
	fmt_rfc3339_ns(stime, ns / 1000000000LL, 0);
	stime[19] = 'Z';
	stime[20] = '\0';
	/* what findings.jsonl would flag, on the line itself */
	bool bracketed = v->cmd && v->cmd[0] == '[';
	capbuf_printf(t->out, "%-12.12s %7d %7d %c %-20s %-8s %02llu:%02llu:%02llu %*s%s%s%s%s%s%s%s%s%s\n",
		      user.buf ? user.buf : "?", v->pid, v->ppid, v->state, stime, v->tty,
		      cpu / 3600, cpu / 60 % 60, cpu % 60, depth * 2, "",
		      depth ? "\\_ " : "", v->cmd ? v->cmd : "",
		      v->status == ART_VANISHED ? "  <vanished>" : "",
		      v->kthread ? "  <kernel thread>" : "",
		      !v->kthread && bracketed && v->status != ART_VANISHED ?
		      "  <NOT a kernel thread>" : "",
		      v->marks & VIEW_EXE_DELETED ? "  <exe deleted>" : "",
		      v->marks & VIEW_EXE_MEMFD ? "  <exe on a memfd>" : "",
		      v->marks & VIEW_EXE_TEMP ? "  <exe in a temporary place>" : "",
		      v->marks & VIEW_EXE_MASKED ? "  <exe path names another file>" : "");
	capbuf_release(&user);
}

static void walk(struct tree *t, int ppid, int depth)
{
	size_t n = t->p->nrows, lo = 0, hi = n;

	while (lo < hi) {   /* first row with this ppid */
		size_t mid = lo + (hi - lo) / 2;
		if (t->sorted[mid]->ppid < ppid)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < n && t->sorted[i]->ppid == ppid; i++) {
		size_t idx = (size_t)(t->sorted[i] - t->p->rows);
		if (t->seen[idx])
			continue;
		t->seen[idx] = 1;
		print_row(t, t->sorted[i], depth);
		if (depth < 200)
			walk(t, t->sorted[i]->pid, depth + 1);
	}
}

static bool has_pid(struct procs *p, int pid)
{
	for (size_t i = 0; i < p->nrows; i++)
		if (p->rows[i].pid == pid)
			return true;
	return false;
}

int proc_view(struct procs *p, struct capbuf *out)
{
	struct tree t = { .p = p, .out = out };

	t.sorted = calloc(p->nrows + 1, sizeof(*t.sorted));
	t.seen = calloc(p->nrows + 1, 1);
	if (!t.sorted || !t.seen) {
		free(t.sorted);
		free(t.seen);
		return -ENOMEM;
	}
	for (size_t i = 0; i < p->nrows; i++)
		t.sorted[i] = &p->rows[i];
	qsort(t.sorted, p->nrows, sizeof(*t.sorted), by_ppid_pid);
	capbuf_printf(out, "%-12s %7s %7s %s %-20s %-8s %8s %s\n", "UID", "PID", "PPID", "S",
		      "STIME (UTC)", "TTY", "TIME", "CMD");
	/* roots: pid 0's children, then orphans whose parent is not listed */
	walk(&t, 0, 0);
	for (size_t i = 0; i < p->nrows; i++)
		if (!t.seen[i] && !has_pid(p, p->rows[i].ppid)) {
			t.seen[i] = 1;
			print_row(&t, &p->rows[i], 0);
			walk(&t, p->rows[i].pid, 1);
		}
	for (size_t i = 0; i < p->nrows; i++)   /* anything left: a ppid cycle */
		if (!t.seen[i]) {
			t.seen[i] = 1;
			print_row(&t, &p->rows[i], 0);
		}
	free(t.sorted);
	free(t.seen);
	return 0;
}

/* The escaped command for the text view: argv joined, or [comm]. */
char *view_cmd(const char *cmd, size_t len, const char *comm, size_t comm_len)
{
	struct capbuf cb;

	capbuf_init(&cb, 4096);
	if (len == 0) {
		capbuf_add(&cb, "[", 1);
		text_escape(&cb, comm, comm_len);
		capbuf_add(&cb, "]", 1);
	} else {
		for (size_t i = 0; i < len;) {
			const char *z = memchr(cmd + i, '\0', len - i);
			size_t l = z ? (size_t)(z - cmd - i) : len - i;
			if (i)
				capbuf_add(&cb, " ", 1);
			text_escape(&cb, cmd + i, l);
			i += l + 1;
		}
	}
	size_t n;
	char *s = capbuf_detach(&cb, &n);
	return s;
}

unsigned *add_row(struct pchunk *c, const struct proc_entry *e, char *cmd, int status,
			 unsigned euid)
{
	if (!vec_reserve((void **)&c->rows, &c->arows, c->nrows + 1, sizeof(*c->rows))) {
		free(cmd);
		return NULL;
	}
	struct view_row *v = &c->rows[c->nrows++];
	memset(v, 0, sizeof(*v));
	v->pid = e->pid;
	v->ppid = e->ppid;
	v->uid = euid;
	tty_name(e->tty, v->tty, sizeof(v->tty));
	v->state = e->state;
	v->start_ticks = e->start_ticks;
	v->cpu_ticks = e->utime + e->stime;
	v->cmd = cmd;
	v->status = status;
	v->kthread = (e->flags & PF_KTHREAD_FLAG) != 0;
	return &v->marks;
}
