/*
 * sqlx_int.h - what the exporter's files share (export.h).
 */
#ifndef IRSNAP_SQLX_INT_H
#define IRSNAP_SQLX_INT_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "capbuf.h"
#include "strset.h"

#define SQLX_TABLES 128
#define SQLX_STMTS 16

struct sqlx_table {
	char *name;
	struct strset cols;
	bool used;                 /* rows of this bundle in it */
};

struct sqlx_stmt {
	char *sql;
	sqlite3_stmt *st;
};

struct sqlx {
	sqlite3 *db;
	struct sqlx_table t[SQLX_TABLES];
	size_t nt;
	struct sqlx_stmt cache[SQLX_STMTS];
	size_t next_stmt;
	/* the bundle and the member under way */
	char bundle[256];          /* the rows' _bundle while it is read */
	char id[256];              /* its folder name */
	bool in_bundle;
	int err;                   /* the first failure: -errno */
	char errmsg[256];
	char member[1024];
	struct sqlx_table *cur;    /* the member's table, NULL: not rows */
	bool document;             /* a .json member: kept whole */
	int64_t netns;             /* from the member's path, -1 none */
	char listed[1024];         /* a listing's folder, "" none */
	int64_t line;
	struct capbuf part;        /* a line not yet ended, or the document */
	long long rows;
};

/* SQL of one statement; -EIO with x->errmsg said. */
int sqlx_exec(struct sqlx *x, const char *sql);
/* A table for this bundle's rows (made if new), or NULL. */
struct sqlx_table *sqlx_table(struct sqlx *x, const char *name);
/* One record of the member under way into its table. */
int sqlx_row(struct sqlx *x, json_t *rec);
/* The table a member's rows go to, from its path (NULL: not JSON Lines). */
bool sqlx_table_name(const char *rel, char *name, size_t size, int64_t *netns, char *listed,
		     size_t lsize);
/* "name" quoted as an SQL identifier into out. */
void sqlx_ident(struct capbuf *out, const char *name);
/* Seconds since the epoch of an RFC 3339 UTC time, or false. */
bool sqlx_rfc3339(const char *s, double *ret);
/* The indexes on the join keys and the views (sqlx_views.c). */
int sqlx_indexes_and_views(struct sqlx *x);

#endif
