/* run.c - the work log, the artifact records and the index (run.h). */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "run.h"
#include "textutil.h"
#include "bundle.h"
#include "progress.h"
#include "banned.h"

double run_elapsed(const struct run *r)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - r->start.monotonic.tv_sec) +
	       (double)(now.tv_nsec - r->start.monotonic.tv_nsec) / 1e9;
}

/* The work log and the stop flag are shared by the reading threads
 * (pscan.h): a deleted executable's copy logs from a worker, and a worker
 * may be the first to see a stop signal. One run per process: one lock. */
static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;

void run_log(struct run *r, const char *fmt, ...)
{
	struct timespec now;
	char ts[RFC3339_LEN];
	va_list ap;

	pthread_mutex_lock(&log_mu);
	size_t mark = r->worklog.len;
	clock_gettime(CLOCK_REALTIME, &now);
	fmt_rfc3339(ts, &now);
	capbuf_printf(&r->worklog, "%s  +%.6f  ", ts, run_elapsed(r));
	va_start(ap, fmt);
	capbuf_vprintf(&r->worklog, fmt, ap);
	va_end(ap);
	capbuf_add(&r->worklog, "\n", 1);
	if (r->worklog.len > mark)
		progress_log(r->prog, r->worklog.buf + mark, r->worklog.len - mark);
	pthread_mutex_unlock(&log_mu);
}

void run_source_failed(struct run *r, const char *step, const char *source, int err,
		       const char *what)
{
	struct artifact a;

	artifact_begin(r, &a, step, "generated", source);
	artifact_fail(&a, ART_ERROR, err < 0 ? -err : err, "%s: %s", what,
		      strerror(err < 0 ? -err : err));
	artifact_end(r, &a);
	char note[256];
	snprintf(note, sizeof(note), "%s: %s: %s", step, what, strerror(err < 0 ? -err : err));
	progress_note(r->prog, note);
}

bool run_bundle_dead(const struct run *r)
{
	return r->bundle && bundle_dead(r->bundle);
}

bool images_time_left(struct run *r)
{
	if (__atomic_load_n(&r->images_ns_used, __ATOMIC_RELAXED) < r->images_ns_budget)
		return true;
	__atomic_fetch_add(&r->images_time_skipped, 1, __ATOMIC_RELAXED);
	return false;
}

