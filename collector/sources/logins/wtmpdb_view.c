/*
 * wtmpdb_view.c - the `last` view of a wtmpdb database, and its tampering
 * signs (sqlite_image.h), from the in-memory image, never the host file.
 *
 * The view is what `wtmpdb last -F -w -x` prints, in UTC: the rows by
 * login time, newest first; a login without a logout is "still logged in",
 * or "crash" when a later boot follows; a boot with a logout time gives a
 * "shutdown" line before the next boot (wtmpdb's own rules, src/wtmpdb.c).
 * Every host string is escaped (text_field()).
 *
 * Signs: wtmpdb's IDs are an INTEGER PRIMARY KEY, given in order and never
 * reused while a later row exists, so a hole between IDs is a deleted row
 * ("wtmpdb-id-gap"), and a row whose login time is older than the row
 * before it in ID order was written with a forged or reset clock
 * ("wtmpdb-time-backwards").
 */
#include <errno.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "jsonx.h"
#include "logins.h"
#include "sqlite_image.h"
#include "textutil.h"
#include "banned.h"

enum { WTMPDB_BOOT_TIME = 1, WTMPDB_USER_PROCESS = 3 };
#define GAP_REPORTS_MAX 1000   /* then one summary */

/* wtmpdb's calc_time_length() */
static void span(char *dst, size_t len, uint64_t start, uint64_t stop)
{
	uint64_t secs = stop > start ? (stop - start) / 1000000 : 0;
	int mins = (int)(secs / 60 % 60), hours = (int)(secs / 3600 % 24);
	uint64_t days = secs / 86400;

	if (days)
		snprintf(dst, len, "(%" PRIu64 "+%02d:%02d)", days, hours, mins);
	else if (hours)
		snprintf(dst, len, " (%02d:%02d)", hours, mins);
	else
		snprintf(dst, len, " (00:%02d)", mins);
}

static void text_col(sqlite3_stmt *st, int i, const char **s, size_t *n, const char *dflt)
{
	*s = (const char *)sqlite3_column_text(st, i);
	*n = *s ? (size_t)sqlite3_column_bytes(st, i) : strlen(dflt);
	if (!*s)
		*s = dflt;
}

/* wtmpdb's print_line() with -w: "%-8s %-12.12s %-16s %-24.24s - %-24.24s %s" */
static void line(struct capbuf *out, const char *user, size_t ulen, const char *tty, size_t tlen,
		 const char *host, size_t hlen, const char *in, const char *outs, const char *len)
{
	size_t mark = out->len;

	text_field(out, user, ulen, 8, false);
	capbuf_add(out, " ", 1);
	text_field(out, tty, tlen, 12, true);
	capbuf_add(out, " ", 1);
	text_field(out, host, hlen, 16, false);
	capbuf_add(out, " ", 1);
	text_pad(out, in, strlen(in), 24, true);
	capbuf_add(out, " - ", 3);
	text_pad(out, outs, strlen(outs), 24, true);
	capbuf_add(out, " ", 1);
	capbuf_addstr(out, len);
	while (out->len > mark && out->buf[out->len - 1] == ' ')
		out->len--;
	capbuf_add(out, "\n", 1);
}

