/*
 * checks_logins.c - the checks of the login records beyond the logins
 * source's own anomalies: failed logins followed by a success from the
 * same address (btmp joined to wtmp), records zeroed in part, a login
 * turned into a logout in place, a host field that names another address
 * than the address field, a logout without its login, a boot without its
 * runlevel record (findings.h; README "Findings").
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "findings_int.h"
#include "jsonx.h"
#include "vec.h"
#include "banned.h"

#define WTMP "logins/wtmp.jsonl"
#define BTMP "logins/btmp.jsonl"
#define LASTLOG "logins/lastlog.jsonl"
#define LASTLOG_SLACK 5            /* seconds between a lastlog time and its wtmp login */
#define FAIL_WINDOW (24 * 3600)    /* failures this long before a success count */
#define UT_RUN_LVL 1
#define UT_BOOT_TIME 2
#define UT_LOGIN_PROCESS 6
#define UT_USER_PROCESS 7
#define UT_DEAD_PROCESS 8

/* The address a record came from: the host field when it is an address,
 * else the address field (zero: none). */
static void rec_addr(json_t *rec, char *out, size_t size)
{
	const char *host = rec_str(rec, "host"), *addr = rec_str(rec, "addr");
	unsigned char bin[16];

	out[0] = '\0';
	if (host && (inet_pton(AF_INET, host, bin) == 1 || inet_pton(AF_INET6, host, bin) == 1))
		copy_field(out, size, host);
	else if (addr && strcmp(addr, "0.0.0.0") != 0 && strcmp(addr, "::") != 0 &&
		 strcmp(addr, "?") != 0)
		copy_field(out, size, addr);
	else if (host)
		copy_field(out, size, host);   /* a name: compared as it is */
}

static void note(struct login_ring *r, json_t *rec, bool need_addr)
{
	struct login_note x = { .time = rec_int(rec, "time_epoch", 0),
				.offset = rec_int(rec, "offset", -1) };
	rec_addr(rec, x.addr, sizeof(x.addr));
	copy_field(x.user, sizeof(x.user), rec_str(rec, "user"));
	if (need_addr && !x.addr[0])
		return;
	if (r->n < LOGIN_RING_CAP && vec_reserve((void **)&r->v, &r->a, r->n + 1, sizeof(*r->v))) {
		r->v[r->n++] = x;
		return;
	}
	if (!r->n)
		return;
	r->v[r->next] = x;   /* the oldest kept makes room */
	r->next = (r->next + 1) % r->n;
	r->dropped++;
}

static void lastlog_line(struct findings *f, const char *m, json_t *rec, const char *b,
			 size_t n)
{
	(void)m; (void)b; (void)n;
	if (rec_int(rec, "time_epoch", 0) > 0 && rec_str(rec, "user"))
		note(&f->lastlogs, rec, false);
}

static void btmp_line(struct findings *f, const char *m, json_t *rec, const char *b, size_t n)
{
	(void)m; (void)b; (void)n;
	note(&f->fails, rec, true);
}

/* ---- wtmp, record by record (in file order: the state of one source) --- */

static json_t *wtmp_seen(json_t *rec)
{
	json_t *s = json_object();
	static const char *const k[] = { "source", "offset", "type_name", "pid", "line", "user",
		"host", "addr", "time", NULL };
	for (int i = 0; k[i]; i++)
		if (json_object_get(rec, k[i]))
			json_object_set(s, k[i], json_object_get(rec, k[i]));
	return s;
}

static void wtmp_finding(struct findings *f, const char *m, json_t *rec, const char *check,
			 enum severity sev, const char *what)
{
	finding(f, check, sev, "T1070.002", wtmp_seen(rec),
		ev_list(ev_record(m, "offset", rec_int(rec, "offset", -1), NULL, 0)),
		"%s at offset %lld: %s", rec_str(rec, "source") ? rec_str(rec, "source") : "wtmp",
		(long long)rec_int(rec, "offset", -1), what);
}

static bool empty(const char *s)
{
	return !s || !*s;
}

/* The host field is an address and the address field another. */
static bool host_addr_differ(json_t *rec)
{
	const char *host = rec_str(rec, "host"), *addr = rec_str(rec, "addr");
	unsigned char h[16] = { 0 }, a[16] = { 0 };
	int fam = host && inet_pton(AF_INET, host, h) == 1 ? AF_INET :
		  host && inet_pton(AF_INET6, host, h) == 1 ? AF_INET6 : 0;

	if (!fam || !addr || strcmp(addr, "0.0.0.0") == 0 || strcmp(addr, "::") == 0)
		return false;
	int afam = inet_pton(AF_INET, addr, a) == 1 ? AF_INET :
		   inet_pton(AF_INET6, addr, a) == 1 ? AF_INET6 : 0;
	return afam && (afam != fam || memcmp(h, a, fam == AF_INET ? 4 : 16) != 0);
}