uint64_t images_clock(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

void images_time_spend(struct run *r, uint64_t since)
{
	uint64_t now = images_clock();

	if (now > since)
		__atomic_fetch_add(&r->images_ns_used, now - since, __ATOMIC_RELAXED);
}

bool run_should_stop(struct run *r)
{
	bool first = false, stop;

	pthread_mutex_lock(&log_mu);
	if (r->stop && *r->stop && !r->interrupted) {
		r->interrupted = true;
		first = true;
	}
	/* the time budget binds every step, the volatile ones too: the step
	 * under way stops as at a signal, keeping what it read */
	bool spent = false;
	if (!r->interrupted && !r->budget_spent && r->budget_seconds &&
	    run_elapsed(r) > (double)r->budget_seconds) {
		r->budget_spent = true;
		spent = true;
	}
	stop = r->interrupted || r->budget_spent;
	pthread_mutex_unlock(&log_mu);
	char note[160];
	if (first) {
		run_log(r, "interrupted by signal %d: collection stops, sealing what was collected",
			(int)*r->stop);
		snprintf(note, sizeof(note), "interrupted by signal %d: sealing what was collected",
			 (int)*r->stop);
		progress_note(r->prog, note);
	}
	if (spent) {
		run_log(r, "the time budget of %u s is spent: the step under way stops, the later "
			"steps are skipped, and what was collected is sealed", r->budget_seconds);
		snprintf(note, sizeof(note), "the time budget of %u s is spent: sealing what was "
			 "collected", r->budget_seconds);
		progress_note(r->prog, note);
	}
	return stop;
}

bool run_has_member(const struct run *r, const char *member)
{
	return bundle_has(r->bundle, member);
}

void artifact_begin(struct run *r, struct artifact *a, const char *step,
		    const char *kind, const char *source)
{
	(void)r;
	memset(a, 0, sizeof(*a));
	a->step = step;
	a->kind = kind;
	a->source = source;
	a->noatime = -1;
	clock_gettime(CLOCK_REALTIME, &a->started);
}

void artifact_fail(struct artifact *a, enum art_status st, int err,
		   const char *fmt, ...)
{
	size_t used = strlen(a->message);
	va_list ap;

	if (st > a->status)
		a->status = st;
	if (!a->err)
		a->err = err;
	if (used && used + 3 < sizeof(a->message)) {
		memcpy(a->message + used, "; ", 3);
		used += 2;
	}
	if (used + 1 < sizeof(a->message)) {
		va_start(ap, fmt);
		vsnprintf(a->message + used, sizeof(a->message) - used, fmt, ap);
		va_end(ap);
	}
}

static const char *status_name(enum art_status st)
{
	static const char *const names[] = {
		[ART_OK] = "ok", [ART_PARTIAL] = "partial",
		[ART_VANISHED] = "vanished", [ART_ERROR] = "error",
	};
	_Static_assert(sizeof(names) / sizeof(names[0]) == ART_STATUSES, "a name per status");
	return (unsigned)st < ART_STATUSES ? names[st] : "error";
}

static json_t *artifact_json(const struct artifact *a)
{
	json_t *o = json_object();
	int r = 0;

	if (!o)
		return NULL;
	r |= json_set_str(o, "member", a->member);
	if (a->source)
		r |= json_set_str(o, "source", a->source);
	else
		r |= json_set_new(o, "source", json_null());
	r |= json_set_str(o, "kind", a->kind);
	r |= json_set_str(o, "step", a->step);
	r |= json_set_time(o, "started_at", &a->started);
	r |= json_set_time(o, "finished_at", &a->finished);
	r |= json_set_int(o, "bytes", (int64_t)a->bytes);
	r |= json_set_str(o, "sha256", a->member ? a->sha256 : NULL);
	r |= json_set_str(o, "status", status_name(a->status));
	if (a->err) {
		r |= json_set_int(o, "errno", a->err);
		r |= json_set_str(o, "error", strerrorname_np(a->err));
	} else {
		r |= json_set_new(o, "errno", json_null());
		r |= json_set_new(o, "error", json_null());
	}
	r |= json_set_str(o, "message", a->message[0] ? a->message : NULL);
	r |= json_set_bool(o, "truncated", a->truncated);
	if (a->truncated)
		r |= json_set_int(o, "original_size", (int64_t)a->original_size);
	else
		r |= json_set_new(o, "original_size", json_null());
	if (a->noatime >= 0)
		r |= json_set_bool(o, "noatime", a->noatime);
	if (a->link_target)
		r |= json_set_bytes(o, "link_target", a->link_target, a->link_len);
	r |= json_set_new(o, "stat", a->has_stat ? json_statx(&a->st) : json_null());
	if (a->extra)
		r |= json_object_update(o, a->extra) ? -ENOMEM : 0;
	if (r) {
		json_decref(o);
		return NULL;
	}
	return o;
}

void artifact_end(struct run *r, struct artifact *a)
{
	struct capbuf esc;

	clock_gettime(CLOCK_REALTIME, &a->finished);
	if (a->truncated && a->status == ART_OK)
		a->status = ART_PARTIAL;
	r->artifacts++;
	progress_artifact(r->prog);
	if (r->bundle)
		progress_bytes(r->prog, bundle_bytes(r->bundle));
	if (a->status == ART_ERROR)
		r->failed++;
	if (a->truncated)
		r->truncated++;

	json_t *o = artifact_json(a);
	char *line = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	if (!line || zbuf_add(&r->index, line, strlen(line)) < 0 ||
	    zbuf_add(&r->index, "\n", 1) < 0)
		run_log(r, "cannot record artifact in index: out of memory or index cap reached");
	free(line);
	json_decref(o);

	/* the work log line is capped; the index has the whole path, and a
	 * cut is marked with how long the whole was */
	capbuf_init(&esc, strlen(a->message) * 6 + 2200);
	const char *what = a->source ? a->source : a->member ? a->member : "?";
	struct capbuf whole;
	capbuf_init(&whole, strlen(what) * 6 + 16);
	text_escape(&whole, what, strlen(what));
	if (whole.len > 2048) {
		capbuf_add(&esc, whole.buf, text_cut_len(whole.buf, whole.len, 2048));
		capbuf_printf(&esc, "...(cut: %zu bytes in all, whole in the index)", strlen(what));
	} else {
		capbuf_add(&esc, whole.buf ? whole.buf : "", whole.len);
	}
	capbuf_release(&whole);
	if (a->message[0]) {
		capbuf_addstr(&esc, ": ");
		text_escape(&esc, a->message, strlen(a->message));
	}
	run_log(r, "%s %s '%s' %s%s%" PRIu64 " bytes%s%s", a->step, a->kind,
		esc.buf ? esc.buf : "", status_name(a->status),
		a->status == ART_OK ? " " : " (see index) ", a->bytes,
		a->member ? " sha256 " : "", a->member ? a->sha256 : "");
	capbuf_release(&esc);

	free(a->member);
	free(a->link_target);
	json_decref(a->extra);
	a->member = a->link_target = NULL;
	a->extra = NULL;
}

int run_emit(struct run *r, const char *step, const char *member,
	     const struct capbuf *buf)
{
	return run_emit_copy(r, step, member, NULL, buf);
}

int run_emit_copy(struct run *r, const char *step, const char *member, const char *source,
		  const struct capbuf *buf)
{
	struct artifact a;
	int ret;

	artifact_begin(r, &a, step, source ? "proc" : "generated", source);
	ret = bundle_add_bytes(r->bundle, member, buf->buf ? buf->buf : "", buf->len,
			       a.sha256);
	if (ret == 0) {
		a.member = strdup(member);
		a.bytes = buf->len;
	} else {
		artifact_fail(&a, ART_ERROR, -ret, "cannot archive '%s': %s", member,
			      strerror(-ret));
	}
	if (buf->truncated) {
		a.truncated = true;
		a.original_size = buf->wanted;
		artifact_fail(&a, ART_PARTIAL, E2BIG, "record buffer cap of %zu bytes reached",
			      buf->max);
	}
	artifact_end(r, &a);
	return bundle_dead(r->bundle) ? ret : 0;
}

void clocks_read(struct clocks *c)
{
	clock_gettime(CLOCK_REALTIME, &c->realtime);
	clock_gettime(CLOCK_MONOTONIC, &c->monotonic);
	clock_gettime(CLOCK_BOOTTIME, &c->boottime);
}

json_t *clocks_json(const struct clocks *c)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	/* an instant: RFC 3339; a clock since boot: integer nanoseconds (exact,
	 * where a JSON number of seconds would lose them past 2^53 ns) */
	json_set_time(o, "realtime", &c->realtime);
	json_set_int(o, "monotonic_ns", (int64_t)c->monotonic.tv_sec * 1000000000LL +
		     c->monotonic.tv_nsec);
	json_set_int(o, "boottime_ns", (int64_t)c->boottime.tv_sec * 1000000000LL +
		     c->boottime.tv_nsec);
	return o;
}

int64_t run_boot_ns(const struct run *r)
{
	return (r->start.realtime.tv_sec - r->start.boottime.tv_sec) * 1000000000LL +
	       (r->start.realtime.tv_nsec - r->start.boottime.tv_nsec);
}
