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

/* who -a shaped lines from the utmp records just parsed. */
static void sessions_view(struct logins *L, struct capbuf *out)
{
	json_error_t err;
	const char *p = L->records.buf, *end = p ? p + L->records.len : NULL;

	capbuf_printf(out, "%-10s %-12s %-20s %-8s %-8s %s\n", "USER", "LINE", "TIME (UTC)",
		      "PID", "TYPE", "HOST");
	while (p && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		json_t *o = json_loadb(p, (size_t)((nl ? nl : end) - p), 0, &err);
		if (o) {
			struct capbuf u, l, h;
			capbuf_init(&u, 256);
			capbuf_init(&l, 256);
			capbuf_init(&h, 2048);
			const char *s = json_string_value(json_object_get(o, "user"));
			text_escape(&u, s ? s : "", s ? strlen(s) : 0);
			s = json_string_value(json_object_get(o, "line"));
			text_escape(&l, s ? s : "", s ? strlen(s) : 0);
			s = json_string_value(json_object_get(o, "host"));
			text_escape(&h, s ? s : "", s ? strlen(s) : 0);
			const char *t = json_string_value(json_object_get(o, "time"));
			const char *tn = json_string_value(json_object_get(o, "type_name"));
			char when[24] = "";
			if (t)
				snprintf(when, sizeof(when), "%.19sZ", t);
			capbuf_printf(out, "%-10s %-12s %-20s %-8lld %-8.8s %s\n", u.buf ? u.buf : "",
				      l.buf ? l.buf : "", when,
				      (long long)json_integer_value(json_object_get(o, "pid")),
				      tn ? tn : "?", h.buf ? h.buf : "");
			capbuf_release(&u);
			capbuf_release(&l);
			capbuf_release(&h);
			json_decref(o);
		}
		p = nl ? nl + 1 : end;
	}
}

static void session_anomaly(struct logins *L, const char *source, json_t *offset,
			    const char *kind, const char *detail)
{
	json_t *a = json_object();
	json_set_str(a, "source", source);
	json_set_new(a, "offset", offset ? offset : json_null());
	json_set_str(a, "kind", kind);
	json_set_str(a, "detail", detail);
	json_append_line(&L->anomalies, a);
	json_decref(a);
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
		session_anomaly(L, "/proc", NULL, "process-session-without-utmp", d);
	}
}

/* utmp USER_PROCESS entries whose process is gone: a stale or forged entry;
 * and session leaders on terminals utmp does not know. */
static void check_sessions(struct logins *L)
{
	json_error_t err;
	const char *p = L->records.buf, *end = p ? p + L->records.len : NULL;
	struct strset lines = { 0 };

	while (p && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		json_t *o = json_loadb(p, (size_t)((nl ? nl : end) - p), 0, &err);
		if (o && json_integer_value(json_object_get(o, "type")) == UT_USER_PROCESS) {
			const char *line = json_string_value(json_object_get(o, "line"));
			if (line)
				strset_add(&lines, line);
			int pid = (int)json_integer_value(json_object_get(o, "pid"));
			int fd = pid > 0 && L->procfd >= 0 ? proc_open_pid(L->procfd, pid) : -ENOENT;
			if (fd >= 0) {
				close(fd);
			} else {
				char d[96];
				snprintf(d, sizeof(d), "utmp lists a login whose process %d does not exist",
					 pid);
				session_anomaly(L, json_string_value(json_object_get(o, "source")),
						json_deep_copy(json_object_get(o, "offset")),
						"session-without-process", d);
			}
		}
		json_decref(o);
		p = nl ? nl + 1 : end;
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

	logins_init(&L, r);
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
	logins_free(&L);
	return ret;
}