static void wtmp_state_reset(struct findings *f, const char *src)
{
	copy_field(f->wt_source, sizeof(f->wt_source), src);
	f->wt_boot = f->wt_runlevel = false;
	strset_free(&f->wt_open);
	memset(&f->wt_open, 0, sizeof(f->wt_open));
}

static void session_key(json_t *rec, char *key, size_t size)
{
	const char *line = rec_str(rec, "line");
	snprintf(key, size, "%lld %s", (long long)rec_int(rec, "pid", -1), line ? line : "");
}

static void wtmp_line(struct findings *f, const char *m, json_t *rec, const char *b, size_t n)
{
	(void)b; (void)n;
	const char *src = rec_str(rec, "source"), *user = rec_str(rec, "user");
	int64_t type = rec_int(rec, "type", -1), t = rec_int(rec, "time_epoch", 0);
	char key[128];

	if (strcmp(src ? src : "", f->wt_source) != 0)
		wtmp_state_reset(f, src);
	json_t *flags = json_object_get(rec, "flags");
	if (json_array_size(flags))
		return;   /* zeroed or unknown: the logins source said so (anomalies) */
	if (t > 0 && (!f->wtmp_first || t < f->wtmp_first))
		f->wtmp_first = t;
	if (type == UT_USER_PROCESS) {
		note(&f->oks, rec, false);
		if (empty(user) || empty(rec_str(rec, "line")) || t == 0)
			wtmp_finding(f, m, rec, "login_record_part_zeroed", SEV_MEDIUM,
				     "a login with its user, line or time zeroed: a record "
				     "wiped in part");
		session_key(rec, key, sizeof(key));
		strset_add(&f->wt_open, key);
	} else if (type == UT_LOGIN_PROCESS) {
		session_key(rec, key, sizeof(key));
		strset_add(&f->wt_open, key);
	} else if (type == UT_DEAD_PROCESS) {
		if (!empty(user))
			wtmp_finding(f, m, rec, "logout_with_user", SEV_MEDIUM,
				     "a logout that names a user: a login turned into a logout in "
				     "place (what wtmp cleaners do; some terminal programs write "
				     "names in logouts)");
		session_key(rec, key, sizeof(key));
		if (f->wt_boot && !strset_has(&f->wt_open, key))
			wtmp_finding(f, m, rec, "logout_without_login", SEV_LOW,
				     "a logout with no login of its line and pid since the boot: "
				     "the login's record removed? (init writes logouts of "
				     "terminals nobody used, too)");
	} else if (type == UT_BOOT_TIME) {
		if (f->wt_boot && !f->wt_runlevel)
			wtmp_finding(f, m, rec, "boot_without_runlevel", SEV_LOW,
				     "a boot follows a boot that has no runlevel record: records "
				     "removed after the earlier boot? (a crash before the runlevel "
				     "is written, or a container, does it too)");
		f->wt_boot = true;
		f->wt_runlevel = false;
		strset_free(&f->wt_open);
		memset(&f->wt_open, 0, sizeof(f->wt_open));
	} else if (type == UT_RUN_LVL) {
		f->wt_runlevel = true;
	}
	if ((type == UT_USER_PROCESS || type == UT_DEAD_PROCESS) && host_addr_differ(rec))
		wtmp_finding(f, m, rec, "login_host_addr_differ", SEV_MEDIUM,
			     "the host field names another address than the address field: "
			     "one of them rewritten");
}

/* ---- the join: failures, then a success from the same address --------- */

static int by_addr_time(const void *a, const void *b)
{
	const struct login_note *x = a, *y = b;
	int c = strcmp(x->addr, y->addr);
	return c ? c : (x->time > y->time) - (x->time < y->time);
}

/* A lastlog login that wtmp, covering its time, does not have: the
 * user's wtmp records removed (lastlog is seldom cleaned with them). */
static int by_user_time(const void *a, const void *b)
{
	const struct login_note *x = a, *y = b;
	int c = strcmp(x->user, y->user);
	return c ? c : (x->time > y->time) - (x->time < y->time);
}

