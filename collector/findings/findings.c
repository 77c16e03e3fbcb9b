/* findings.c - the findings engine: records in as archived, findings out (findings.h). */
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "findings_int.h"
#include "jsonx.h"
#include "run.h"
#include "vec.h"
#include "banned.h"

#define FINDINGS_CAP (16u << 20)
#define LINE_CAP (64u << 20)        /* a record longer than this is not read */
#define WHOLE_CAP (1u << 20)        /* a member read whole: its first MiB */

struct findings *findings_new(int64_t now, unsigned window_days)
{
	struct findings *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->now = now;
	f->window = (int64_t)(window_days ? window_days : FINDINGS_WINDOW_DAYS) * 86400;
	capbuf_init(&f->out, FINDINGS_CAP);
	capbuf_init(&f->part, LINE_CAP);
	f->cur = -1;
	f->seen_files = json_object();
	return f;
}

void findings_free(struct findings *f)
{
	if (!f)
		return;
	capbuf_release(&f->out);
	capbuf_release(&f->part);
	free(f->flags);
	free(f->socks);
	free(f->fails.v);
	free(f->oks.v);
	free(f->lastlogs.v);
	strset_free(&f->wt_open);
	strset_free(&f->exe_dirs);
	strset_free(&f->ww_dirs);
	json_decref(f->seen_files);
	strset_free(&f->targets);
	free(f);
}

void findings_counts(const struct findings *f, unsigned ret[SEV_COUNT])
{
	for (int i = 0; i < SEV_COUNT; i++)
		ret[i] = f ? f->count[i] : 0;
}

/* ---- the table: every check, by the member it reads ------------------- */

static const struct check *check_at(size_t i)
{
	static const struct { const struct check *c; const size_t *n; } tables[] = {
		{ checks_procs, &nchecks_procs }, { checks_names, &nchecks_names },
		{ checks_other, &nchecks_other },
		{ checks_host, &nchecks_host }, { checks_files, &nchecks_files },
		{ checks_logins, &nchecks_logins },
	};
	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
		if (i < *tables[t].n)
			return &tables[t].c[i];
		i -= *tables[t].n;
	}
	return NULL;
}

/* The checks of member `name` into f->mine: the index of the first, or -1. */
static int member_index(struct findings *f, const char *name, bool *whole)
{
	int first = -1;

	f->nmine = 0;
	for (size_t i = 0; check_at(i); i++)
		if (fnmatch(check_at(i)->member, name, FNM_PATHNAME) == 0 &&
		    f->nmine < sizeof(f->mine) / sizeof(f->mine[0])) {
			if (first < 0)
				first = (int)i;
			*whole = check_at(i)->whole;
			f->mine[f->nmine++] = check_at(i);
		}
	return first;
}

/* `last`: the pre-filter already asked of this line, and its answer (two
 * checks of one member may share one) */
static bool wants(struct findings *f, const struct check *c, const char *line, size_t len,
		  const void **last, bool *last_said)
{
	if (c->pre && *last == (const void *)c->pre)
		return *last_said;
	if (c->pre) {
		*last = (const void *)c->pre;
		return *last_said = c->pre(f, line, len);
	}
	if (!c->want[0])
		return true;
	for (int k = 0; k < 12 && c->want[k]; k++)
		if (memmem(line, len, c->want[k], strlen(c->want[k])))
			return true;
	return false;
}

/* One record: parsed once, if any check of its member wants it. */
static void one_line(struct findings *f, const char *line, size_t len)
{
	json_t *rec = NULL;
	bool tried = false, said = false;
	const void *asked = NULL;

	for (size_t i = 0; i < f->nmine; i++) {
		const struct check *c = f->mine[i];
		if (!wants(f, c, line, len, &asked, &said))
			continue;
		if (c->raw) {
			c->fn(f, f->member, NULL, line, len);
			continue;
		}
		if (!tried) {
			rec = json_loadb(line, len, JSON_DISABLE_EOF_CHECK | JSON_ALLOW_NUL, NULL);
			tried = true;
		}
		if (json_is_object(rec))
			c->fn(f, f->member, rec, line, len);
	}
	json_decref(rec);
}

static void whole_member(struct findings *f)
{
	for (size_t i = 0; i < f->nmine; i++) {
		const struct check *c = f->mine[i];
		if (c->whole)
			c->fn(f, f->member, NULL, f->part.buf ? f->part.buf : "", f->part.len);
	}
}

static uint64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void tap(struct findings *f, const char *name, const void *data, size_t len);

/* Timed: the checks' cost is the benchmark's to report (findings_ns). */
void findings_tap(void *ctx, const char *name, const void *data, size_t len)
{
	struct findings *f = ctx;

	if (!f)
		return;
	uint64_t t0 = now_ns();
	tap(f, name, data, len);
	f->ns += now_ns() - t0;
}

static void tap(struct findings *f, const char *name, const void *data, size_t len)
{
	if (strcmp(name, f->member) != 0) {   /* a new member */
		snprintf(f->member, sizeof(f->member), "%s", name);
		f->cur = member_index(f, name, &f->whole);
		capbuf_reset(&f->part);
		f->part.truncated = false;
	}
	if (f->cur < 0)
		return;
	if (!data) {   /* its end */
		if (f->whole)
			whole_member(f);
		else if (f->part.len)
			one_line(f, f->part.buf, f->part.len);
		capbuf_reset(&f->part);
		f->member[0] = '\0';
		f->cur = -1;
		return;
	}
	if (f->whole) {
		if (f->part.len < WHOLE_CAP)
			capbuf_add(&f->part, data, len < WHOLE_CAP - f->part.len ? len :
				   WHOLE_CAP - f->part.len);
		return;
	}
	const char *p = data, *end = p + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl) {
			capbuf_add(&f->part, p, (size_t)(end - p));
			return;
		}
		if (f->part.len) {   /* the end of a line begun in an earlier write */
			capbuf_add(&f->part, p, (size_t)(nl - p));
			if (!f->part.truncated)
				one_line(f, f->part.buf, f->part.len);
			capbuf_reset(&f->part);
			f->part.truncated = false;
		} else {
			one_line(f, p, (size_t)(nl - p));
		}
		p = nl + 1;
	}
}

void findings_finish(struct findings *f, const char **ret_text, size_t *ret_len)
{
	if (!f->finished) {
		uint64_t t0 = now_ns();
		f->finished = true;
		checks_join(f);
		checks_logins_join(f);
		checks_files_join(f);
		if (f->per_check_cap_hit)
			finding(f, "findings_capped", SEV_INFO, NULL, NULL, NULL, "%u findings over "
				"%d per check are counted, not listed", f->per_check_cap_hit,
				PER_CHECK_CAP);
		f->ns += now_ns() - t0;
	}
	*ret_text = f->out.buf ? f->out.buf : "";
	*ret_len = f->out.len;
}

int findings_emit(struct findings *f, struct run *r)
{
	const char *text;
	size_t len;

	if (!f)
		return 0;
	findings_finish(f, &text, &len);
	r->findings_seconds = (double)f->ns / 1e9;
	run_log(r, "findings: %u high, %u medium, %u low, %u info; the checks took %.3f s",
		f->count[SEV_HIGH], f->count[SEV_MEDIUM], f->count[SEV_LOW], f->count[SEV_INFO],
		(double)f->ns / 1e9);
	return run_emit(r, "findings", "findings.jsonl", &f->out);
}

double findings_seconds(const struct findings *f)
{
	return f ? (double)f->ns / 1e9 : 0;
}
