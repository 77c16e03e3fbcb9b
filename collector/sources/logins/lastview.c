/*
 * lastview.c - the `last` view of a wtmp or btmp file (logins.h): what
 * util-linux last(1) -F -w -x prints, in UTC. The pairing follows it: read
 * newest to oldest; a login takes the logout (or later login) of the same
 * line; a boot or shutdown ends every open session.
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
#include "hostfile.h"
#include "textutil.h"
#include "utmp_format.h"
#include "vec.h"
#include "banned.h"

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
	text_pad(out, "", 0, out->len - before < 8 ? 8 - (out->len - before) : 0, false);
	capbuf_add(out, " ", 1);
	text_field(out, line, strlen(line), 12, true);   /* ut_line, runlevel byte */
	capbuf_add(out, " ", 1);
	before = out->len;
	text_escape(out, u->host.s, u->host.len);
	text_pad(out, "", 0, out->len - before < 16 ? 16 - (out->len - before) : 0, false);
	capbuf_add(out, " ", 1);
	text_pad(out, in, strlen(in), 24, true);
	capbuf_add(out, " ", 1);
	text_pad(out, outs, strlen(outs), 26, true);
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
static bool phantom_check(struct lastv *v, const struct utmp_rec *u)
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
	/* the line is the record's (an intruder's "../mnt/x" too) */
	if (host_stat_path(path, STATX_UID, &st) < 0)
		return true;
	return st.stx_uid != uid;
}

/* The check, or its answer from the first rendering (phantom_memo). */
static bool phantom(struct lastv *v, const struct utmp_rec *u)
{
	struct phantom_memo *m = v->c->memo;

	if (m && m->next < m->n)
		return m->v[m->next++];
	bool ph = phantom_check(v, u);
	if (m && vec_reserve((void **)&m->v, &m->alloc, m->n + 1, 1)) {
		m->v[m->n++] = ph;
		m->next = m->n;
	}
	return ph;
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
	if (end >= UTMP_RECORD_SIZE && login_read(c, fd, buf, UTMP_RECORD_SIZE, 0) ==
	    UTMP_RECORD_SIZE) {
		struct utmp_rec first;
		utmp_decode(buf, &first);
		begin = first.tv_sec;
	}
	while (end > 0 && r == 0) {
		uint64_t n = end / UTMP_RECORD_SIZE < CHUNK_RECORDS ? end / UTMP_RECORD_SIZE :
			     CHUNK_RECORDS;
		uint64_t start = end - n * UTMP_RECORD_SIZE;
		ssize_t got = login_read(c, fd, buf, (size_t)(n * UTMP_RECORD_SIZE), start);
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