static void view(sqlite3 *db, const char *source, struct capbuf *out, uint64_t *ret_rows)
{
	sqlite3_stmt *st = NULL;
	uint64_t after_reboot = 0, newer_boot = 0, start = UINT64_MAX;
	char in[32], outs[32], len[48];

	capbuf_printf(out, "==> %s <==\n", shown(source).s);
	if (sqlite3_prepare_v2(db, "SELECT ID, Type, User, Login, Logout, TTY, RemoteHost, Service "
			       "FROM wtmp ORDER BY Login DESC, Logout ASC", -1, &st, NULL) !=
	    SQLITE_OK) {
		capbuf_printf(out, "irsnap: no wtmp table of wtmpdb's shape: %s\n\n",
			      sqlite3_errmsg(db));
		return;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		int type = sqlite3_column_int(st, 1);
		const char *user, *tty, *host;
		size_t ulen, tlen, hlen;
		uint64_t login = (uint64_t)sqlite3_column_int64(st, 3);
		uint64_t logout = sqlite3_column_type(st, 4) == SQLITE_NULL ? 0 :
				  (uint64_t)sqlite3_column_int64(st, 4);
		text_col(st, 2, &user, &ulen, "");
		text_col(st, 5, &tty, &tlen, "?");
		text_col(st, 6, &host, &hlen, "");
		(*ret_rows)++;
		if (login < start)
			start = login;
		fmt_ctime_utc(in, (int64_t)(login / 1000000));
		len[0] = '\0';
		if (logout) {
			fmt_ctime_utc(outs, (int64_t)(logout / 1000000));
			span(len, sizeof(len), login, logout);
		} else if (after_reboot) {
			snprintf(outs, sizeof(outs), "crash");
		} else if (type == WTMPDB_USER_PROCESS) {
			snprintf(outs, sizeof(outs), "still logged in");
		} else if (type == WTMPDB_BOOT_TIME) {
			snprintf(outs, sizeof(outs), "still running");
		} else {
			snprintf(outs, sizeof(outs), "ERROR");
			snprintf(len, sizeof(len), "Unknown: %d", type);
		}
		if (type == WTMPDB_BOOT_TIME && newer_boot && logout) {
			char din[32], dout[32], dlen[48];
			fmt_ctime_utc(din, (int64_t)(logout / 1000000));
			fmt_ctime_utc(dout, (int64_t)(newer_boot / 1000000));
			span(dlen, sizeof(dlen), logout, newer_boot);
			line(out, "shutdown", 8, "system down", 11, host, hlen, din, dout, dlen);
		}
		if (type == WTMPDB_BOOT_TIME) {
			newer_boot = login;
			after_reboot = login;
			tty = "system boot";
			tlen = strlen(tty);
		}
		line(out, user, ulen, tty, tlen, host, hlen, in, outs, len);
	}
	sqlite3_finalize(st);
	if (start == UINT64_MAX) {
		capbuf_printf(out, "%s has no entries\n\n", shown(source).s);
	} else {
		fmt_ctime_utc(in, (int64_t)(start / 1000000));
		capbuf_printf(out, "\n%s begins %s\n\n", shown(source).s, in);
	}
}

/* the IDs are in the detail: an anomaly's offset is a byte offset */
static void sign(struct logins *L, const char *source, const char *kind, const char *detail)
{
	login_anomaly(L, source, NULL, kind, detail);
}

/* Holes in the IDs and logins older than the row before, in ID order. */
static void signs(struct logins *L, sqlite3 *db, const char *source)
{
	sqlite3_stmt *st = NULL;
	int64_t prev = 0, prev_login = 0;
	uint64_t gaps = 0, missing = 0;
	char d[200];

	if (sqlite3_prepare_v2(db, "SELECT ID, Login FROM wtmp ORDER BY ID", -1, &st, NULL) !=
	    SQLITE_OK)
		return;
	while (sqlite3_step(st) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0), login = sqlite3_column_int64(st, 1);
		/* a first ID above 1 is not counted: `wtmpdb rotate` moves the
		 * oldest rows into another database */
		if (prev > 0 && id > prev + 1) {
			gaps++;
			missing += (uint64_t)(id - prev - 1);
			if (gaps <= GAP_REPORTS_MAX) {
				if (id - prev == 2)
					snprintf(d, sizeof(d), "no row with ID %" PRId64 " (between %"
						 PRId64 " and %" PRId64 "): a row deleted?", prev + 1,
						 prev, id);
				else
					snprintf(d, sizeof(d), "no rows with IDs %" PRId64 " to %" PRId64
						 " (%" PRId64 " rows): rows deleted?", prev + 1, id - 1,
						 id - prev - 1);
				sign(L, source, "wtmpdb-id-gap", d);
			}
		}
		if (prev > 0 && login < prev_login) {
			snprintf(d, sizeof(d), "the login time of ID %" PRId64 " is %.3f s older "
				 "than that of ID %" PRId64 " before it: a forged or reset clock?", id,
				 (double)(prev_login - login) / 1e6, prev);
			sign(L, source, "wtmpdb-time-backwards", d);
		}
		prev = id;
		prev_login = login;
	}
	sqlite3_finalize(st);
	if (gaps > GAP_REPORTS_MAX) {
		snprintf(d, sizeof(d), "%" PRIu64 " holes in the IDs, %" PRIu64 " rows missing in "
			 "all; only the first %d are listed", gaps, missing, GAP_REPORTS_MAX);
		sign(L, source, "wtmpdb-id-gap", d);
	}
}

int wtmpdb_view(struct logins *L, const struct capbuf *img, const char *source,
		struct capbuf *out, uint64_t *ret_rows)
{
	sqlite3 *db = NULL;
	int r = sqlite_image_open(img, &db);

	*ret_rows = 0;
	if (r == 0) {
		view(db, source, out, ret_rows);
		signs(L, db, source);
	}
	sqlite3_close(db);
	return r;
}
