/* spool.c - record buffers bounded by compressing them (spool.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "spool.h"
#include "vec.h"
#include "bundle.h"
#include "banned.h"

#define SPOOL_RECORD_MAX (64u << 20)     /* one record's bytes before a flush */
#define SPOOL_DEFLATED_MAX (512u << 20)

int spool_init(struct spool *s)
{
	capbuf_init(&s->buf, SPOOL_RECORD_MAX);
	s->sink = NULL;
	s->sink_ctx = NULL;
	s->sink_err = 0;
	return zbuf_init(&s->z, SPOOL_DEFLATED_MAX);
}

static int sink_capbuf(void *ctx, const void *p, size_t n);

static void to_sink(struct spool *s, const void *p, size_t n)
{
	if (n && !s->sink_err)
		s->sink_err = s->sink(s->sink_ctx, p, n);
}

/* What buf holds, to the sink or into z. */
static void spill(struct spool *s)
{
	if (s->sink)
		to_sink(s, s->buf.buf, s->buf.len);
	else
		zbuf_add(&s->z, s->buf.buf, s->buf.len);
	capbuf_reset(&s->buf);
}

void spool_flush(struct spool *s)
{
	if (s->buf.len > SPOOL_SPILL)
		spill(s);
}

void spool_add(struct spool *s, const struct capbuf *from)
{
	if (s->sink) {
		if (s->buf.len)
			spill(s);
		to_sink(s, from->buf, from->len);
	} else if (from->len > SPOOL_SPILL) {   /* big: straight into the zbuf, in order */
		if (s->buf.len) {
			zbuf_add(&s->z, s->buf.buf, s->buf.len);
			capbuf_reset(&s->buf);
		}
		zbuf_add(&s->z, from->buf, from->len);
	} else if (from->len) {
		capbuf_add(&s->buf, from->buf, from->len);
		spool_flush(s);
	}
	if (from->truncated)
		s->buf.truncated = true;
}

void spool_add_z(struct spool *s, struct zbuf *from, bool truncated)
{
	if (truncated)
		s->buf.truncated = true;
	if (s->buf.len)   /* what came before, first */
		spill(s);
	if (!s->sink) {
		zbuf_append(&s->z, from);
		return;
	}
	struct capbuf plain;   /* a streaming spool: the chunk's records, decompressed */
	capbuf_init(&plain, SPOOL_DEFLATED_MAX);
	if (zbuf_replay(from, sink_capbuf, &plain) < 0)
		s->buf.truncated = true;
	to_sink(s, plain.buf, plain.len);
	capbuf_release(&plain);
}

static int sink_capbuf(void *ctx, const void *p, size_t n)
{
	return capbuf_add(ctx, p, n);
}

void spool_pack(struct zbuf *z, struct capbuf *raw)
{
	bool cut = raw->truncated;

	if (raw->len) {
		zbuf_add(z, raw->buf, raw->len);
		zbuf_seal(z);
	}
	capbuf_reset(raw);
	raw->truncated = cut;   /* the merge still has to say records were lost */
}

static int sink(void *ctx, const void *p, size_t n)
{
	return bundle_write(ctx, p, n);
}

static int defer(struct run *r, const char *step, const char *member, struct spool *s)
{
	if (!vec_reserve((void **)&r->deferred, &r->adeferred, r->ndeferred + 1,
			 sizeof(*r->deferred)))
		return -ENOMEM;
	struct deferred_spool *d = &r->deferred[r->ndeferred];
	d->step = strdup(step);
	d->member = strdup(member);
	if (!d->step || !d->member) {
		free(d->step);
		free(d->member);
		return -ENOMEM;
	}
	d->s = *s;              /* the records move; the caller's spool restarts empty */
	spool_init(s);
	r->ndeferred++;
	return 0;
}

int spool_flush_deferred(struct run *r)
{
	int ret = 0;

	r->defer_spools = false;
	for (size_t i = 0; i < r->ndeferred; i++) {
		struct deferred_spool *d = &r->deferred[i];
		int e = spool_emit(r, d->step, d->member, &d->s);
		if (ret == 0)
			ret = e;
		spool_free(&d->s);
		free(d->step);
		free(d->member);
	}
	free(r->deferred);
	r->deferred = NULL;
	r->ndeferred = r->adeferred = 0;
	return ret;
}

