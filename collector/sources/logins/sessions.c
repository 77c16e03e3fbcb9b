/*
 * sessions.c - the sessions step: who's view of /run/utmp (sessions.jsonl,
 * sessions.txt), logind's state, and the cross-checks with the process
 * table (a utmp login without its process, a session leader on a terminal
 * without a utmp login).
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "copy.h"
#include "hostfile.h"
#include "logind.h"
#include "logins.h"
#include "procfs.h"
#include "pscan.h"
#include "proctable.h"
#include "strset.h"
#include "source.h"
#include "spool.h"
#include "sqlite_image.h"
#include "textutil.h"
#include "utmp_format.h"
#include "banned.h"

/* The utmp records read, decoded again from their exact bytes, with the
 * file and offset of each. */
struct raw_iter {
	const struct logins *L;
	size_t at;
};

static bool next_record(struct raw_iter *it, struct utmp_rec *u, const char **ret_path,
			uint64_t *ret_off)
{
	const struct logins *L = it->L;

	if (!L->raw || it->at + UTMP_RECORD_SIZE > L->raw->len)
		return false;
	size_t f = 0;
	while (f + 1 < L->nfiles && L->files[f + 1].start <= it->at)
		f++;
	utmp_decode((const unsigned char *)L->raw->buf + it->at, u);
	*ret_path = L->nfiles ? L->files[f].path : "?";
	*ret_off = it->at - (L->nfiles ? L->files[f].start : 0);
	it->at += UTMP_RECORD_SIZE;
	return true;
}

static void add_field(struct capbuf *out, const struct ut_field *f)
{
	text_escape(out, f->s, f->len);   /* the exact bytes, escaped: never U+FFFD */
}

/* who -a shaped lines from the utmp records just read. */
static void sessions_view(struct logins *L, struct capbuf *out)
{
	struct raw_iter it = { .L = L };
	struct utmp_rec u;
	const char *path;
	uint64_t off;

	capbuf_printf(out, "%-10s %-12s %-20s %-8s %-8s %s\n", "USER", "LINE", "TIME (UTC)",
		      "PID", "TYPE", "HOST");
	while (next_record(&it, &u, &path, &off)) {
		struct capbuf us, ls, hs;
		char when[RFC3339_LEN] = "";
		const char *tn = ut_type_name(u.type);
		capbuf_init(&us, 256);
		capbuf_init(&ls, 256);
		capbuf_init(&hs, 2048);
		add_field(&us, &u.user);
		add_field(&ls, &u.line);
		add_field(&hs, &u.host);
		if (fmt_rfc3339_ns(when, u.tv_sec, 0) == 0) {
			when[19] = 'Z';
			when[20] = '\0';
		}
		capbuf_printf(out, "%-10s %-12s %-20s %-8lld %-8.8s %s\n", us.buf ? us.buf : "",
			      ls.buf ? ls.buf : "", when, (long long)u.pid, tn ? tn : "?",
			      hs.buf ? hs.buf : "");
		capbuf_release(&us);
		capbuf_release(&ls);
		capbuf_release(&hs);
	}
}

/* The reverse check: a session leader on a terminal that utmp does not
 * list as a login (a shell an intruder opened without a login record, or a
 * wiped utmp entry). Lines of utmp USER_PROCESS records are in `lines`. */
static void check_processes(struct logins *L, const struct strset *lines)
{
	size_t n = 0;
	const struct session_leader *leaders = snapshot_leaders(&L->r->snap, &n);
	for (size_t i = 0; i < n; i++) {
		const struct session_leader *l = &leaders[i];
		char tty[32], d[200];
		tty_name(l->tty, tty, sizeof(tty));
		if (strset_has(lines, tty))
			continue;
		snprintf(d, sizeof(d), "process %d leads a session on %s, which utmp does not "
			 "list as a login", l->pid, tty);
		login_anomaly(L, "/proc", NULL, "process-session-without-utmp", d);
	}
}

/* utmp USER_PROCESS entries whose process is gone: a stale or forged entry;
 * and session leaders on terminals utmp does not know. */
static void check_sessions(struct logins *L)
{
	struct raw_iter it = { .L = L };
	struct strset lines = { 0 };
	struct utmp_rec u;
	const char *path;
	uint64_t off;

	while (next_record(&it, &u, &path, &off)) {
		if (u.type != UT_USER_PROCESS)
			continue;
		char *line = strndup(u.line.s, u.line.len);
		if (line)
			strset_add(&lines, line);
		free(line);
		int fd = u.pid > 0 && L->procfd >= 0 ? proc_open_pid(L->procfd, u.pid) : -ENOENT;
		if (fd >= 0) {
			close(fd);
			continue;
		}
		char d[96];
		snprintf(d, sizeof(d), "utmp lists a login whose process %d does not exist",
			 (int)u.pid);
		login_anomaly(L, path, json_integer((json_int_t)off), "session-without-process", d);
	}
	check_processes(L, &lines);
	strset_free(&lines);
}

int src_sessions_collect(struct run *r)
{
	struct logins L;
	struct statx seen[2];
	size_t nseen = 0;
	int ret = 0;

	struct capbuf raw;
	logins_init(&L, r);
	capbuf_init(&raw, LOGIN_RECORDS_CAP);
	L.raw = &raw;
	for (size_t i = 0; i < sizeof(utmp_paths) / sizeof(utmp_paths[0]) && ret == 0; i++) {
		struct statx st;
		int fd = host_open(AT_FDCWD, utmp_paths[i], 0, NULL, &st);
		if (fd >= 0)
			close(fd);
		bool dup = false;
		for (size_t k = 0; fd >= 0 && k < nseen; k++)
			dup |= seen[k].stx_ino == st.stx_ino && seen[k].stx_dev_major == st.stx_dev_major &&
			       seen[k].stx_dev_minor == st.stx_dev_minor;
		if (dup) {
			run_log(r, "sessions: '%s' is the file already read", utmp_paths[i]);
			continue;
		}
		if (fd >= 0)
			seen[nseen++] = st;
		if (fd < 0 && fd == -ENOENT && i > 0)
			continue;
		L.files[L.nfiles].path = utmp_paths[i];
		L.files[L.nfiles++].start = raw.len;
		ret = one_file(&L, "sessions", utmp_paths[i], -1, NULL);
	}
	check_sessions(&L);
	struct capbuf logind;
	capbuf_init(&logind, LOGIN_RECORDS_CAP);
	if (ret == 0)
		ret = logind_collect(r, &logind);
	if (ret == 0)
		ret = run_emit(r, "sessions", "volatile/logind.jsonl", &logind);
	capbuf_release(&logind);
	struct capbuf view;
	capbuf_init(&view, VIEW_CAP);
	sessions_view(&L, &view);
	if (ret == 0)
		ret = run_emit(r, "sessions", "volatile/sessions.jsonl", &L.records);
	if (ret == 0)
		ret = run_emit(r, "sessions", "volatile/sessions.txt", &view);
	if (ret == 0)
		ret = run_emit(r, "sessions", "volatile/sessions-anomalies.jsonl", &L.anomalies);
	capbuf_release(&view);
	capbuf_release(&raw);
	logins_free(&L);
	return ret;
}
