/*
 * plan.c - running a profile's steps in order (profile.h): built-in
 * sources (source.h), raw copies of files (copy.h) and the walking steps
 * (tree, list, timeline: sources/files/walksteps.c), with the time budget,
 * the volatile snapshot's deferred archiving, and the work log of each.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "copy.h"
#include "disk.h"
#include "plan.h"
#include "progress.h"
#include "pscan.h"
#include "spool.h"
#include "source.h"
#include "textutil.h"
#include "walksteps.h"
#include "banned.h"

static bool is_volatile(const struct step *s)
{
	return s->kind == STEP_SOURCE && source_rank(s->arg) <= VOL_SESSION;
}

static int run_step(struct run *r, const struct step *s, struct timeline_out *tl)
{
	switch (s->kind) {
	case STEP_SOURCE:
		{
			const struct source *src = source_find(s->arg);
			return src ? src->collect(r) : 0;   /* the profile checked it */
		}
	case STEP_COPY:
		return host_copy(r, "copy", s->arg, s->max_file, COPY_OPTIONAL);
	case STEP_TREE:
	case STEP_LIST:
	case STEP_TIMELINE:
		return walk_step(r, s, tl);
	case STEP_DISK:
		return disk_step(r, s->arg);
	case STEP_KINDS:
		break;
	}
	return 0;
}

static const char *kind_word(enum step_kind k)
{
	static const char *const w[] = { [STEP_SOURCE] = "step", [STEP_COPY] = "copy",
		[STEP_TREE] = "tree", [STEP_LIST] = "list", [STEP_TIMELINE] = "timeline", [STEP_DISK] = "disk" };
	_Static_assert(sizeof(w) / sizeof(w[0]) == STEP_KINDS, "a word per step kind");
	return (unsigned)k < STEP_KINDS ? w[k] : "?";
}

static void *after_read_thread(void *v)
{
	struct run *r = v;

	r->after_volatile_data = r->after_volatile_read(r);
	return NULL;
}

/* The volatile members archived, and meanwhile, on the other core, the
 * reading the volatile steps left for after their snapshot (run.h). */
static int flush_and_read_after(struct run *r)
{
	pthread_t t;
	bool threaded = r->after_volatile_read &&
			pscan_thread(&t, after_read_thread, r) == 0;
	int e = spool_flush_deferred(r);

	if (threaded)
		pthread_join(t, NULL);
	else if (r->after_volatile_read)
		r->after_volatile_data = r->after_volatile_read(r);
	r->after_volatile_read = NULL;
	return e;
}

/* The work the volatile steps left for after their snapshot (run.h). */
static int run_after_volatile(struct run *r)
{
	int (*fn)(struct run *) = r->after_volatile;

	r->after_volatile = NULL;
	return fn ? fn(r) : 0;
}

/* The core (snapshot.h): every volatile source's share, in the profile's
 * order, before any volatile step reads its details; the process table,
 * read on a helper thread meanwhile, taken at its end. Its window is the
 * snapshot's skew. */
static void run_core(struct run *r, const struct profile *p)
{
	bool any = false, table = false;

	for (size_t i = 0; i < p->nsteps; i++) {
		const struct step *s = &p->steps[i];
		const struct source *src = s->kind == STEP_SOURCE ? source_find(s->arg) : NULL;
		any |= src && src->core;
		table |= src && strcmp(src->name, "processes") == 0;
	}
	if (!any)
		return;
	r->snap.core_first = run_elapsed(r);
	snapshot_want_table(&r->snap, table);
	for (size_t i = 0; i < p->nsteps && !run_should_stop(r); i++) {
		const struct step *s = &p->steps[i];
		const struct source *src = s->kind == STEP_SOURCE ? source_find(s->arg) : NULL;
		if (src && src->core)
			src->core(r);
	}
	double t = run_elapsed(r);
	if (table)
		snapshot_core_table(&r->snap);
	r->snap.core_last = run_elapsed(r);
	if (table)
		run_log(r, "core: the process table taken (waited %.3f s for it)", r->snap.core_last - t);
	run_log(r, "core snapshot: from +%.6f to +%.6f: skew %.3f s (%zu processes in the "
		"table, %zu exe links, %zu network namespaces, %u fds)", r->snap.core_first,
		r->snap.core_last, r->snap.core_last - r->snap.core_first,
		r->snap.table_in_core ? r->snap.core_table.nprocs : 0, r->snap.nexes,
		r->snap.nnetns, snapshot_fds(&r->snap)->nfds);
}

