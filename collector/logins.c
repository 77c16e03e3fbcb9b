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
	snprintf(out, 32, "%s %s %2d %02d:%02d:%02d %d", wd[((days % 7) + 7) % 7], mo[m - 1],
		 d, h, mi, s, y);
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
static void record_json(struct login_ctx *c, const struct utmp_rec *u, uint64_t off)
{
	struct jw w;
	char buf[96];
	const char *tn = ut_type_name(u->type);

	jw_begin(&w, c->records);
	jw_str(&w, "source", c->source);
	jw_int(&w, "offset", (int64_t)off);
	jw_int(&w, "type", u->type);
	jw_str(&w, "type_name", tn);
	jw_int(&w, "pid", u->pid);
	set_field(&w, "line", &u->line);
	set_field(&w, "id", &u->id);
	set_field(&w, "user", &u->user);
	set_field(&w, "host", &u->host);
	snprintf(buf, sizeof(buf), "{\"termination\":%d,\"status\":%d}",
		 u->exit_termination, u->exit_status);
	jw_raw(&w, "exit", buf);
	jw_int(&w, "session", u->session);
	long usec = u->tv_usec >= 0 && u->tv_usec < 1000000 ? u->tv_usec : 0;
	char ts[RFC3339_LEN];
	fmt_rfc3339_ns(ts, u->tv_sec, usec * 1000L);
	jw_str(&w, "time", ts);
	jw_int(&w, "time_epoch", u->tv_sec);
	jw_int(&w, "time_usec", u->tv_usec);
	ut_addr_text(u->addr, buf, sizeof(buf));
	jw_str(&w, "addr", buf);
	snprintf(buf, sizeof(buf), "[%s%s%s%s%s]", u->all_zero ? "\"zeroed\"" : "",
		 u->all_zero && !tn ? "," : "", !tn ? "\"unknown-type\"" : "",
		 (u->all_zero || !tn) &&
		 (u->user.unterminated || u->line.unterminated || u->host.unterminated) ? "," : "",
		 u->user.unterminated || u->line.unterminated || u->host.unterminated ?
		 "\"unterminated-field\"" : "");
	jw_raw(&w, "flags", buf);
	jw_end(&w);
}

int utmp_records(struct login_ctx *c, int fd, uint64_t size)
{
	unsigned char *buf = malloc((size_t)CHUNK_RECORDS * UTMP_RECORD_SIZE);
	uint64_t whole = size - size % UTMP_RECORD_SIZE, off = 0;
	uint32_t prev = 0;
	char detail[160];
	int r = 0;

	if (!buf)
		return -ENOMEM;
	while (off < whole) {
		size_t want = (size_t)CHUNK_RECORDS * UTMP_RECORD_SIZE;
		if (whole - off < want)
			want = (size_t)(whole - off);
		ssize_t got = pread_full(fd, buf, want, off);
		if (got < 0) {
			r = (int)got;
			break;
		}
		size_t n = (size_t)got / UTMP_RECORD_SIZE;
		for (size_t i = 0; i < n; i++) {
			struct utmp_rec u;
			uint64_t roff = off + i * UTMP_RECORD_SIZE;
			utmp_decode(buf + i * UTMP_RECORD_SIZE, &u);
			record_json(c, &u, roff);
			if (c->spool)
				spool_flush(c->spool);
			c->nrecords++;
			if (u.all_zero) {
				c->nzero++;
				anomaly(c, roff, "zeroed-record",
					"a record of only zero bytes: a wiped entry?");
				continue;
			}
			if (!ut_type_name(u.type)) {
				c->nunknown++;
				snprintf(detail, sizeof(detail), "unknown record type %d", u.type);
				anomaly(c, roff, "unknown-type", detail);
			}
			if (u.tv_sec) {
				if (prev && u.tv_sec < prev) {
					c->nbackwards++;
					snprintf(detail, sizeof(detail),
						 "time goes back %u s from the record before",
						 prev - u.tv_sec);
					anomaly(c, roff, "time-backwards", detail);
				}
				prev = u.tv_sec;
				if (!c->first_time)
					c->first_time = u.tv_sec;
				if (u.tv_sec > c->last_time)
					c->last_time = u.tv_sec;
			}
		}
		if ((size_t)got < want) {
			r = -EIO;   /* the file shrank under us */
			break;
		}
		off += (uint64_t)got;
	}
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
	free(buf);
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
	struct capbuf *out;
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

/* One line, in the layout of `last -F -w` (and -x), host bytes escaped. */
static void last_line(struct lastv *v, const struct utmp_rec *u, const char *line_text,
		      int64_t logout, int what)
{
	char in[32], outs[40], length[40], line[40];
	int64_t secs = logout - (int64_t)u->tv_sec;
	int64_t mins = (secs / 60) % 60, hours = (secs / 3600) % 24, days = secs / 86400;
	struct capbuf user, host;

	snprintf(line, sizeof(line), "%s", line_text);
	if (strncmp(line, "ftp", 3) == 0 && line[3] >= '0' && line[3] <= '9')
		line[3] = '\0';
	if (strncmp(line, "uucp", 4) == 0 && line[4] >= '0' && line[4] <= '9')
		line[4] = '\0';
	fmt_ctime_utc(in, u->tv_sec);
	char lo[32];
	fmt_ctime_utc(lo, logout);
	snprintf(outs, sizeof(outs), "- %s", lo);
	length[0] = '\0';
	if (logout == v->c->now) {
		snprintf(outs, sizeof(outs), "  still running");
	} else if (days) {
		snprintf(length, sizeof(length), "(%lld+%02lld:%02lld)", (long long)days,
			 (long long)llabs(hours), (long long)llabs(mins));
	} else if (hours) {
		snprintf(length, sizeof(length), " (%02lld:%02lld)", (long long)hours,
			 (long long)llabs(mins));
	} else if (secs >= 0) {
		snprintf(length, sizeof(length), " (%02lld:%02lld)", (long long)hours,
			 (long long)mins);
	} else {
		snprintf(length, sizeof(length), " (-00:%02lld)", (long long)llabs(mins));
	}
	switch (what) {
	case R_CRASH: snprintf(outs, sizeof(outs), "- crash"); break;
	case R_DOWN: snprintf(outs, sizeof(outs), "- down "); break;
	case R_NOW: snprintf(outs, sizeof(outs), "  still logged in"); length[0] = '\0'; break;
	case R_PHANTOM: snprintf(outs, sizeof(outs), "  gone - no logout"); length[0] = '\0'; break;
	case R_TIMECHANGE: outs[0] = '\0'; length[0] = '\0'; break;
	default: break;
	}
	capbuf_init(&user, 256);
	capbuf_init(&host, 2048);
	text_escape(&user, u->user.s, u->user.len);
	text_escape(&host, u->host.s, u->host.len);
	size_t mark = v->out->len;
	capbuf_printf(v->out, "%-8s %-12.12s %-16s %-24.24s %-26.26s %s",
		      user.buf ? user.buf : "", line, host.buf ? host.buf : "", in, outs, length);
	while (v->out->len > mark && v->out->buf[v->out->len - 1] == ' ')
		v->out->len--;
	capbuf_add(v->out, "\n", 1);
	capbuf_release(&user);
	capbuf_release(&host);
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
	      int64_t file_ctime, int lastb, struct capbuf *out)
{
	struct lastv v = { .c = c, .out = out, .lastb = lastb };
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
