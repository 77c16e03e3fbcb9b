/*
 * src_logins.c - who, last, lastb and lastlog from the raw databases:
 *   sessions (rank 30): /run/utmp -> volatile/sessions.jsonl, sessions.txt
 *   logins (rank 60):   /var/log/wtmp and btmp (all rotations), lastlog ->
 *                       logins/: JSON Lines, last.txt, lastb.txt, anomalies
 * Every database is first copied raw under fs/; the parsed views say which
 * file and byte offset each record came from. Compressed rotations and
 * SQLite databases (wtmpdb, lastlog2) are copied raw, not parsed.
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

#define LOGIN_FILE_CAP (2ull << 30)     /* raw copy and parse: 2 GiB per file */
#define LOGIN_RECORDS_CAP (512u << 20)
#define VIEW_CAP (256u << 20)
#define SQLITE_IMAGE_CAP (256u << 20)  /* a database and its WAL in memory */

static const char *const utmp_paths[] = { "/run/utmp", "/var/run/utmp" };

static bool has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && strcmp(s + a - b, suf) == 0;
}

/* wtmp, wtmp.1, wtmp-20260101: parse; .gz/.xz/.db/-wal...: raw only. */
static bool parseable(const char *name)
{
	static const char *const raw_only[] = {
		".gz", ".xz", ".bz2", ".zst", ".lz4", ".Z", ".db", "-wal", "-shm", "-journal",
	};
	for (size_t i = 0; i < sizeof(raw_only) / sizeof(raw_only[0]); i++)
		if (has_suffix(name, raw_only[i]))
			return false;
	return true;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names in `dir` starting with `prefix` (and ending with `suffix`, if
 * given), sorted; NULL and *ret_n = 0 when there are none. */
static char **list_names(const char *dir, const char *prefix, const char *suffix,
			 size_t *ret_n)
{
	DIR *d = host_opendir(dir);
	struct dirent *de;
	char **v = NULL;
	size_t n = 0;

	*ret_n = 0;
	if (!d)
		return NULL;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, prefix, strlen(prefix)) != 0 ||
		    (suffix && !has_suffix(de->d_name, suffix)))
			continue;
		char **nv = reallocarray(v, n + 1, sizeof(*v));
		if (!nv)
			break;
		v = nv;
		v[n] = strdup(de->d_name);
		if (v[n])
			n++;
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), name_cmp);
	*ret_n = n;
	return v;
}

struct logins {
	struct run *r;
	struct spool *hist;      /* wtmp/btmp records, spilled (spool.h) */
	struct accounts acc;
	struct capbuf records, anomalies;
	struct spool view;                /* last.txt or lastb.txt */
	int procfd;
	int64_t boot_time;
	uint32_t wtmp_newest;
};

static int64_t boot_time(void)
{
	struct timespec rt, bt;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_BOOTTIME, &bt);
	return rt.tv_sec - bt.tv_sec;
}

struct last_job {
	struct login_ctx *c;
	struct run *r;
	pthread_t th;
	int fd, lastb;
	uint64_t size;
	int64_t ctime;
	const char *base;
	struct spool *out;       /* the view: only this thread writes it meanwhile */
	double took;
};

static void *last_job_run(void *arg)
{
	struct last_job *j = arg;
	double t0 = run_elapsed(j->r);

	last_view(j->c, j->fd, j->size, j->base, j->ctime, j->lastb, j->out);
	j->took = run_elapsed(j->r) - t0;
	return NULL;
}

