/*
 * sqlx.c - the export database: opening it, a bundle as one transaction,
 * members in as verify reads them (export.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "jsonx.h"
#include "sqlx_int.h"
#include "banned.h"

#define LINE_CAP (64u << 20)   /* a record longer than this is not exported */

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS bundles (_bundle TEXT PRIMARY KEY, id TEXT, "
	"_host TEXT, _case TEXT, format TEXT, started_at TEXT, started_at_epoch REAL, "
	"finished_at TEXT, status TEXT, signer TEXT, rows INTEGER, run_json TEXT);"
	"CREATE TABLE IF NOT EXISTS documents (_bundle TEXT, _host TEXT, _case TEXT, "
	"_member TEXT, json TEXT, PRIMARY KEY (_bundle, _member));";

int sqlx_open(const char *path, struct sqlx **ret, char *err, size_t errlen)
{
	struct sqlx *x = calloc(1, sizeof(*x));

	*ret = NULL;
	if (!x) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	capbuf_init(&x->part, LINE_CAP);
	if (sqlite3_open_v2(path, &x->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_NOFOLLOW, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s", x->db ? sqlite3_errmsg(x->db) : "cannot open");
		sqlx_close(x);
		return -EIO;
	}
	if (sqlx_exec(x, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;") < 0 ||
	    sqlx_exec(x, schema) < 0) {
		snprintf(err, errlen, "%s (is it an irsnap export database?)", x->errmsg);
		sqlx_close(x);
		return -EIO;
	}
	*ret = x;
	return 0;
}

static void forget_statements(struct sqlx *x)
{
	for (size_t i = 0; i < SQLX_STMTS; i++) {
		sqlite3_finalize(x->cache[i].st);
		free(x->cache[i].sql);
		x->cache[i].st = NULL, x->cache[i].sql = NULL;
	}
}

static void forget_tables(struct sqlx *x)
{
	for (size_t i = 0; i < x->nt; i++) {
		free(x->t[i].name);
		strset_free(&x->t[i].cols);
	}
	x->nt = 0;
}

void sqlx_close(struct sqlx *x)
{
	if (!x)
		return;
	forget_statements(x);
	forget_tables(x);
	if (x->db)
		sqlite3_close(x->db);
	capbuf_release(&x->part);
	free(x);
}

static int fail(struct sqlx *x, int e, const char *what)
{
	if (!x->err) {
		x->err = e;
		if (what)
			snprintf(x->errmsg, sizeof(x->errmsg), "%s", what);
	}
	return e;
}

/* A bundle's first member: its transaction begins. Its rows carry a
 * provisional key until its SHA-256, known at its end, replaces it (the
 * folder name is no key: two collections of a host in one second share
 * it); no committed row ever has that key. */
#define PENDING "pending"
static int bundle_begin(struct sqlx *x, const char *top)
{
	snprintf(x->bundle, sizeof(x->bundle), "%s", PENDING);
	snprintf(x->id, sizeof(x->id), "%s", top);
	x->in_bundle = true;
	x->rows = 0;
	return sqlx_exec(x, "BEGIN IMMEDIATE") < 0 ? fail(x, -EIO, NULL) : 0;
}

int sqlx_member(void *ctx, const char *top, const char *rel)
{
	struct sqlx *x = ctx;
	char name[256];

	if (x->err)
		return x->err;
	if (!x->in_bundle && bundle_begin(x, top) < 0)
		return x->err;
	snprintf(x->member, sizeof(x->member), "%s", rel);
	capbuf_reset(&x->part);
	x->part.truncated = false;
	x->line = 0;
	x->netns = -1;
	x->listed[0] = '\0';
	size_t n = strlen(rel);
	/* copies of the host's files are the host's bytes, not irsnap's records,
	 * whatever their names end with */
	bool copy = strncmp(rel, "fs/", 3) == 0 || strncmp(rel, "fs-long/", 8) == 0;
	x->document = !copy && n > 5 && strcmp(rel + n - 5, ".json") == 0;
	x->cur = NULL;
	if (!copy &&
	    sqlx_table_name(rel, name, sizeof(name), &x->netns, x->listed, sizeof(x->listed))) {
		x->cur = sqlx_table(x, name);
		if (!x->cur)
			return fail(x, -EIO, NULL);
	}
	return 0;
}

static int one_line(struct sqlx *x, const char *s, size_t n)
{
	x->line++;
	json_t *rec = json_loadb(s, n, JSON_ALLOW_NUL, NULL);
	int r = json_is_object(rec) ? sqlx_row(x, rec) : 0;   /* not a record: not a row */
	json_decref(rec);
	return r < 0 ? fail(x, r, NULL) : 0;
}

int sqlx_data(void *ctx, const void *buf, size_t n)
{
	struct sqlx *x = ctx;
	const char *p = buf, *end = p + n;

	if (x->err)
		return x->err;
	if (x->document) {
		capbuf_add(&x->part, buf, n);
		return 0;
	}
	if (!x->cur)
		return 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl) {
			capbuf_add(&x->part, p, (size_t)(end - p));
			return 0;
		}
		int r;
		if (x->part.len || x->part.truncated) {
			capbuf_add(&x->part, p, (size_t)(nl - p));
			r = x->part.truncated ? (x->line++, 0) : one_line(x, x->part.buf, x->part.len);
			capbuf_reset(&x->part);
			x->part.truncated = false;
		} else {
			r = one_line(x, p, (size_t)(nl - p));
		}
		if (r < 0)
			return r;
		p = nl + 1;
	}
	return 0;
}

static int keep_document(struct sqlx *x)
{
	sqlite3_stmt *st = NULL;
	json_t *o = json_loadb(x->part.buf ? x->part.buf : "", x->part.len, JSON_ALLOW_NUL, NULL);
	char *text = o ? json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
	int r = 0;

	json_decref(o);
	if (!text)
		return 0;   /* not JSON: not a document */
	if (sqlite3_prepare_v2(x->db, "INSERT INTO documents (_bundle, _member, json) "
			       "VALUES (?, ?, ?)", -1, &st, NULL) != SQLITE_OK)
		r = fail(x, -EIO, sqlite3_errmsg(x->db));
	if (st) {
		sqlite3_bind_text(st, 1, x->bundle, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, x->member, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, text, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(st) != SQLITE_DONE)
			r = fail(x, -EIO, sqlite3_errmsg(x->db));
		sqlite3_finalize(st);
	}
	free(text);
	return r;
}

int sqlx_member_end(void *ctx, const char *rel)
{
	struct sqlx *x = ctx;

	(void)rel;
	if (x->err)
		return x->err;
	int r = 0;
	if (x->document)
		r = keep_document(x);
	else if (x->cur && (x->part.len || x->part.truncated))
		r = x->part.truncated ? 0 : one_line(x, x->part.buf, x->part.len);
	capbuf_reset(&x->part);
	x->cur = NULL;
	return r;
}

/* The bundle's host and case on every row it made, and its own row. */
static int stamp_rows(struct sqlx *x, json_t *run, const char *sha)
{
	const char *host = json_string_value(json_object_get(json_object_get(run, "host"),
							     "hostname"));
	const char *cas = json_string_value(json_object_get(json_object_get(run, "case"), "id"));
	struct capbuf q;
	sqlite3_stmt *st = NULL;
	int r = 0;

	const char *started = json_string_value(json_object_get(run, "started_at"));
	double epoch = 0;
	char *text = json_dumps(run, JSON_COMPACT | JSON_ENSURE_ASCII);
	if (sqlite3_prepare_v2(x->db, "INSERT INTO bundles VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
			       "?, ?)", -1, &st, NULL) != SQLITE_OK) {
		free(text);
		return fail(x, -EIO, sqlite3_errmsg(x->db));
	}
	sqlite3_bind_text(st, 1, sha, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, x->id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, host, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, cas, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, json_string_value(json_object_get(run, "format")), -1,
			  SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 6, started, -1, SQLITE_TRANSIENT);
	if (started && sqlx_rfc3339(started, &epoch))
		sqlite3_bind_double(st, 7, epoch);
	sqlite3_bind_text(st, 8, json_string_value(json_object_get(run, "finished_at")), -1,
			  SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 9, json_string_value(json_object_get(run, "status")), -1,
			  SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 10, json_string_value(json_object_get(json_object_get(run,
			  "signer"), "fingerprint")), -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 11, x->rows);
	sqlite3_bind_text(st, 12, text, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_DONE)
		r = sqlite3_extended_errcode(x->db) == SQLITE_CONSTRAINT_PRIMARYKEY ?
		    fail(x, -EEXIST, "this bundle (its SHA-256) is in the database already") :
		    fail(x, -EIO, sqlite3_errmsg(x->db));
	sqlite3_finalize(st);
	free(text);
	if (r < 0)
		return r;
	capbuf_init(&q, 4096);
	for (size_t i = 0; i < x->nt + 1 && r == 0; i++) {
		capbuf_reset(&q);
		capbuf_addstr(&q, "UPDATE ");
		sqlx_ident(&q, i < x->nt ? x->t[i].name : "documents");
		capbuf_addstr(&q, " SET _bundle = ?4, _host = ?1, _case = ?2 WHERE _bundle = ?3");
		if (i < x->nt && !x->t[i].used)
			continue;
		if (sqlite3_prepare_v2(x->db, q.buf, -1, &st, NULL) != SQLITE_OK) {
			r = fail(x, -EIO, sqlite3_errmsg(x->db));
			break;
		}
		sqlite3_bind_text(st, 1, host, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, cas, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, PENDING, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, sha, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(st) != SQLITE_DONE)
			r = fail(x, -EIO, sqlite3_errmsg(x->db));
		sqlite3_finalize(st);
	}
	capbuf_release(&q);
	return r;
}

long long sqlx_bundle_end(struct sqlx *x, bool valid, const char *bundle_sha256,
			  const char *run_json, size_t run_json_len, char *err, size_t errlen)
{
	json_t *run = run_json ? json_loadb(run_json, run_json_len, 0, NULL) : NULL;
	long long rows = x->rows;
	int r = x->err;

	if (!r && !valid)
		r = fail(x, -EINVAL, "the bundle is not valid: nothing of it was exported");
	if (!r && !json_is_object(run))
		r = fail(x, -EINVAL, "the bundle has no readable run.json");
	if (!r && x->in_bundle)
		r = stamp_rows(x, run, bundle_sha256);
	if (!r && x->in_bundle)
		r = sqlx_indexes_and_views(x) < 0 ? fail(x, -EIO, NULL) : 0;
	forget_statements(x);
	if (x->in_bundle)
		sqlx_exec(x, r ? "ROLLBACK" : "COMMIT");
	if (r)
		snprintf(err, errlen, "%s", x->errmsg[0] ? x->errmsg : strerror(-r));
	json_decref(run);
	for (size_t i = 0; i < x->nt; i++)
		x->t[i].used = false;
	/* a rolled-back ALTER TABLE took its columns with it: learn them again */
	if (r)
		forget_tables(x);
	x->in_bundle = false;
	x->err = 0;
	x->errmsg[0] = '\0';
	x->bundle[0] = x->id[0] = '\0';
	return r ? r : rows;
}