int spool_emit(struct run *r, const char *step, const char *member, struct spool *s)
{
	struct artifact a;
	int ret;

	if (r->defer_spools && defer(r, step, member, s) == 0)
		return 0;   /* archived by spool_flush_deferred() (if out of memory: now) */

	if (s->buf.len) {
		zbuf_add(&s->z, s->buf.buf, s->buf.len);
		capbuf_reset(&s->buf);
	}
	artifact_begin(r, &a, step, "generated", NULL);
	uint64_t size = s->z.raw_len;
	ret = bundle_begin(r->bundle, member, size);
	if (ret == 0) {
		ret = zbuf_replay(&s->z, sink, r->bundle);
		uint64_t padded = 0;
		int r2 = bundle_end(r->bundle, a.sha256, &padded);
		if (ret == 0)
			ret = r2;
		if (ret == 0) {
			a.member = strdup(member);
			a.bytes = size;
		}
	}
	if (ret < 0)
		artifact_fail(&a, ART_ERROR, -ret, "cannot archive '%s': %s", member, strerror(-ret));
	if (s->z.err || s->buf.truncated) {
		a.truncated = true;
		a.original_size = size;
		artifact_fail(&a, ART_PARTIAL, E2BIG, "record buffer cap reached: records lost");
	}
	artifact_end(r, &a);
	return bundle_dead(r->bundle) ? ret : 0;
}

void spool_free(struct spool *s)
{
	capbuf_release(&s->buf);
	zbuf_free(&s->z);
}

/* ---- streaming: members rendered twice (spool.h) ------------------------ */

void spool_stream(struct spool *s, int (*fn)(void *ctx, const void *p, size_t n), void *ctx)
{
	s->sink = fn;
	s->sink_ctx = ctx;
	s->sink_err = 0;
}

bool spool_streams(const struct spool *s)
{
	return s->sink != NULL;
}

int spool_drain(struct spool *s)
{
	if (s->sink && s->buf.len)
		spill(s);
	return s->sink_err;
}

int spool_counter_init(struct spool_counter *k)
{
	k->bytes = 0;
	k->md = sha256_run_new();
	return k->md ? 0 : -ENOMEM;
}

int spool_counter_sink(void *ctx, const void *p, size_t n)
{
	struct spool_counter *k = ctx;

	k->bytes += n;
	return sha256_run_update(k->md, p, n);
}

int spool_counter_end(struct spool_counter *k, char ret[SHA256_HEX_LEN])
{
	int r = sha256_run_final(k->md, ret);
	k->md = NULL;
	return r;
}

/* Into the member, never beyond its declared size: the rest is counted. */
static int member_sink(void *ctx, const void *p, size_t n)
{
	struct spool_stream_member *m = ctx;
	uint64_t room = m->size - (m->written < m->size ? m->written : m->size);
	size_t put = n < room ? n : (size_t)room;

	m->written += n;
	if (put && !m->err)
		m->err = bundle_write(m->r->bundle, p, put);
	return bundle_dead(m->r->bundle) ? m->err : 0;
}

int spool_stream_begin(struct run *r, const char *step, const char *member, uint64_t size,
		       struct spool *s, struct spool_stream_member *m)
{
	memset(m, 0, sizeof(*m));
	m->r = r;
	m->member = member;
	m->size = size;
	artifact_begin(r, &m->a, step, "generated", NULL);
	m->err = bundle_begin(r->bundle, member, size);
	spool_stream(s, member_sink, m);
	return bundle_dead(r->bundle) ? m->err : 0;
}

int spool_stream_end(struct spool_stream_member *m, struct spool *s,
		     const char expect[SHA256_HEX_LEN], bool truncated)
{
	struct artifact *a = &m->a;
	uint64_t padded = 0;
	int ret = spool_drain(s);

	if (ret == 0)
		ret = m->err;
	spool_stream(s, NULL, NULL);
	if (m->err == 0) {   /* begun: end it, whatever happened since */
		int r2 = bundle_end(m->r->bundle, a->sha256, &padded);
		if (ret == 0)
			ret = r2;
	}
	if (ret == 0) {
		a->member = strdup(m->member);
		a->bytes = m->size;
		if (padded || m->written > m->size || strcmp(a->sha256, expect) != 0)
			artifact_fail(a, ART_PARTIAL, ESTALE, "rendered twice from the same host "
				      "files, and the second rendering differs from the first "
				      "(%llu bytes, not %llu; %s): a file changed while it was "
				      "read", (unsigned long long)m->written,
				      (unsigned long long)m->size,
				      padded ? "zeros padded to the size" :
				      m->written > m->size ? "cut at the size" : "same length");
	} else {
		artifact_fail(a, ART_ERROR, -ret, "cannot archive '%s': %s", m->member,
			      strerror(-ret));
	}
	if (truncated) {
		a->truncated = true;
		a->original_size = m->size;
		artifact_fail(a, ART_PARTIAL, E2BIG, "record buffer cap reached: records lost");
	}
	artifact_end(m->r, a);
	return bundle_dead(m->r->bundle) ? ret : 0;
}
