/*
 * sqlx_views.c - the indexes on the join keys and the views investigators
 * ask for (export.h; README "Export" lists them).
 */
#include <stdio.h>
#include <string.h>

#include "sqlx_int.h"
#include "banned.h"

/* Join keys: an index where a table has all its columns. */
static const char *const keys[][4] = {
	{ "_bundle", "pid", "start_ticks", NULL },
	{ "_bundle", "pid", NULL },
	{ "_bundle", "netns", "inode", NULL },
	{ "_bundle", "inode", NULL },
	{ "path", NULL },
	{ "sha256", NULL },
	{ "exe_sha256", NULL },
	{ "_bundle", "time_epoch", NULL },
};

/* The views: the tables each needs, and its SQL. */
static const struct {
	const char *needs[3];
	const char *sql;
} views[] = {
	/* every socket with each owner, the owner's exe and parent */
	{ { "volatile_sockets", "volatile_processes", NULL },
	  "CREATE VIEW IF NOT EXISTS socket_owners AS SELECT s._bundle, s._host, s.netns, "
	  "s.proto, s.state, s.local_addr, s.local_port, s.remote_addr, s.remote_port, s.inode, "
	  "o.value ->> 'pid' AS pid, o.value ->> 'fd' AS fd, p.comm, p.exe, p.exe_sha256, "
	  "p.exe_deleted, p.ppid, p.start_ticks, p.cmdline FROM volatile_sockets s, "
	  "json_each(s.owners) o LEFT JOIN volatile_processes p ON p._bundle = s._bundle AND "
	  "p.pid = o.value ->> 'pid'" },
	/* every process with every ancestor, nearest first (depth 1: the parent) */
	{ { "volatile_processes", NULL },
	  "CREATE VIEW IF NOT EXISTS process_ancestry AS WITH RECURSIVE a(_bundle, pid, "
	  "ancestor, depth) AS (SELECT _bundle, pid, ppid, 1 FROM volatile_processes "
	  "UNION ALL SELECT a._bundle, a.pid, p.ppid, a.depth + 1 FROM a JOIN "
	  "volatile_processes p ON p._bundle = a._bundle AND p.pid = a.ancestor WHERE "
	  "a.ancestor > 0 AND a.depth < 64) SELECT a._bundle, a.pid, a.ancestor, a.depth, "
	  "p.comm AS ancestor_comm, p.exe AS ancestor_exe FROM a LEFT JOIN volatile_processes p "
	  "ON p._bundle = a._bundle AND p.pid = a.ancestor WHERE a.ancestor > 0" },
	/* the process tree: each process, its parent's name */
	{ { "volatile_processes", NULL },
	  "CREATE VIEW IF NOT EXISTS process_tree AS SELECT c._bundle, c._host, c.pid, c.ppid, "
	  "c.comm, c.exe, c.cmdline, c.start_time, p.comm AS parent_comm, p.exe AS parent_exe "
	  "FROM volatile_processes c LEFT JOIN volatile_processes p ON p._bundle = c._bundle AND "
	  "p.pid = c.ppid" },
	/* each login with the failures from its address in the day before it */
	{ { "logins_wtmp", "logins_btmp", NULL },
	  "CREATE VIEW IF NOT EXISTS logins_with_failures AS SELECT w._bundle, w._host, w.user, "
	  "w.line, w.host, w.addr, w.time, w.time_epoch, w._line, (SELECT count(*) FROM "
	  "logins_btmp b WHERE b._bundle = w._bundle AND b.host = w.host AND b.time_epoch "
	  "BETWEEN w.time_epoch - 86400 AND w.time_epoch) AS failures_before FROM logins_wtmp w "
	  "WHERE w.type = 7" },
};

static bool has_table(struct sqlx *x, const char *name)
{
	for (size_t i = 0; i < x->nt; i++)
		if (strcmp(x->t[i].name, name) == 0)
			return true;
	return false;
}

static int index_table(struct sqlx *x, struct sqlx_table *t)
{
	struct capbuf q;
	int r = 0;

	capbuf_init(&q, 2048);
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]) && r == 0; k++) {
		bool all = true;
		for (int c = 0; keys[k][c]; c++)
			all &= strset_has(&t->cols, keys[k][c]);
		if (!all)
			continue;
		capbuf_reset(&q);
		capbuf_addstr(&q, "CREATE INDEX IF NOT EXISTS ");
		char iname[300];
		int at = snprintf(iname, sizeof(iname), "ix_%s", t->name);
		for (int c = 0; keys[k][c] && at < (int)sizeof(iname); c++)
			at += snprintf(iname + at, sizeof(iname) - (size_t)at, "_%s", keys[k][c]);
		sqlx_ident(&q, iname);
		capbuf_addstr(&q, " ON ");
		sqlx_ident(&q, t->name);
		capbuf_addstr(&q, " (");
		for (int c = 0; keys[k][c]; c++) {
			if (c)
				capbuf_add(&q, ",", 1);
			sqlx_ident(&q, keys[k][c]);
		}
		capbuf_addstr(&q, ")");
		r = sqlx_exec(x, q.buf);
	}
	capbuf_release(&q);
	return r;
}

int sqlx_indexes_and_views(struct sqlx *x)
{
	for (size_t i = 0; i < x->nt; i++)
		if (x->t[i].used && index_table(x, &x->t[i]) < 0)
			return -1;
	for (size_t v = 0; v < sizeof(views) / sizeof(views[0]); v++) {
		bool all = true;
		for (int n = 0; views[v].needs[n]; n++)
			all &= has_table(x, views[v].needs[n]);
		if (all && sqlx_exec(x, views[v].sql) < 0)
			return -1;
	}
	return 0;
}