/* Copy raw, then parse records and (for wtmp/btmp) the last view. */
static int one_file(struct logins *L, const char *step, const char *path, int kind_last,
		    uint32_t *ret_newest)
{
	int ret = host_copy(L->r, step, path, LOGIN_FILE_CAP, COPY_OPTIONAL);
	struct statx st;
	int noatime;

	if (ret < 0)
		return ret;
	int fd = host_open(AT_FDCWD, path, 0, &noatime, &st);
	if (fd < 0)
		return 0;   /* the copy's record already says why */
	uint64_t size = st.stx_size < LOGIN_FILE_CAP ? st.stx_size : LOGIN_FILE_CAP;
	struct login_ctx c = {
		.source = path, .records = L->hist ? &L->hist->buf : &L->records,
		.spool = L->hist, .anomalies = &L->anomalies,
		.acc = &L->acc, .now = L->r->start.realtime.tv_sec, .boot_time = L->boot_time,
		.procfd = L->procfd,
	};
	/* the `last` view reads the file backward on its own thread while the
	 * records are read forward: both only read the fd and `c`'s settings */
	struct last_job job = { .c = &c, .r = L->r, .fd = fd, .size = size,
				.ctime = st.stx_ctime.tv_sec, .lastb = kind_last, .out = &L->view };
	bool threaded = false;
	if (kind_last >= 0) {
		uint64_t trailing = size % UTMP_RECORD_SIZE;
		job.base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
		capbuf_printf(&L->view.buf, "==> %s <==\n", safe_path(path));
		if (trailing)
			capbuf_printf(&L->view.buf, "irsnap: %llu trailing bytes after the last whole "
				      "record (see anomalies.jsonl); util-linux last lists nothing "
				      "for such a file\n", (unsigned long long)trailing);
		threaded = pscan_thread(&job.th, last_job_run, &job) == 0;
	}
	double t0 = run_elapsed(L->r);
	int r = utmp_records(&c, fd, size);
	double t1 = run_elapsed(L->r);
	if (kind_last >= 0 && !threaded)
		last_job_run(&job);
	else if (threaded)
		pthread_join(job.th, NULL);
	double t2 = run_elapsed(L->r);
	if (r < 0)
		run_log(L->r, "%s: reading '%s' failed after %llu records: %s", step, safe_path(path),
			(unsigned long long)c.nrecords, strerror(-r));
	run_log(L->r, "%s: '%s': %llu records, %llu zeroed, %llu unknown type, %llu time "
		"reversals, %llu trailing bytes", step, safe_path(path),
		(unsigned long long)c.nrecords, (unsigned long long)c.nzero,
		(unsigned long long)c.nunknown, (unsigned long long)c.nbackwards,
		(unsigned long long)c.trailing);
	if (kind_last >= 0)
		capbuf_add(&L->view.buf, "\n", 1);
	/* what bench_logins.sh compares with `last -F -f`: parsing, not archiving */
	run_log(L->r, "%s: '%s': parsed in %.3f s: records in %.3f s, last view in %.3f s "
		"(%s)", step, safe_path(path), t2 - t0, t1 - t0, job.took,
		threaded ? "side by side" : "one after the other");
	if (ret_newest && c.last_time > *ret_newest)
		*ret_newest = c.last_time;
	close(fd);
	return 0;
}

static void logins_init(struct logins *L, struct run *r)
{
	memset(L, 0, sizeof(*L));
	L->r = r;
	capbuf_init(&L->records, LOGIN_RECORDS_CAP);
	capbuf_init(&L->anomalies, LOGIN_RECORDS_CAP);
	spool_init(&L->view);
	accounts_load(&L->acc, "/etc/passwd", "/etc/group");
	L->procfd = proc_open_root();
	L->boot_time = boot_time();
}

static void logins_free(struct logins *L)
{
	accounts_free(&L->acc);
	capbuf_release(&L->records);
	capbuf_release(&L->anomalies);
	spool_free(&L->view);
	if (L->procfd >= 0)
		close(L->procfd);
}

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
	if (!L->r->leaders_known) {   /* no processes step ran before us */
		struct proctable t;
		if (proctable_read(&t) < 0)
			return;
		procs_keep_leaders(L->r, &t);
		proctable_free(&t);
	}
	for (size_t i = 0; i < L->r->nleaders; i++) {
		const struct session_leader *l = &L->r->leaders[i];
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

/* wtmp* or btmp*: every file, records into one member, views into another. */
static int history(struct logins *L, const char *prefix, int lastb, const char *jsonl,
		   const char *txt, uint32_t *newest)
{
	size_t n;
	char **names = list_names("/var/log", prefix, NULL, &n);
	struct spool hist;
	int ret = 0;

	spool_init(&hist);
	L->hist = &hist;
	spool_free(&L->view);
	spool_init(&L->view);
	for (size_t i = 0; i < n; i++) {
		char path[300];
		snprintf(path, sizeof(path), "/var/log/%s", names[i]);
		if (ret == 0 && !run_should_stop(L->r)) {
			if (parseable(names[i]))
				ret = one_file(L, "logins", path, lastb, newest);
			else
				ret = host_copy(L->r, "logins", path, LOGIN_FILE_CAP, COPY_OPTIONAL);
		}
		free(names[i]);
	}
	free(names);
	if (n == 0)
		run_log(L->r, "logins: no /var/log/%s* file", prefix);
	if (ret == 0)
		ret = spool_emit(L->r, "logins", jsonl, &hist);
	L->hist = NULL;
	spool_free(&hist);
	if (ret == 0)
		ret = spool_emit(L->r, "logins", txt, &L->view);
	return ret;
}

static bool exists(const char *path)
{
	struct statx st;
	return statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_TYPE, &st) == 0;
}