static void lastlog_join(struct findings *f)
{
	int64_t first = f->wtmp_first;

	if (f->oks.n)
		qsort(f->oks.v, f->oks.n, sizeof(*f->oks.v), by_user_time);
	for (size_t i = 0; f->oks.dropped && i < f->oks.n; i++)   /* what the kept logins cover */
		if (i == 0 || f->oks.v[i].time < first)
			first = f->oks.v[i].time;
	for (size_t i = 0; i < f->lastlogs.n; i++) {
		const struct login_note *l = &f->lastlogs.v[i];
		if (!first || l->time < first)
			continue;   /* before what wtmp holds (or what was kept): rotated away */
		size_t lo = 0, hi = f->oks.n;   /* the user's first login from l->time - slack */
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			int c = strcmp(f->oks.v[mid].user, l->user);
			if (c < 0 || (c == 0 && f->oks.v[mid].time < l->time - LASTLOG_SLACK))
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < f->oks.n && strcmp(f->oks.v[lo].user, l->user) == 0 &&
		    f->oks.v[lo].time <= l->time + LASTLOG_SLACK)
			continue;
		json_t *seen = json_object();
		json_set_bytes(seen, "user", l->user, strlen(l->user));
		json_set_int(seen, "lastlog_time", l->time);
		json_set_int(seen, "wtmp_first", f->wtmp_first);
		finding(f, "lastlog_not_in_wtmp", SEV_MEDIUM, "T1070.002", seen,
			ev_list(ev_record(LASTLOG, "offset", l->offset, NULL, 0)),
			"lastlog says %.40s logged in at %lld, within the time wtmp covers, and "
			"wtmp has no login of %.40s then: its records removed? (a PAM setup that "
			"writes lastlog only does it too)", l->user, (long long)l->time, l->user);
	}
}

void checks_logins_join(struct findings *f)
{
	struct strset said = { 0 };   /* one finding per address, user and failures */

	lastlog_join(f);
	if (f->oks.dropped || f->fails.dropped)
		finding(f, "logins_join_capped", SEV_INFO, NULL, NULL, NULL, "the login joins kept "
			"the newest %d logins and failures of each file: %llu logins and %llu "
			"failures before them were not compared", LOGIN_RING_CAP,
			(unsigned long long)f->oks.dropped, (unsigned long long)f->fails.dropped);
	if (!f->fails.n || !f->oks.n)
		return;
	qsort(f->fails.v, f->fails.n, sizeof(*f->fails.v), by_addr_time);
	for (size_t i = 0; i < f->oks.n; i++) {
		const struct login_note *ok = &f->oks.v[i];
		/* the failures of its address within FAIL_WINDOW before it */
		size_t lo = 0, hi = f->fails.n, count = 0;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			int c = strcmp(f->fails.v[mid].addr, ok->addr);
			if (c < 0 || (c == 0 && f->fails.v[mid].time < ok->time - FAIL_WINDOW))
				lo = mid + 1;
			else
				hi = mid;
		}
		size_t first = lo;
		for (size_t j = lo; j < f->fails.n && strcmp(f->fails.v[j].addr, ok->addr) == 0 &&
		     f->fails.v[j].time <= ok->time; j++)
			count++;
		char key[160];
		snprintf(key, sizeof(key), "%s %s %zu", ok->addr, ok->user, first);
		if (count < 2 || strset_add(&said, key) == 0)
			continue;
		bool root = strcmp(ok->user, "root") == 0;
		json_t *seen = json_object(), *ev = json_array();
		json_set_bytes(seen, "addr", ok->addr, strlen(ok->addr));
		json_set_bytes(seen, "user", ok->user, strlen(ok->user));
		json_set_int(seen, "failures", (int64_t)count);
		json_set_int(seen, "login_time", ok->time);
		json_array_append_new(ev, ev_record(WTMP, "offset", ok->offset, NULL, 0));
		json_array_append_new(ev, ev_record(BTMP, "offset", f->fails.v[first].offset, NULL, 0));
		finding(f, "login_after_failures", root ? SEV_HIGH : SEV_MEDIUM, "T1110", seen, ev,
			"%zu failed logins from %.64s, then a successful login of %.40s from it "
			"(a password guessed?)", count, ok->addr, ok->user);
	}
	strset_free(&said);
}

const struct check checks_logins[] = {
	{ "login_after_failures", BTMP, { NULL }, false, btmp_line, NULL },
	{ "wtmp", WTMP, { NULL }, false, wtmp_line, NULL },
	{ "lastlog_not_in_wtmp", LASTLOG, { NULL }, false, lastlog_line, NULL },
};
const size_t nchecks_logins = sizeof(checks_logins) / sizeof(checks_logins[0]);