double plan_skew(const struct run *r)
{
	if (r->snap.core_first >= 0)
		return r->snap.core_last - r->snap.core_first;
	return r->volatile_first >= 0 ? r->volatile_last - r->volatile_first : -1;
}

int plan_run(struct run *r, const struct profile *p)
{
	bool core_done = false;
	size_t last = (size_t)-1;   /* the last step begun */
	struct timeline_out tl;
	int ret = 0;

	timeline_out_init(&tl);
	run_log(r, "profile '%s' (%s): %zu steps%s", shown(p->name).s, shown(p->origin).s,
		p->nsteps,
		p->budget_seconds ? "" : ", no time budget");
	for (size_t i = 0; i < p->nsteps && ret == 0; i++) {
		const struct step *s = &p->steps[i];
		if (run_should_stop(r)) {
			/* the step under way when the stop was seen, and those never
			 * begun, each said (run.json's `stopped`) */
			char why[64];
			if (r->interrupted)
				snprintf(why, sizeof(why), "the run was interrupted");
			else
				snprintf(why, sizeof(why), "the time budget of %u s is spent",
					 p->budget_seconds);
			if (i > 0) {
				const struct step *u = &p->steps[i - 1];
				r->stopped_in_step = (long)i;
				snprintf(r->stopped_in, sizeof(r->stopped_in), "%s %s",
					 kind_word(u->kind), shown(u->arg).s);
			}
			r->skipped_first = i + 1;
			for (size_t j = i; j < p->nsteps; j++) {
				run_log(r, "step %zu (%s '%s') skipped: %s", j + 1,
					kind_word(p->steps[j].kind), shown(p->steps[j].arg).s, why);
				r->skipped_steps++;
				r->skipped_n++;
			}
			break;
		}
		const struct source *ssrc = s->kind == STEP_SOURCE ? source_find(s->arg) : NULL;
		if (r->target_root && ssrc && !ssrc->reads_disk) {
			run_log(r, "step %zu (step '%s') skipped: it reads the running system, not "
				"the target root", i + 1, s->arg);
			json_t *sk = json_object_get(r->target_root, "skipped_steps");
			if (!sk)
				json_object_set_new(r->target_root, "skipped_steps", sk = json_array());
			json_array_append_new(sk, json_string(s->arg));
			r->root_skipped++;
			continue;
		}
		bool vol = is_volatile(s);
		if (vol && !core_done) {
			run_core(r, p);   /* before the first volatile step's details */
			core_done = true;
		}
		run_log(r, "step %zu: %s '%s' begins", i + 1, kind_word(s->kind), shown(s->arg).s);
		progress_step(r->prog, i, s->kind == STEP_SOURCE ? "" : kind_word(s->kind), s->arg);
		last = i;
		double t0 = run_elapsed(r);
		/* the plan knows the order: a table the next step reads may be
		 * read ahead while this one leaves a core idle (snapshot.h) */
		snapshot_want_table(&r->snap, i + 1 < p->nsteps &&
				    p->steps[i + 1].kind == STEP_SOURCE &&
				    strcmp(p->steps[i + 1].arg, "processes") == 0);
		r->defer_spools = vol;   /* read the volatile state first, archive after */
		ret = run_step(r, s, &tl);
		double t1 = run_elapsed(r);
		if (vol && !(i + 1 < p->nsteps && is_volatile(&p->steps[i + 1]))) {
			int e = flush_and_read_after(r);   /* the last volatile step: now */
			if (ret == 0)
				ret = e;
			e = run_after_volatile(r);
			if (ret == 0)
				ret = e;
		}
		run_log(r, "step %zu: %s '%s' ends after %.3f s", i + 1, kind_word(s->kind),
			shown(s->arg).s, t1 - t0);
		if (r->timings && r->ntimings < r->maxtimings)
			r->timings[r->ntimings++] = (struct step_timing){ .index = i, .start = t0,
									 .end = t1 };
		/* the details: from the first volatile source to the last (their
		 * members are archived after t1 of the last) */
		if (vol) {
			if (r->volatile_first < 0)
				r->volatile_first = t0;
			r->volatile_last = t1;
		}
	}
	/* stopped in the last step: no later one to see it from the loop */
	if ((r->interrupted || r->budget_spent) && !r->stopped_in[0] && last != (size_t)-1) {
		r->stopped_in_step = (long)last + 1;
		snprintf(r->stopped_in, sizeof(r->stopped_in), "%s %s",
			 kind_word(p->steps[last].kind), shown(p->steps[last].arg).s);
	}
	if (r->ndeferred || r->after_volatile_read) {   /* stopped inside the volatile steps */
		int e = flush_and_read_after(r);
		if (ret == 0)
			ret = e;
	}
	if (r->after_volatile) {
		int e = run_after_volatile(r);
		if (ret == 0)
			ret = e;
	}
	if (r->snap.core_first >= 0 && r->volatile_first >= 0)
		run_log(r, "volatile snapshot: the core from +%.6f to +%.6f (skew %.3f s), the "
			"details from +%.6f to +%.6f (%.3f s)", r->snap.core_first, r->snap.core_last,
			plan_skew(r), r->volatile_first, r->volatile_last,
			r->volatile_last - r->volatile_first);
	else if (r->volatile_first >= 0)
		run_log(r, "volatile snapshot: from +%.6f to +%.6f: skew %.3f s (no core: no "
			"sockets or processes step)", r->volatile_first, r->volatile_last, plan_skew(r));
	if (ret == 0)
		ret = walk_body_flush(r, &tl);
	timeline_out_release(&tl);
	return ret;
}

