/*
 * records.c - utmp, wtmp and btmp as JSON records with their anomalies
 * (logins.h), made on a few threads in blocks and merged in file order.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jsonw.h"
#include "jsonx.h"
#include "logins.h"
#include "pscan.h"
#include "spool.h"
#include "textutil.h"
#include "utmp_format.h"
#include "banned.h"



void fmt_ctime_utc(char out[32], int64_t secs)
{
	static const char *const wd[] = { "Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed" };
	static const char *const mo[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	int y, m, d, h, mi, s;
	int64_t days = secs / 86400 - (secs % 86400 < 0);

	utc_civil(secs, &y, &m, &d, &h, &mi, &s);
	if (y < 0 || y > 9999) {
		snprintf(out, 32, "%s %s %2d %02d:%02d:%02d %d", wd[((days % 7) + 7) % 7],
			 mo[m - 1], d, h, mi, s, y);
		return;
	}
	/* "Thu Jan  1 00:00:00 1970" by hand: twice per line of last.txt */
	char *p = out;
	memcpy(p, wd[((days % 7) + 7) % 7], 3);
	p[3] = ' ';
	memcpy(p + 4, mo[m - 1], 3);
	p[7] = ' ';
	p[8] = d >= 10 ? (char)('0' + d / 10) : ' ';
	p[9] = (char)('0' + d % 10);
	p[10] = ' ';
	p[11] = (char)('0' + h / 10);
	p[12] = (char)('0' + h % 10);
	p[13] = ':';
	p[14] = (char)('0' + mi / 10);
	p[15] = (char)('0' + mi % 10);
	p[16] = ':';
	p[17] = (char)('0' + s / 10);
	p[18] = (char)('0' + s % 10);
	p[19] = ' ';
	char yb[FMT_INT_LEN];
	size_t yn = fmt_i64(yb, y);   /* 0..9999 */
	memcpy(p + 20, yb, yn + 1);
}

ssize_t login_read(const struct login_ctx *c, int fd, void *buf, size_t n, uint64_t off)
{
	if (c->mem) {   /* a decompressed window (rotated.c) */
		if (off >= c->mem_len)
			return 0;
		size_t k = c->mem_len - off < n ? (size_t)(c->mem_len - off) : n;
		memcpy(buf, c->mem + off, k);
		return (ssize_t)k;
	}
	return pread_full(fd, buf, n, off);
}

ssize_t pread_full(int fd, void *buf, size_t n, uint64_t off)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = pread(fd, (char *)buf + done, n - done, (off_t)(off + done));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		done += (size_t)r;
	}
	return (ssize_t)done;
}

void anomaly(struct login_ctx *c, uint64_t off, const char *kind, const char *detail)
{
	json_t *o = json_object();

	json_set_str(o, "source", c->source);
	json_set_int(o, "offset", (int64_t)(c->base_off + off));
	if (c->stream)
		json_set_str(o, "stream", c->stream);
	json_set_str(o, "kind", kind);
	json_set_str(o, "detail", detail);
	json_append_line(c->anomalies, o);
	json_decref(o);
}

void set_field(struct jw *w, const char *key, const struct ut_field *f)
{
	jw_bytes(w, key, f->s, f->len);
}

