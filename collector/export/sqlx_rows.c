/*
 * sqlx_rows.c - a record into a row: the member's table, its columns (made
 * as records name them), the values typed, times also as epoch seconds
 * (export.h).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jsonx.h"
#include "sqlx_int.h"
#include "vec.h"
#include "banned.h"

#define ROW_COLS 256

int sqlx_exec(struct sqlx *x, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(x->db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	snprintf(x->errmsg, sizeof(x->errmsg), "%s", msg ? msg : sqlite3_errmsg(x->db));
	sqlite3_free(msg);
	return -EIO;
}

void sqlx_ident(struct capbuf *out, const char *name)
{
	capbuf_add(out, "\"", 1);
	for (const char *p = name; *p; p++) {
		capbuf_add(out, p, 1);
		if (*p == '"')
			capbuf_add(out, "\"", 1);   /* "" inside a quoted name */
	}
	capbuf_add(out, "\"", 1);
}

bool sqlx_rfc3339(const char *s, double *ret)
{
	struct tm tm = { 0 };
	size_t n = strlen(s);
	char *end = NULL;

	if (n < 20 || n > 40 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
	    s[16] != ':' || s[n - 1] != 'Z')
		return false;
	for (int i = 0; i < 19; i++)
		if (i != 4 && i != 7 && i != 10 && i != 13 && i != 16 && !isdigit((unsigned char)s[i]))
			return false;
	tm.tm_year = (int)strtol(s, NULL, 10) - 1900;
	tm.tm_mon = (int)strtol(s + 5, NULL, 10) - 1;
	tm.tm_mday = (int)strtol(s + 8, NULL, 10);
	tm.tm_hour = (int)strtol(s + 11, NULL, 10);
	tm.tm_min = (int)strtol(s + 14, NULL, 10);
	tm.tm_sec = (int)strtol(s + 17, NULL, 10);
	double frac = 0;
	if (s[19] == '.') {
		frac = strtod(s + 19, &end);
		if (end != s + n - 1)
			return false;
	} else if (n != 20) {
		return false;
	}
	*ret = (double)timegm(&tm) + frac;
	return true;
}

/* The table of a member: its path without the top folder, ".jsonl", a
 * chunk number (".0001") and all-digit segments (a netns), joined with _;
 * listing/<folder>.NNNN.jsonl is "listing" with the folder. */
bool sqlx_table_name(const char *rel, char *name, size_t size, int64_t *netns, char *listed,
		     size_t lsize)
{
	size_t n = strlen(rel), at = 0;
	char path[1024];

	if (n < 7 || strcmp(rel + n - 6, ".jsonl") != 0 || n - 6 >= sizeof(path))
		return false;
	memcpy(path, rel, n - 6);
	path[n - 6] = '\0';
	char *dot = strrchr(path, '.');
	if (dot && strlen(dot + 1) >= 4 && strspn(dot + 1, "0123456789") == strlen(dot + 1))
		*dot = '\0';   /* a chunk's number */
	if (strncmp(path, "listing/", 8) == 0) {
		snprintf(listed, lsize, "/%s", path + 8);
		snprintf(name, size, "listing");
		return true;
	}
	for (char *seg = path, *next; seg; seg = next) {
		next = strchr(seg, '/');
		if (next)
			*next++ = '\0';
		if (*seg && strspn(seg, "0123456789") == strlen(seg)) {
			*netns = strtoll(seg, NULL, 10);
			continue;
		}
		for (const char *c = seg; *c && at + 2 < size; c++)
			name[at++] = isalnum((unsigned char)*c) ? *c : '_';
		if (next && at + 2 < size)
			name[at++] = '_';
	}
	while (at && name[at - 1] == '_')
		at--;
	name[at] = '\0';
	return at > 0;
}

static int learn_columns(struct sqlx *x, struct sqlx_table *t)
{
	struct capbuf q;
	sqlite3_stmt *st = NULL;

	capbuf_init(&q, 1024);
	capbuf_addstr(&q, "PRAGMA table_info(");
	sqlx_ident(&q, t->name);
	capbuf_addstr(&q, ")");
	int r = sqlite3_prepare_v2(x->db, q.buf, -1, &st, NULL) == SQLITE_OK ? 0 : -EIO;
	while (r == 0 && sqlite3_step(st) == SQLITE_ROW)
		strset_add(&t->cols, (const char *)sqlite3_column_text(st, 1));
	sqlite3_finalize(st);
	capbuf_release(&q);
	return r;
}