int source_rank(const char *name)
{
	const struct source *src = source_find(name);

	return src ? (int)src->rank : 1000;
}

void plan_stats(const struct run *r, const struct profile *p, FILE *out)
{
	fprintf(out, "irsnap: stats: %-5s %-9s %9s %9s  %s\n", "step", "kind", "start s", "took s", "what");
	for (size_t i = 0; i < r->ntimings; i++) {
		const struct step *s = &p->steps[r->timings[i].index];
		fprintf(out, "irsnap: stats: %-5zu %-9s %9.3f %9.3f  %s\n", r->timings[i].index + 1,
			kind_word(s->kind), r->timings[i].start, r->timings[i].end - r->timings[i].start,
			shown(s->arg).s);
	}
	if (r->snap.core_first >= 0)
		fprintf(out, "irsnap: stats: volatile snapshot skew %.3f s (the core: first to last "
			"core read)\n", plan_skew(r));
	else if (r->volatile_first >= 0)
		fprintf(out, "irsnap: stats: volatile snapshot skew %.3f s (first to last volatile read)\n",
			plan_skew(r));
	if (r->volatile_first >= 0)
		fprintf(out, "irsnap: stats: volatile details %.3f s (the volatile steps after the core)\n",
			r->volatile_last - r->volatile_first);
	if (r->findings_seconds > 0)
		fprintf(out, "irsnap: stats: findings checks %.3f s\n", r->findings_seconds);
}

void plan_print(const struct profile *p, FILE *out)
{
	fprintf(out, "profile %s (%s)\n", shown(p->name).s, shown(p->origin).s);
	if (p->budget_seconds)
		fprintf(out, "time budget: %u s (then the step under way stops and the rest are "
			"skipped)\n", p->budget_seconds);
	fprintf(out, "%-4s %-9s %s\n", "step", "kind", "what");
	for (size_t i = 0; i < p->nsteps; i++) {
		const struct step *s = &p->steps[i];
		const char *what = s->arg;
		const struct source *src = s->kind == STEP_SOURCE ? source_find(s->arg) : NULL;
		if (src)
			what = src->what;
		fprintf(out, "%-4zu %-9s %s", i + 1, kind_word(s->kind), s->kind == STEP_SOURCE ?
			s->arg : shown(s->arg).s);
		if (s->kind == STEP_SOURCE)
			fprintf(out, ": %s", what);
		if (s->kind == STEP_COPY || s->kind == STEP_TREE)
			fprintf(out, " (max-file %" PRIu64 ")", s->max_file);
		if (s->kind == STEP_TREE && s->max_total)
			fprintf(out, " (max-total %" PRIu64 ")", s->max_total);
		if (s->kind == STEP_LIST && s->max_file)
			fprintf(out, " (copy-exec %" PRIu64 ", max-total %" PRIu64 ")", s->max_file,
				s->max_total);
		if (s->kind == STEP_TIMELINE && s->hash_exec)
			fprintf(out, " (hash-exec)");
		if (s->kind == STEP_TIMELINE && s->hash_code)
			fprintf(out, " (hash-code)");
		fputc('\n', out);
	}
}
