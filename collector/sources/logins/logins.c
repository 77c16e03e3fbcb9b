/*
 * logins.c - utmp/wtmp/btmp and lastlog as records, anomalies and the
 * `last` view (logins.h). The pairing follows what util-linux last(1) does:
 * read newest to oldest; a login takes the logout (or later login) of the
 * same line; a boot or shutdown ends every open session.
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

#define CHUNK_RECORDS 256

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

static ssize_t pread_full(int fd, void *buf, size_t n, uint64_t off)
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

static void anomaly(struct login_ctx *c, uint64_t off, const char *kind, const char *detail)
{
	json_t *o = json_object();

	json_set_str(o, "source", c->source);
	json_set_int(o, "offset", (int64_t)off);
	json_set_str(o, "kind", kind);
	json_set_str(o, "detail", detail);
	json_append_line(c->anomalies, o);
	json_decref(o);
}

static void set_field(struct jw *w, const char *key, const struct ut_field *f)
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
	jw_int(&w, "offset", (int64_t)off);
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
	uint32_t prev;
	int err;
	bool stopped;            /* a block failed: later ones are not merged */
};

static void *rec_new(void *ctx)
{
	struct rec_block *b = malloc(sizeof(*b));

	(void)ctx;
	if (b) {
		capbuf_init(&b->json, 64u << 20);
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

	if (s->c->spool)   /* to a spool: compressed here, on this thread */
		spool_pack(&b->z, &b->json);
}

static void rec_work(void *ctx, size_t item, void *out)
{
	struct rec_scan *s = ctx;
	struct rec_block *b = out;
	unsigned char buf[CHUNK_RECORDS * UTMP_RECORD_SIZE];
	uint64_t off = (uint64_t)item * sizeof(buf);
	size_t want = s->whole - off < sizeof(buf) ? (size_t)(s->whole - off) : sizeof(buf);
	ssize_t got = pread_full(s->fd, buf, want, off);

	b->off = off;
	if (got < 0) {
		b->err = (int)got;
		return;
	}
	if ((size_t)got < want)
		b->err = -EIO;   /* the file shrank under us */
	b->n = (size_t)got / UTMP_RECORD_SIZE;
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
	if (c->spool)
		spool_add_z(c->spool, &b->z, b->json.truncated);
	else
		capbuf_add(c->records, b->json.buf ? b->json.buf : "", b->json.len);
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
			if (s->prev && u->tv_sec < s->prev) {
				c->nbackwards++;
				snprintf(detail, sizeof(detail),
					 "time goes back %u s from the record before", s->prev - u->tv_sec);
				anomaly(c, roff, "time-backwards", detail);
			}
			s->prev = u->tv_sec;
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
		ssize_t got = pread_full(fd, buf, tail, whole);
		json_t *o = json_object();
		json_set_str(o, "source", c->source);
		json_set_int(o, "offset", (int64_t)whole);
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

/* ---- the `last` view ---------------------------------------------------- */

enum { R_CRASH = 1, R_DOWN, R_NORMAL, R_NOW, R_REBOOT, R_PHANTOM, R_TIMECHANGE };
#define UT_SHUTDOWN_TIME 254   /* last(1)'s own pseudo type */

struct open_line {       /* a later logout or login on a line */
	char line[UT_LINE_LEN];
	size_t len;
	int64_t time;
};

struct lastv {
	struct login_ctx *c;
	struct capbuf *out;          /* the spool's buffer, flushed after each line */
	struct spool *spool;
	int lastb;
	struct open_line *open;
	size_t nopen, alloc;
};

static void field_cstr(char *dst, size_t dstlen, const struct ut_field *f)
{
	size_t n = f->len < dstlen - 1 ? f->len : dstlen - 1;
	memcpy(dst, f->s, n);
	dst[n] = '\0';
}

/* Append s (n bytes), cut to `width` when asked, padded with spaces to it. */
static void add_padded(struct capbuf *cb, const char *s, size_t n, size_t width, bool cut)
{
	static const char spaces[] = "                                ";

	if (cut && n > width)
		n = width;
	capbuf_add(cb, s, n);
	while (n < width) {
		size_t k = width - n < sizeof(spaces) - 1 ? width - n : sizeof(spaces) - 1;
		capbuf_add(cb, spaces, k);
		n += k;
	}
}

/* "hh:mm" with both at least two digits (hours may be negative or more). */
static size_t two(char *p, int64_t v)
{
	if (v >= 0 && v < 10) {
		p[0] = '0';
		p[1] = (char)('0' + v);
		p[2] = '\0';
		return 2;
	}
	return fmt_i64(p, v);
}

/* The session length as last(1) prints it: "(d+hh:mm)", " (hh:mm)". */
static void fmt_length(char *out, int64_t secs)
{
	int64_t mins = (secs / 60) % 60, hours = (secs / 3600) % 24, days = secs / 86400;
	char *p = out;

	if (days) {
		*p++ = '(';
		p += fmt_i64(p, days);
		*p++ = '+';
		p += two(p, llabs(hours));
		*p++ = ':';
		p += two(p, llabs(mins));
	} else {
		memcpy(p, " (", 2);
		p += 2;
		if (hours) {
			p += two(p, hours);
			*p++ = ':';
			p += two(p, llabs(mins));
		} else if (secs >= 0) {
			memcpy(p, "00:", 3);
			p += 3;
			p += two(p, mins);
		} else {
			memcpy(p, "-00:", 4);
			p += 4;
			p += two(p, llabs(mins));
		}
	}
	*p++ = ')';
	*p = '\0';
}

/* One line, in the layout of `last -F -w` (and -x), host bytes escaped:
 * "%-8s %-12.12s %-16s %-24.24s %-26.26s %s", trailing spaces trimmed. */
static void last_line(struct lastv *v, const struct utmp_rec *u, const char *line_text,
		      int64_t logout, int what)
{
	char in[32], outs[40] = "- ", length[48] = "", line[40];
	struct capbuf *out = v->out;

	snprintf(line, sizeof(line), "%s", line_text);
	if (strncmp(line, "ftp", 3) == 0 && line[3] >= '0' && line[3] <= '9')
		line[3] = '\0';
	if (strncmp(line, "uucp", 4) == 0 && line[4] >= '0' && line[4] <= '9')
		line[4] = '\0';
	fmt_ctime_utc(in, u->tv_sec);
	fmt_ctime_utc(outs + 2, logout);
	if (logout == v->c->now)
		snprintf(outs, sizeof(outs), "  still running");
	else
		fmt_length(length, logout - (int64_t)u->tv_sec);
	switch (what) {
	case R_CRASH: snprintf(outs, sizeof(outs), "- crash"); break;
	case R_DOWN: snprintf(outs, sizeof(outs), "- down "); break;
	case R_NOW: snprintf(outs, sizeof(outs), "  still logged in"); length[0] = '\0'; break;
	case R_PHANTOM: snprintf(outs, sizeof(outs), "  gone - no logout"); length[0] = '\0'; break;
	case R_TIMECHANGE: outs[0] = '\0'; length[0] = '\0'; break;
	default: break;
	}
	size_t mark = out->len;
	size_t before = out->len;
	text_escape(out, u->user.s, u->user.len);
	add_padded(out, "", 0, out->len - before < 8 ? 8 - (out->len - before) : 0, false);
	capbuf_add(out, " ", 1);
	add_padded(out, line, strlen(line), 12, true);
	capbuf_add(out, " ", 1);
	before = out->len;
	text_escape(out, u->host.s, u->host.len);
	add_padded(out, "", 0, out->len - before < 16 ? 16 - (out->len - before) : 0, false);
	capbuf_add(out, " ", 1);
	add_padded(out, in, strlen(in), 24, true);
	capbuf_add(out, " ", 1);
	add_padded(out, outs, strlen(outs), 26, true);
	capbuf_add(out, " ", 1);
	capbuf_addstr(out, length);
	while (out->len > mark && out->buf[out->len - 1] == ' ')
		out->len--;
	capbuf_add(out, "\n", 1);
	if (v->spool)
		spool_flush(v->spool);
}

static int remember(struct lastv *v, const struct utmp_rec *u)
{
	if (v->nopen == v->alloc) {
		size_t n = v->alloc ? v->alloc * 2 : 32;
		struct open_line *p = reallocarray(v->open, n, sizeof(*p));
		if (!p)
			return -ENOMEM;
		v->open = p;
		v->alloc = n;
	}
	struct open_line *o = &v->open[v->nopen++];
	memcpy(o->line, u->line.s, u->line.len);
	o->len = u->line.len;
	o->time = u->tv_sec;
	return 0;
}

/* A login: the newest later record on its line is its logout; every later
 * record on that line is then forgotten. Returns whether one was found. */
static bool take_logout(struct lastv *v, const struct utmp_rec *u, int64_t *ret)
{
	bool found = false;
	size_t k = 0;

	/* v->open is oldest-first as added (newest records come first in the
	 * backward walk), so the most recently added is the nearest in time */
	for (size_t i = v->nopen; i-- > 0;) {
		if (v->open[i].len == u->line.len &&
		    memcmp(v->open[i].line, u->line.s, u->line.len) == 0) {
			if (!found)
				*ret = v->open[i].time;
			found = true;
		}
	}
	if (!found)
		return false;
	for (size_t i = 0; i < v->nopen; i++)
		if (!(v->open[i].len == u->line.len &&
		      memcmp(v->open[i].line, u->line.s, u->line.len) == 0))
			v->open[k++] = v->open[i];
	v->nopen = k;
	return true;
}

static bool user_known(const struct accounts *acc, const struct ut_field *user, unsigned *uid)
{
	for (size_t i = 0; acc && i < acc->nusers; i++)
		if (acc->users[i].len == user->len &&
		    memcmp(acc->users[i].name, user->s, user->len) == 0) {
			*uid = acc->users[i].id;
			return true;
		}
	return false;
}

/* "still logged in" needs the session's process to exist with the user's
 * login uid (or the tty owned by the user); else "gone - no logout". */
static bool phantom(struct lastv *v, const struct utmp_rec *u)
{
	unsigned uid;
	char path[64], ln[UT_LINE_LEN + 1];
	struct capbuf cb;
	struct statx st;

	if ((int64_t)u->tv_sec < v->c->boot_time)
		return true;
	if (!user_known(v->c->acc, &u->user, &uid))
		return true;
	snprintf(path, sizeof(path), "%d/loginuid", u->pid);
	capbuf_init(&cb, 64);
	int fd = v->c->procfd >= 0 && u->pid > 0 ?
		 openat(v->c->procfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW) : -1;
	if (fd >= 0) {
		int r = capbuf_read_fd(&cb, fd);
		close(fd);
		bool ph = r < 0 || !cb.buf || strtoul(cb.buf, NULL, 10) != uid;
		capbuf_release(&cb);
		return ph;
	}
	capbuf_release(&cb);
	field_cstr(ln, sizeof(ln), &u->line);
	snprintf(path, sizeof(path), "/dev/%s", ln);
	if (statx(AT_FDCWD, path, 0, STATX_UID, &st) < 0)
		return true;
	return st.stx_uid != uid;
}

static int last_one(struct lastv *v, struct utmp_rec *u, int64_t *lastboot, int64_t *lastrch,
		    int64_t *lastdown, int *whydown)
{
	char line[64];
	bool down = false;
	int type = u->type;

	if (v->lastb) {
		field_cstr(line, sizeof(line), &u->line);
		last_line(v, u, line, u->tv_sec, R_NORMAL);
		return 0;
	}
	field_cstr(line, sizeof(line), &u->line);
	if (u->line.len && u->line.s[0] == '~') {
		if (u->user.len >= 8 && memcmp(u->user.s, "shutdown", 8) == 0)
			type = UT_SHUTDOWN_TIME;
		else if (u->user.len >= 6 && memcmp(u->user.s, "reboot", 6) == 0)
			type = UT_BOOT_TIME;
		else if (u->user.len >= 8 && memcmp(u->user.s, "runlevel", 8) == 0)
			type = UT_RUN_LVL;
	} else {
		if (type != UT_DEAD_PROCESS && u->user.len && u->line.len &&
		    !(u->user.len >= 5 && memcmp(u->user.s, "LOGIN", 5) == 0))
			type = UT_USER_PROCESS;
		if (u->user.len == 0)
			type = UT_DEAD_PROCESS;
		if (u->user.len >= 4 && memcmp(u->user.s, "date", 4) == 0) {
			if (u->line.len && u->line.s[0] == '|')
				type = UT_OLD_TIME;
			if (u->line.len && u->line.s[0] == '{')
				type = UT_NEW_TIME;
		}
	}
	switch (type) {
	case UT_SHUTDOWN_TIME:
		last_line(v, u, "system down", *lastboot, R_NORMAL);
		*lastdown = *lastrch = u->tv_sec;
		down = true;
		break;
	case UT_OLD_TIME:
	case UT_NEW_TIME:
		last_line(v, u, type == UT_NEW_TIME ? "new time" : "old time", *lastdown,
			  R_TIMECHANGE);
		break;
	case UT_BOOT_TIME:
		last_line(v, u, "system boot", *lastdown, R_REBOOT);
		*lastboot = u->tv_sec;
		down = true;
		break;
	case UT_RUN_LVL: {
		int x = u->pid & 255;
		snprintf(line, sizeof(line), "(to lvl %c)", x);
		last_line(v, u, line, *lastrch, R_NORMAL);
		if (x == '0' || x == '6') {
			*lastdown = u->tv_sec;
			down = true;
			type = UT_SHUTDOWN_TIME;
		}
		*lastrch = u->tv_sec;
		break;
	}
	case UT_USER_PROCESS: {
		int64_t logout = 0;
		if (take_logout(v, u, &logout)) {
			last_line(v, u, line, logout, R_NORMAL);
		} else {
			int why = *lastboot ? *whydown : (phantom(v, u) ? R_PHANTOM : R_NOW);
			last_line(v, u, line, *lastboot, why);
		}
		/* a login is also the end of an older one on its line */
		__attribute__((fallthrough));
	}
	case UT_DEAD_PROCESS:
		if (u->line.len && remember(v, u) < 0)
			return -ENOMEM;
		break;
	default:
		break;
	}
	if (down) {
		*lastboot = u->tv_sec;
		*whydown = type == UT_SHUTDOWN_TIME ? R_DOWN : R_CRASH;
		v->nopen = 0;
	}
	return 0;
}

int last_view(struct login_ctx *c, int fd, uint64_t size, const char *basename,
	      int64_t file_ctime, int lastb, struct spool *sp)
{
	struct capbuf *out = &sp->buf;
	struct lastv v = { .c = c, .out = out, .spool = sp, .lastb = lastb };
	unsigned char *buf = malloc((size_t)CHUNK_RECORDS * UTMP_RECORD_SIZE);
	uint64_t end = size - size % UTMP_RECORD_SIZE;
	/* until a shutdown is seen, sessions and boots run until now */
	int64_t lastboot = 0, lastdown = c->now;
	int64_t lastrch = lastdown;
	int whydown = 0, r = 0;
	int64_t begin = file_ctime;

	if (!buf)
		return -ENOMEM;
	if (end >= UTMP_RECORD_SIZE && pread_full(fd, buf, UTMP_RECORD_SIZE, 0) ==
	    UTMP_RECORD_SIZE) {
		struct utmp_rec first;
		utmp_decode(buf, &first);
		begin = first.tv_sec;
	}
	while (end > 0 && r == 0) {
		uint64_t n = end / UTMP_RECORD_SIZE < CHUNK_RECORDS ? end / UTMP_RECORD_SIZE :
			     CHUNK_RECORDS;
		uint64_t start = end - n * UTMP_RECORD_SIZE;
		ssize_t got = pread_full(fd, buf, (size_t)(n * UTMP_RECORD_SIZE), start);
		if (got != (ssize_t)(n * UTMP_RECORD_SIZE)) {
			r = got < 0 ? (int)got : -EIO;
			break;
		}
		for (uint64_t i = n; i-- > 0 && r == 0;) {
			struct utmp_rec u;
			utmp_decode(buf + i * UTMP_RECORD_SIZE, &u);
			r = last_one(&v, &u, &lastboot, &lastrch, &lastdown, &whydown);
		}
		end = start;
	}
	char when[32];
	fmt_ctime_utc(when, begin);
	capbuf_printf(out, "\n%s begins %s\n", basename, when);
	free(v.open);
	free(buf);
	return r;
}

int lastlog_records(struct login_ctx *c, int fd, uint64_t size, uint32_t *ret_newest)
{
	unsigned char *buf = malloc((size_t)CHUNK_RECORDS * LASTLOG_RECORD_SIZE);
	uint64_t whole = size - size % LASTLOG_RECORD_SIZE;
	uint32_t newest = 0;
	int r = 0;

	if (!buf)
		return -ENOMEM;
	/* sparse file: SEEK_DATA would skip holes; reading zeros is simple
	 * and bounded by the cap the caller applied to size */
	for (uint64_t off = 0; off < whole;) {
		size_t want = (size_t)CHUNK_RECORDS * LASTLOG_RECORD_SIZE;
		if (whole - off < want)
			want = (size_t)(whole - off);
		ssize_t got = pread_full(fd, buf, want, off);
		if (got <= 0) {
			r = got < 0 ? (int)got : -EIO;
			break;
		}
		for (size_t i = 0; i + LASTLOG_RECORD_SIZE <= (size_t)got; i += LASTLOG_RECORD_SIZE) {
			struct lastlog_rec l;
			lastlog_decode(buf + i, &l);
			if (l.all_zero)
				continue;
			uint64_t uid = (off + i) / LASTLOG_RECORD_SIZE;
			json_t *o = json_object();
			json_set_str(o, "source", c->source);
			json_set_int(o, "offset", (int64_t)(off + i));
			json_set_int(o, "uid", (int64_t)uid);
			const struct account *a = c->acc ? accounts_user(c->acc, (unsigned)uid) : NULL;
			if (a)
				json_set_bytes(o, "user", a->name, a->len);
			else
				json_set_new(o, "user", json_null());
			char ts[RFC3339_LEN];
			fmt_rfc3339_ns(ts, l.time, 0);
			json_set_str(o, "time", ts);
			json_set_int(o, "time_epoch", l.time);
			json_set_bytes(o, "line", l.line.s, l.line.len);
			json_set_bytes(o, "host", l.host.s, l.host.len);
			json_append_line(c->records, o);
			json_decref(o);
			if (l.time > newest)
				newest = l.time;
		}
		off += (uint64_t)got;
	}
	*ret_newest = newest;
	free(buf);
	return r;
}