struct sqlx_table *sqlx_table(struct sqlx *x, const char *name)
{
	for (size_t i = 0; i < x->nt; i++)
		if (strcmp(x->t[i].name, name) == 0)
			return x->t[i].used = true, &x->t[i];
	if (x->nt >= SQLX_TABLES)
		return snprintf(x->errmsg, sizeof(x->errmsg), "more than %d tables", SQLX_TABLES),
		       NULL;
	struct sqlx_table *t = &x->t[x->nt];
	struct capbuf q;
	capbuf_init(&q, 1024);
	capbuf_addstr(&q, "CREATE TABLE IF NOT EXISTS ");
	sqlx_ident(&q, name);
	capbuf_addstr(&q, " (_bundle TEXT, _host TEXT, _case TEXT, _member TEXT, _line INTEGER)");
	memset(t, 0, sizeof(*t));
	t->name = strdup(name);
	int r = t->name ? sqlx_exec(x, q.buf) : -ENOMEM;
	capbuf_release(&q);
	if (r == 0)
		r = learn_columns(x, t);
	if (r < 0) {
		free(t->name);
		strset_free(&t->cols);
		return NULL;
	}
	t->used = true;
	x->nt++;
	return t;
}

static const char *decl_type(json_t *v)
{
	return json_is_integer(v) || json_is_boolean(v) ? "INTEGER" : json_is_real(v) ? "REAL" :
	       "TEXT";
}

/* A column of the row being built: its name and what is bound to it. */
struct cell {
	char name[128];
	json_t *v;          /* borrowed; NULL: the epoch or a text below */
	double epoch;
	const char *text;
	int64_t ival;
	bool has_epoch, has_int;
};

static struct cell *add_cell(struct cell *c, size_t *n, const char *name)
{
	if (*n >= ROW_COLS || strlen(name) >= sizeof(c->name))
		return NULL;
	for (size_t i = 0; i < *n; i++)
		if (strcmp(c[i].name, name) == 0)
			return NULL;   /* a name made twice (a key "a_b" and {a: {b}}) */
	struct cell *e = &c[(*n)++];
	memset(e, 0, sizeof(*e));
	snprintf(e->name, sizeof(e->name), "%s", name);
	return e;
}

static void add_value(struct cell *c, size_t *n, const char *name, json_t *v)
{
	struct cell *e = add_cell(c, n, name);
	if (!e)
		return;
	e->v = v;
	double t;
	if (json_is_string(v) && sqlx_rfc3339(json_string_value(v), &t)) {
		char en[140];
		snprintf(en, sizeof(en), "%s_epoch", name);
		struct cell *ep = add_cell(c, n, en);
		if (ep)
			ep->epoch = t, ep->has_epoch = true;
	}
}

/* Make the columns a row names that the table lacks. */
static int ensure_columns(struct sqlx *x, struct sqlx_table *t, struct cell *c, size_t n)
{
	struct capbuf q;
	int r = 0;

	capbuf_init(&q, 1024);
	for (size_t i = 0; i < n && r == 0; i++) {
		if (strset_has(&t->cols, c[i].name))
			continue;
		capbuf_reset(&q);
		capbuf_addstr(&q, "ALTER TABLE ");
		sqlx_ident(&q, t->name);
		capbuf_addstr(&q, " ADD COLUMN ");
		sqlx_ident(&q, c[i].name);
		capbuf_printf(&q, " %s", c[i].has_epoch ? "REAL" : c[i].has_int ? "INTEGER" :
			      c[i].text ? "TEXT" : decl_type(c[i].v));
		r = sqlx_exec(x, q.buf);
		if (r == 0 && strset_add(&t->cols, c[i].name) < 0)
			r = -ENOMEM;
	}
	capbuf_release(&q);
	return r;
}