/* The hot path: one JSON line per record, written directly (jsonw.h). */
static void record_json(const struct login_ctx *c, struct capbuf *out,
			const struct utmp_rec *u, uint64_t off)
{
	struct jw w;
	char buf[96];
	const char *tn = ut_type_name(u->type);

	jw_begin(&w, out);
	if (c->source_json)   /* "source":"..." escaped once per file */
		jw_raw(&w, "source", c->source_json);
	else
		jw_str(&w, "source", c->source);
	jw_int(&w, "offset", (int64_t)(c->base_off + off));
	if (c->stream)   /* the offset is in the decompressed stream */
		jw_ascii(&w, "stream", c->stream, strlen(c->stream));
	jw_int(&w, "type", u->type);
	if (tn)
		jw_ascii(&w, "type_name", tn, strlen(tn));
	else
		jw_null(&w, "type_name");
	jw_int(&w, "pid", u->pid);
	set_field(&w, "line", &u->line);
	set_field(&w, "id", &u->id);
	set_field(&w, "user", &u->user);
	set_field(&w, "host", &u->host);
	char t[FMT_INT_LEN], st[FMT_INT_LEN];
	fmt_i64(t, u->exit_termination);
	fmt_i64(st, u->exit_status);
	jw_raw(&w, "exit", "{\"termination\":");
	capbuf_addstr(w.cb, t);
	capbuf_addstr(w.cb, ",\"status\":");
	capbuf_addstr(w.cb, st);
	capbuf_add(w.cb, "}", 1);
	jw_int(&w, "session", u->session);
	long usec = u->tv_usec >= 0 && u->tv_usec < 1000000 ? u->tv_usec : 0;
	char ts[RFC3339_LEN];
	fmt_rfc3339_ns(ts, u->tv_sec, usec * 1000L);
	jw_ascii(&w, "time", ts, strlen(ts));
	jw_int(&w, "time_epoch", u->tv_sec);
	jw_int(&w, "time_usec", u->tv_usec);
	ut_addr_text(u->addr, buf, sizeof(buf));   /* digits, dots, colons, hex or "?" */
	jw_ascii(&w, "addr", buf, strlen(buf));
	bool unterm = u->user.unterminated || u->line.unterminated || u->host.unterminated;
	if (!u->all_zero && tn && !unterm) {
		jw_raw(&w, "flags", "[]");   /* nearly every record */
	} else {
		snprintf(buf, sizeof(buf), "[%s%s%s%s%s]", u->all_zero ? "\"zeroed\"" : "",
			 u->all_zero && !tn ? "," : "", !tn ? "\"unknown-type\"" : "",
			 (u->all_zero || !tn) && unterm ? "," : "",
			 unterm ? "\"unterminated-field\"" : "");
		jw_raw(&w, "flags", buf);
	}
	jw_end(&w);
}

/* The forward pass runs on a few threads (pscan.h): each block of records
 * becomes JSON in its own buffer, with a summary of each record; the merge,
 * in file order, appends the JSON and finds the anomalies, which need the
 * record before (time reversals) and are rare. */
struct rec_sum {
	uint32_t tv_sec;
	int32_t type;
	bool all_zero;
};

struct rec_block {
	struct capbuf json;
	struct capbuf raw;       /* the records' bytes, when the caller wants them */
	struct zbuf z;           /* json, compressed on the block's thread */
	struct rec_sum sum[CHUNK_RECORDS];
	size_t n;
	uint64_t off;
	int err;                 /* a read error or a short read */
};

struct rec_scan {
	struct login_ctx *c;
	int fd;
	uint64_t whole;
	int err;
	bool stopped;            /* a block failed: later ones are not merged */
};

static void *rec_new(void *ctx)
{
	struct rec_block *b = malloc(sizeof(*b));

	(void)ctx;
	if (b) {
		capbuf_init(&b->json, 64u << 20);
		capbuf_init(&b->raw, CHUNK_RECORDS * UTMP_RECORD_SIZE);
		zbuf_init(&b->z, 64u << 20);
		b->n = 0;
		b->err = 0;
	}
	return b;
}

static void rec_finish(void *ctx, void *out)
{
	struct rec_scan *s = ctx;
	struct rec_block *b = out;

	/* to a spool: compressed here, on this thread (a streaming spool takes
	 * the plain records at the merge) */
	if (s->c->spool && !spool_streams(s->c->spool))
		spool_pack(&b->z, &b->json);
}

static void rec_work(void *ctx, size_t item, void *out)
{
	struct rec_scan *s = ctx;
	struct rec_block *b = out;
	unsigned char buf[CHUNK_RECORDS * UTMP_RECORD_SIZE];
	uint64_t off = (uint64_t)item * sizeof(buf);
	size_t want = s->whole - off < sizeof(buf) ? (size_t)(s->whole - off) : sizeof(buf);
	ssize_t got = login_read(s->c, s->fd, buf, want, off);

	b->off = off;
	if (got < 0) {
		b->err = (int)got;
		return;
	}
	if ((size_t)got < want)
		b->err = -EIO;   /* the file shrank under us */
	b->n = (size_t)got / UTMP_RECORD_SIZE;
	if (s->c->raw)
		capbuf_add(&b->raw, buf, b->n * UTMP_RECORD_SIZE);
	for (size_t i = 0; i < b->n; i++) {
		struct utmp_rec u;
		utmp_decode(buf + i * UTMP_RECORD_SIZE, &u);
		record_json(s->c, &b->json, &u, off + i * UTMP_RECORD_SIZE);
		b->sum[i] = (struct rec_sum){ .tv_sec = u.tv_sec, .type = u.type,
					      .all_zero = u.all_zero };
	}
}