/* One SQLite database: copy it and its sidecars raw, then dump its rows. */
static int sqlite_one(struct logins *L, const char *db, struct capbuf *out)
{
	static const char *const sidecars[] = { "-wal", "-shm", "-journal" };
	char side[320];
	int ret = host_copy(L->r, "logins", db, LOGIN_FILE_CAP, COPY_OPTIONAL);

	for (size_t i = 0; ret == 0 && i < sizeof(sidecars) / sizeof(sidecars[0]); i++) {
		snprintf(side, sizeof(side), "%s%s", db, sidecars[i]);
		if (exists(side))
			ret = host_copy(L->r, "logins", side, LOGIN_FILE_CAP, COPY_OPTIONAL);
	}
	if (ret < 0)
		return ret;
	int dbfd = host_open(AT_FDCWD, db, 0, NULL, NULL);
	if (dbfd < 0)
		return 0;
	snprintf(side, sizeof(side), "%s-wal", db);
	int walfd = host_open(AT_FDCWD, side, 0, NULL, NULL);
	struct capbuf img;
	struct wal_report rep;
	capbuf_init(&img, SQLITE_IMAGE_CAP);
	int r = sqlite_image_load(dbfd, walfd >= 0 ? walfd : -1, &img, &rep);
	uint64_t rows = 0;
	if (r == 0)
		r = sqlite_image_dump(&img, db, out, &rows);
	run_log(L->r, "logins: '%s': %s; %llu rows; WAL: %u valid frames, %u applied%s%s",
		safe_path(db), r == 0 ? "read from memory" : strerror(-r),
		(unsigned long long)rows, rep.frames, rep.applied, rep.problem[0] ? ": " : "",
		rep.problem);
	capbuf_release(&img);
	close(dbfd);
	if (walfd >= 0)
		close(walfd);
	return 0;
}

/* wtmpdb: DIR/wtmp*.db (rotations too) and an optional extra path. */
static int sqlite_family(struct logins *L, const char *dir, const char *prefix,
			 const char *extra, const char *member)
{
	struct capbuf out;
	size_t n;
	char **names = list_names(dir, prefix, ".db", &n);
	int ret = 0;

	capbuf_init(&out, LOGIN_RECORDS_CAP);
	for (size_t i = 0; i < n; i++) {
		char path[600];
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (ret == 0)
			ret = sqlite_one(L, path, &out);
		free(names[i]);
	}
	free(names);
	if (ret == 0 && extra && exists(extra))
		ret = sqlite_one(L, extra, &out);
	if (ret == 0)
		ret = run_emit(L->r, "logins", member, &out);
	capbuf_release(&out);
	return ret;
}

int src_logins_collect(struct run *r)
{
	struct logins L;
	uint32_t wtmp_newest = 0, btmp_newest = 0, ll_newest = 0;
	int ret;

	logins_init(&L, r);
	ret = history(&L, "wtmp", 0, "logins/wtmp.jsonl", "logins/last.txt", &wtmp_newest);
	if (ret == 0)
		ret = history(&L, "btmp", 1, "logins/btmp.jsonl", "logins/lastb.txt", &btmp_newest);

	/* lastlog */
	capbuf_reset(&L.records);
	if (ret == 0)
		ret = host_copy(r, "logins", "/var/log/lastlog", LOGIN_FILE_CAP, COPY_OPTIONAL);
	struct statx st;
	int fd = ret == 0 ? host_open(AT_FDCWD, "/var/log/lastlog", 0, NULL, &st) : -1;
	if (fd >= 0) {
		struct login_ctx c = { .source = "/var/log/lastlog", .records = &L.records,
				       .anomalies = &L.anomalies, .acc = &L.acc };
		uint64_t size = st.stx_size < LOGIN_FILE_CAP ? st.stx_size : LOGIN_FILE_CAP;
		lastlog_records(&c, fd, size, &ll_newest);
		close(fd);
		if (ll_newest > wtmp_newest && wtmp_newest) {
			json_t *a = json_object();
			char d[160];
			json_set_str(a, "source", "/var/log/lastlog");
			json_set_new(a, "offset", json_null());
			json_set_str(a, "kind", "lastlog-newer-than-wtmp");
			snprintf(d, sizeof(d), "a lastlog entry (%u) is newer than every wtmp record "
				 "(%u): wtmp may have been cut", ll_newest, wtmp_newest);
			json_set_str(a, "detail", d);
			json_append_line(&L.anomalies, a);
			json_decref(a);
		}
	}
	if (ret == 0)
		ret = run_emit(r, "logins", "logins/lastlog.jsonl", &L.records);
	/* wtmpdb and lastlog2 are SQLite: raw copies with their journals, and
	 * their rows read from an in-memory image (sqlite_image.h) */
	if (ret == 0)
		ret = sqlite_family(&L, "/var/lib/wtmpdb", "wtmp", "/var/log/wtmp.db",
				    "logins/wtmpdb.jsonl");
	if (ret == 0)
		ret = sqlite_family(&L, "/var/lib/lastlog", "lastlog2", NULL, "logins/lastlog2.jsonl");
	if (ret == 0)
		ret = run_emit(r, "logins", "logins/anomalies.jsonl", &L.anomalies);
	run_log(r, "logins: newest wtmp record %u, newest btmp record %u, newest lastlog entry %u",
		wtmp_newest, btmp_newest, ll_newest);
	logins_free(&L);
	return ret;
}