/* A prepared INSERT for this SQL text, from the cache or made. */
static sqlite3_stmt *statement(struct sqlx *x, const char *sql)
{
	for (size_t i = 0; i < SQLX_STMTS; i++)
		if (x->cache[i].sql && strcmp(x->cache[i].sql, sql) == 0)
			return x->cache[i].st;
	struct sqlx_stmt *s = &x->cache[x->next_stmt];
	x->next_stmt = (x->next_stmt + 1) % SQLX_STMTS;
	sqlite3_finalize(s->st);
	free(s->sql);
	s->st = NULL;
	s->sql = strdup(sql);
	if (!s->sql || sqlite3_prepare_v3(x->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->st,
					  NULL) != SQLITE_OK) {
		snprintf(x->errmsg, sizeof(x->errmsg), "%s", sqlite3_errmsg(x->db));
		free(s->sql);
		s->sql = NULL;
		return NULL;
	}
	return s->st;
}

static void bind(sqlite3_stmt *st, int i, const struct cell *c, char **owned)
{
	json_t *v = c->v;
	if (c->has_epoch)
		sqlite3_bind_double(st, i, c->epoch);
	else if (c->has_int)
		sqlite3_bind_int64(st, i, c->ival);
	else if (c->text)
		sqlite3_bind_text(st, i, c->text, -1, SQLITE_TRANSIENT);
	else if (json_is_integer(v))
		sqlite3_bind_int64(st, i, json_integer_value(v));
	else if (json_is_real(v))
		sqlite3_bind_double(st, i, json_real_value(v));
	else if (json_is_boolean(v))
		sqlite3_bind_int(st, i, json_is_true(v));
	else if (json_is_string(v))
		sqlite3_bind_text(st, i, json_string_value(v), (int)json_string_length(v),
				  SQLITE_TRANSIENT);
	else if (json_is_array(v) || json_is_object(v)) {
		*owned = json_dumps(v, JSON_COMPACT | JSON_ENSURE_ASCII);
		sqlite3_bind_text(st, i, *owned, -1, SQLITE_TRANSIENT);
	} else
		sqlite3_bind_null(st, i);
}

int sqlx_row(struct sqlx *x, json_t *rec)
{
	static struct cell c[ROW_COLS];   /* the exporter runs on one thread */
	size_t n = 0;
	const char *k;
	json_t *v;

	struct cell *e = add_cell(c, &n, "_bundle");
	e->text = x->bundle;
	e = add_cell(c, &n, "_member");
	e->text = x->member;
	e = add_cell(c, &n, "_line");
	e->ival = x->line, e->has_int = true;
	if (x->netns >= 0 && !json_object_get(rec, "netns") && (e = add_cell(c, &n, "netns")))
		e->ival = x->netns, e->has_int = true;
	if (x->listed[0] && (e = add_cell(c, &n, "listed")))
		e->text = x->listed;
	json_object_foreach(rec, k, v) {
		if (k[0] == '_')
			continue;   /* our own columns' names */
		if (!json_is_object(v)) {
			add_value(c, &n, k, v);
			continue;
		}
		const char *k2;
		json_t *v2;
		json_object_foreach(v, k2, v2) {   /* local -> local_addr, local_port */
			char name[128];
			if (snprintf(name, sizeof(name), "%s_%s", k, k2) < (int)sizeof(name))
				add_value(c, &n, name, v2);
		}
	}
	if (ensure_columns(x, x->cur, c, n) < 0)
		return -EIO;
	struct capbuf q;
	capbuf_init(&q, 8192);
	capbuf_addstr(&q, "INSERT INTO ");
	sqlx_ident(&q, x->cur->name);
	capbuf_addstr(&q, " (");
	for (size_t i = 0; i < n; i++) {
		if (i)
			capbuf_add(&q, ",", 1);
		sqlx_ident(&q, c[i].name);
	}
	capbuf_addstr(&q, ") VALUES (");
	for (size_t i = 0; i < n; i++)
		capbuf_addstr(&q, i ? ",?" : "?");
	capbuf_addstr(&q, ")");
	sqlite3_stmt *st = q.truncated ? NULL : statement(x, q.buf);
	capbuf_release(&q);
	if (!st)
		return -EIO;
	char *owned[ROW_COLS] = { NULL };
	for (size_t i = 0; i < n; i++)
		bind(st, (int)i + 1, &c[i], &owned[i]);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	for (size_t i = 0; i < n; i++)
		free(owned[i]);
	if (rc != SQLITE_DONE) {
		snprintf(x->errmsg, sizeof(x->errmsg), "%s", sqlite3_errmsg(x->db));
		return -EIO;
	}
	x->rows++;
	return 0;
}