static void rec_merge(void *ctx, void *out)
{
	struct rec_scan *s = ctx;
	struct rec_block *b = out;
	struct login_ctx *c = s->c;
	char detail[160];

	if (s->stopped)
		goto done;
	if (c->spool && spool_streams(c->spool))
		spool_add(c->spool, &b->json);
	else if (c->spool)
		spool_add_z(c->spool, &b->z, b->json.truncated);
	else
		capbuf_add(c->records, b->json.buf ? b->json.buf : "", b->json.len);
	if (c->raw && b->raw.len)
		capbuf_add(c->raw, b->raw.buf, b->raw.len);
	for (size_t i = 0; i < b->n; i++) {
		const struct rec_sum *u = &b->sum[i];
		uint64_t roff = b->off + i * UTMP_RECORD_SIZE;
		c->nrecords++;
		if (u->all_zero) {
			c->nzero++;
			anomaly(c, roff, "zeroed-record", "a record of only zero bytes: a wiped entry?");
			continue;
		}
		if (!ut_type_name(u->type)) {
			c->nunknown++;
			snprintf(detail, sizeof(detail), "unknown record type %d", u->type);
			anomaly(c, roff, "unknown-type", detail);
		}
		if (u->tv_sec) {
			if (c->prev_time && u->tv_sec < c->prev_time && !c->slot_table) {
				c->nbackwards++;
				snprintf(detail, sizeof(detail),
					 "time goes back %u s from the record before",
					 c->prev_time - u->tv_sec);
				anomaly(c, roff, "time-backwards", detail);
			}
			c->prev_time = u->tv_sec;
			if (!c->first_time)
				c->first_time = u->tv_sec;
			if (u->tv_sec > c->last_time)
				c->last_time = u->tv_sec;
		}
	}
	if (b->err) {
		s->err = b->err;
		s->stopped = true;
	}
done:
	capbuf_release(&b->json);
	capbuf_release(&b->raw);
	zbuf_free(&b->z);
	free(b);
}

int utmp_records(struct login_ctx *c, int fd, uint64_t size)
{
	uint64_t whole = size - size % UTMP_RECORD_SIZE;
	size_t per = (size_t)CHUNK_RECORDS * UTMP_RECORD_SIZE;
	unsigned char buf[UTMP_RECORD_SIZE];
	struct rec_scan s = { .c = c, .fd = fd, .whole = whole };
	struct pscan ps = { .nitems = (size_t)((whole + per - 1) / per), .chunk = 1, .ctx = &s,
			    .threads = c->threads,
			    .new_out = rec_new, .work = rec_work, .finish = rec_finish,
			    .merge = rec_merge };
	char detail[160];
	struct capbuf src;
	struct jw sw;

	capbuf_init(&src, 16384);   /* the "source" value, escaped once */
	jw_begin(&sw, &src);
	jw_str(&sw, "s", c->source);
	/* a name that is not UTF-8 also gets a "source_b64": left to jw_str */
	if (!src.truncated && src.len > 5 && utf8_valid(c->source, strlen(c->source)))
		c->source_json = src.buf + 5;   /* after {"s": */
	int r = pscan_run(&ps, NULL);

	c->source_json = NULL;
	capbuf_release(&src);
	if (r == 0)
		r = s.err;
	if (size % UTMP_RECORD_SIZE) {
		size_t tail = (size_t)(size % UTMP_RECORD_SIZE);
		c->trailing = tail;
		ssize_t got = login_read(c, fd, buf, tail, whole);
		json_t *o = json_object();
		json_set_str(o, "source", c->source);
		json_set_int(o, "offset", (int64_t)(c->base_off + whole));
		if (c->stream)
			json_set_str(o, "stream", c->stream);
		json_set_str(o, "kind", "trailing-partial-record");
		snprintf(detail, sizeof(detail), "the file size is not a whole number of "
			 "%d-byte records: %zu bytes left over", UTMP_RECORD_SIZE, tail);
		json_set_str(o, "detail", detail);
		if (got > 0) {
			char *b64 = malloc(BASE64_LEN((size_t)got));
			if (b64) {
				base64_encode(b64, buf, (size_t)got);
				json_set_str(o, "bytes_b64", b64);
				free(b64);
			}
		}
		json_append_line(c->anomalies, o);
		json_decref(o);
	}
	return r;
}

