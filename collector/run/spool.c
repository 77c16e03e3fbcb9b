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
	return zbuf_init(&s->z, SPOOL_DEFLATED_MAX);
}

void spool_flush(struct spool *s)
{
	if (s->buf.len <= SPOOL_SPILL)
		return;
	zbuf_add(&s->z, s->buf.buf, s->buf.len);
	capbuf_reset(&s->buf);
}

void spool_add(struct spool *s, const struct capbuf *from)
{
	if (from->len > SPOOL_SPILL) {   /* big: straight into the zbuf, in order */
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
	if (s->buf.len) {   /* what came before, first */
		zbuf_add(&s->z, s->buf.buf, s->buf.len);
		capbuf_reset(&s->buf);
	}
	zbuf_append(&s->z, from);
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
