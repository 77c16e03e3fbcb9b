/*
 * src_logins.c - who, last, lastb and lastlog from the raw databases:
 *   sessions (rank 30): /run/utmp -> volatile/sessions.jsonl, sessions.txt
 *   logins (rank 60):   /var/log/wtmp and btmp (all rotations), lastlog ->
 *                       logins/: JSON Lines, last.txt, lastb.txt, anomalies
 * Every database is first copied raw under fs/; the parsed views say which
 * file and byte offset each record came from. Compressed rotations are
 * decompressed in memory and parsed (rotated.c); SQLite databases (wtmpdb,
 * lastlog2) are read from a memory image (sqlite_image.c).
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

const char *const utmp_paths[2] = { "/run/utmp", "/var/run/utmp" };

static bool has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && strcmp(s + a - b, suf) == 0;
}

/* wtmp, wtmp.1, wtmp-20260101: parse as they are; .gz/.xz/.zst...:
 * decompress first (rotated_name()); .db/-wal...: raw only. */
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


void logins_init(struct logins *L, struct run *r)
{
	memset(L, 0, sizeof(*L));
	L->r = r;
	capbuf_init(&L->records, LOGIN_RECORDS_CAP);
	capbuf_init(&L->anomalies, LOGIN_RECORDS_CAP);
	spool_init(&L->view);
	accounts_load(&L->acc, "/etc/passwd", "/etc/group");
	L->procfd = proc_open_root();
	L->boot_time = run_boot_ns(r) / 1000000000LL;
}

void logins_free(struct logins *L)
{
	accounts_free(&L->acc);
	capbuf_release(&L->records);
	capbuf_release(&L->anomalies);
	spool_free(&L->view);
	free(L->memo.v);
	if (L->procfd >= 0)
		close(L->procfd);
}

/* wtmp* or btmp*: every file, records into one member, views into another. */
static int history(struct logins *L, const char *prefix, int lastb, const char *jsonl,
		   const char *txt, uint32_t *newest)
{
	size_t n;
	char **names = list_names("/var/log", prefix, NULL, &n);
	struct spool hist;
	int ret = 0;

	uint64_t total = 0;
	for (size_t i = 0; i < n; i++) {
		char path[300];
		struct statx st;
		if (parseable(names[i]) &&
		    xsnprintf(path, sizeof(path), "/var/log/%s", names[i]) == 0 &&
		    host_stat_path(path, STATX_SIZE, &st) == 0)
			total += st.stx_size;
	}
	if (total > LOGIN_STREAM_OVER)
		return history_streamed(L, names, n, parseable, lastb, jsonl, txt, newest);
	spool_init(&hist);
	/* L->hist points here only until the end of this function (reset below) */
	// cppcheck-suppress autoVariables
	L->hist = &hist;
	spool_free(&L->view);
	spool_init(&L->view);
	for (size_t i = 0; i < n; i++) {
		char path[300];
		if (xsnprintf(path, sizeof(path), "/var/log/%s", names[i]) < 0)
			continue;   /* a name of over 255 bytes: no file system has one */
		if (ret == 0 && !run_should_stop(L->r)) {
			if (parseable(names[i]))
				ret = one_file(L, "logins", path, lastb, newest);
			else if (rotated_name(names[i]))
				ret = rotated_file(L, path, lastb, newest);
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
	return host_stat_path(path, STATX_TYPE, &st) == 0;
}

/* One SQLite database: copy it and its sidecars raw, then dump its rows. */
static int sqlite_one(struct logins *L, const char *db, struct capbuf *out, struct capbuf *view)
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
	uint64_t shown_rows = 0;
	if (r == 0 && view)
		wtmpdb_view(L, &img, db, view, &shown_rows);
	run_log(L->r, "logins: '%s': %s; %llu rows; WAL: %u valid frames, %u applied%s%s",
		shown(db).s, r == 0 ? "read from memory" : strerror(-r),
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
			 const char *extra, const char *member, const char *view_member)
{
	struct capbuf out, view;
	size_t read = 0;
	size_t n;
	char **names = list_names(dir, prefix, ".db", &n);
	int ret = 0;

	capbuf_init(&out, LOGIN_RECORDS_CAP);
	capbuf_init(&view, VIEW_CAP);
	struct capbuf *v = view_member ? &view : NULL;
	for (size_t i = 0; i < n; i++) {
		char path[600];
		if (ret == 0 && xsnprintf(path, sizeof(path), "%s/%s", dir, names[i]) == 0) {
			ret = sqlite_one(L, path, &out, v);
			read++;
		}
		free(names[i]);
	}
	free(names);
	if (ret == 0 && extra && exists(extra)) {
		ret = sqlite_one(L, extra, &out, v);
		read++;
	}
	if (ret == 0)
		ret = run_emit(L->r, "logins", member, &out);
	if (ret == 0 && v && read)   /* a view only where there is a database */
		ret = run_emit(L->r, "logins", view_member, &view);
	capbuf_release(&out);
	capbuf_release(&view);
	return ret;
}

/* The newest login in utmp older than the run (logins made during it may
 * not have reached wtmp yet): a login utmp shows must be in wtmp too. */
static uint32_t utmp_newest_login(struct logins *L, const char **ret_path)
{
	unsigned char buf[CHUNK_RECORDS * UTMP_RECORD_SIZE];
	uint32_t newest = 0;
	struct login_file f;

	*ret_path = NULL;
	for (size_t i = 0; i < 2 && !*ret_path; i++)
		if (login_file_open(&f, utmp_paths[i]) == 0)
			*ret_path = utmp_paths[i];
	if (!*ret_path)
		return 0;
	for (uint64_t off = 0; off + UTMP_RECORD_SIZE <= f.size && off < (64u << 20);
	     off += sizeof(buf)) {
		ssize_t got = pread_full(f.fd, buf, sizeof(buf), off);
		if (got <= 0)
			break;
		for (ssize_t k = 0; k + UTMP_RECORD_SIZE <= got; k += UTMP_RECORD_SIZE) {
			struct utmp_rec u;
			utmp_decode(buf + k, &u);
			if (u.type == 7 && u.tv_sec > newest && u.tv_sec < L->r->start.realtime.tv_sec)
				newest = u.tv_sec;   /* USER_PROCESS */
		}
	}
	close(f.fd);
	return newest;
}

/* utmp or lastlog show a login that wtmp lacks: wtmp cut or wiped. */
static void cross_check(struct logins *L, const char *what, const char *path, uint32_t newest,
			uint32_t wtmp_newest, const char *kind_newer, const char *kind_empty)
{
	char d[240];

	if (!newest)
		return;
	if (!wtmp_newest) {
		snprintf(d, sizeof(d), "%s has logins (the newest at %u) but no wtmp record was "
			 "read (wtmp empty, missing or not a regular file): wtmp may have been "
			 "wiped", what, newest);
		login_anomaly(L, "/var/log/wtmp", NULL, kind_empty, d);
	} else if (newest > wtmp_newest) {
		snprintf(d, sizeof(d), "a %s login (%u) is newer than every wtmp record (%u): "
			 "wtmp may have been cut", what, newest, wtmp_newest);
		login_anomaly(L, path, NULL, kind_newer, d);
	}
}

int src_logins_collect(struct run *r)
{
	struct logins L;
	uint32_t wtmp_newest = 0, btmp_newest = 0, ll_newest = 0;
	int ret;

	logins_init(&L, r);
	const char *utmp_path;
	uint32_t utmp_newest = utmp_newest_login(&L, &utmp_path);   /* before wtmp is read */
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
		/* the whole size: only its data is read (lastlog.c) */
		if (lastlog_records(&c, fd, st.stx_size, &ll_newest) == -E2BIG)
			run_log(r, "logins: lastlog: more than 1 GiB of data: entries beyond "
				"it not read");
		close(fd);
		cross_check(&L, "lastlog", "/var/log/lastlog", ll_newest, wtmp_newest,
			    "lastlog-newer-than-wtmp", "wtmp-empty-while-lastlog-has-logins");
	}
	cross_check(&L, "utmp", utmp_path, utmp_newest, wtmp_newest, "utmp-login-newer-than-wtmp",
		    "wtmp-empty-while-utmp-has-logins");
	if (ret == 0)
		ret = run_emit(r, "logins", "logins/lastlog.jsonl", &L.records);
	/* wtmpdb and lastlog2 are SQLite: raw copies with their journals, and
	 * their rows read from an in-memory image (sqlite_image.h) */
	if (ret == 0)
		ret = sqlite_family(&L, "/var/lib/wtmpdb", "wtmp", "/var/log/wtmp.db",
				    "logins/wtmpdb.jsonl", "logins/wtmpdb-last.txt");
	if (ret == 0)
		ret = sqlite_family(&L, "/var/lib/lastlog", "lastlog2", NULL, "logins/lastlog2.jsonl",
				    NULL);
	if (ret == 0)
		ret = run_emit(r, "logins", "logins/anomalies.jsonl", &L.anomalies);
	run_log(r, "logins: newest wtmp record %u, newest btmp record %u, newest lastlog entry %u",
		wtmp_newest, btmp_newest, ll_newest);
	logins_free(&L);
	return ret;
}
