/* sqlite_image.c - SQLite databases read from memory only (sqlite_image.h). */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jsonx.h"
#include "sqlite_image.h"
#include "textutil.h"
#include "banned.h"

#define WAL_HDR 32
#define WAL_FRAME_HDR 24

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* SQLite's WAL checksum over n bytes (a multiple of 8). */
static void wal_cksum(int big, const unsigned char *p, size_t n, uint32_t *s0, uint32_t *s1)
{
	for (size_t i = 0; i + 8 <= n; i += 8) {
		uint32_t x0, x1;
		if (big) {
			x0 = be32(p + i);
			x1 = be32(p + i + 4);
		} else {
			x0 = (uint32_t)p[i] | (uint32_t)p[i + 1] << 8 | (uint32_t)p[i + 2] << 16 |
			     (uint32_t)p[i + 3] << 24;
			x1 = (uint32_t)p[i + 4] | (uint32_t)p[i + 5] << 8 | (uint32_t)p[i + 6] << 16 |
			     (uint32_t)p[i + 7] << 24;
		}
		*s0 += x0 + *s1;
		*s1 += x1 + *s0;
	}
}

static int apply_wal(struct capbuf *img, const unsigned char *w, size_t wlen,
		     struct wal_report *rep)
{
	if (wlen < WAL_HDR) {
		snprintf(rep->problem, sizeof(rep->problem), wlen ? "WAL shorter than its header" : "");
		return 0;
	}
	uint32_t magic = be32(w);
	if (magic != 0x377f0682 && magic != 0x377f0683) {
		snprintf(rep->problem, sizeof(rep->problem), "WAL magic 0x%08x unknown: ignored", magic);
		return 0;
	}
	int big = magic & 1;
	uint32_t psz = be32(w + 8), salt1 = be32(w + 16), salt2 = be32(w + 20);
	uint32_t s0 = 0, s1 = 0;
	wal_cksum(big, w, 24, &s0, &s1);
	if (s0 != be32(w + 24) || s1 != be32(w + 28) || psz < 512 || psz > 65536 ||
	    (psz & (psz - 1))) {
		snprintf(rep->problem, sizeof(rep->problem), "WAL header checksum or page size "
			 "invalid: ignored");
		return 0;
	}
	rep->page_size = psz;
	rep->checksum_big_endian = big;

	/* first pass: the last commit frame among valid frames */
	size_t fsz = WAL_FRAME_HDR + psz;
	unsigned last_commit = 0;
	uint32_t c0 = s0, c1 = s1;
	unsigned n = 0;
	const char *why = NULL;     /* why the valid frames end before the file */
	size_t off = WAL_HDR;
	for (; off + fsz <= wlen; off += fsz) {
		const unsigned char *f = w + off;
		if (be32(f + 8) != salt1 || be32(f + 12) != salt2)
			break;      /* an earlier generation's frames: SQLite's own leftovers */
		wal_cksum(big, f, 8, &c0, &c1);
		wal_cksum(big, f + WAL_FRAME_HDR, psz, &c0, &c1);
		if (c0 != be32(f + 16) || c1 != be32(f + 20)) {
			why = "a checksum that does not match (a torn write, or an edit)";
			break;
		}
		n++;
		if (be32(f + 4))
			last_commit = n;
	}
	if (!why && off < wlen && off + fsz > wlen)
		why = "a partial frame at the end (the WAL was cut)";
	rep->frames = n;
	/* second pass: apply frames 1..last_commit */
	for (unsigned i = 0; i < last_commit; i++) {
		const unsigned char *f = w + WAL_HDR + (size_t)i * fsz;
		uint64_t pgno = be32(f);
		uint64_t end = pgno * psz;
		if (pgno == 0 || end > img->max)
			return -E2BIG;
		if (end > img->len) {
			size_t grow = (size_t)(end - img->len);
			char *zero = calloc(1, grow);
			if (!zero)
				return -ENOMEM;
			int r = capbuf_add(img, zero, grow);
			free(zero);
			if (r < 0)
				return r;
		}
		memcpy(img->buf + (pgno - 1) * psz, f + WAL_FRAME_HDR, psz);
		uint32_t dbsize = be32(f + 4);
		if (dbsize && (uint64_t)dbsize * psz < img->len)
			img->len = (size_t)dbsize * psz;   /* the commit's database size */
	}
	rep->applied = last_commit;
	if (why)
		snprintf(rep->problem, sizeof(rep->problem), "frame %u has %s: it and the frames "
			 "after it are not applied", n + 1, why);
	else if (n > last_commit)
		snprintf(rep->problem, sizeof(rep->problem), "%u frames after the last commit "
			 "not applied (an uncommitted transaction)", n - last_commit);
	return 0;
}

int sqlite_image_load(int dbfd, int walfd, struct capbuf *img, struct wal_report *rep)
{
	memset(rep, 0, sizeof(*rep));
	int r = capbuf_read_fd(img, dbfd);
	if (r < 0)
		return r;
	if (walfd >= 0) {
		struct capbuf wal;
		capbuf_init(&wal, img->max);
		r = capbuf_read_fd(&wal, walfd);
		if (r == 0)
			r = apply_wal(img, (const unsigned char *)(wal.buf ? wal.buf : ""), wal.len, rep);
		capbuf_release(&wal);
		if (r < 0)
			return r;
	}
	/* a WAL-mode header (read/write versions 2) would make SQLite look for
	 * a -wal file: the image is self-contained now */
	if (img->len >= 100 && memcmp(img->buf, "SQLite format 3", 16) == 0) {
		img->buf[18] = 1;
		img->buf[19] = 1;
	}
	return 0;
}

static void column_json(json_t *o, sqlite3_stmt *st, int i)
{
	const char *key = sqlite3_column_name(st, i);

	if (!key)
		key = "?";   /* the whole name: a cut one could merge two columns */
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_INTEGER: {
		sqlite3_int64 v = sqlite3_column_int64(st, i);
		json_set_int(o, key, v);
		/* wtmpdb keeps microseconds, lastlog2 seconds: add readable UTC */
		char tkey[140], ts[RFC3339_LEN];
		xsnprintf(tkey, sizeof(tkey), "%s_utc", key);   /* only the 3 names below */
		if (!strcmp(key, "Login") || !strcmp(key, "Logout")) {
			if (fmt_rfc3339_ns(ts, v / 1000000, (long)(v % 1000000) * 1000) == 0 && v > 0)
				json_set_str(o, tkey, ts);
		} else if (!strcmp(key, "Time") && v > 0 && fmt_rfc3339_ns(ts, v, 0) == 0) {
			json_set_str(o, tkey, ts);
		}
		break;
	}
	case SQLITE_FLOAT:
		json_set_new(o, key, json_real(sqlite3_column_double(st, i)));
		break;
	case SQLITE_TEXT:
	case SQLITE_BLOB: {
		const void *p = sqlite3_column_blob(st, i);
		int n = sqlite3_column_bytes(st, i);
		json_set_bytes(o, key, p ? p : "", n > 0 ? (size_t)n : 0);
		break;
	}
	default:
		json_set_new(o, key, json_null());
	}
}

int sqlite_image_open(const struct capbuf *img, sqlite3 **ret)
{
	*ret = NULL;
	if (!img->buf || img->len < 100)
		return -EINVAL;
	if (sqlite3_open_v2(":memory:", ret, SQLITE_OPEN_READWRITE | SQLITE_OPEN_MEMORY, NULL) !=
	    SQLITE_OK)
		return -EIO;
	if (sqlite3_deserialize(*ret, "main", (unsigned char *)img->buf, (sqlite3_int64)img->len,
				(sqlite3_int64)img->len, SQLITE_DESERIALIZE_READONLY) != SQLITE_OK)
		return -EIO;
	sqlite3_exec(*ret, "PRAGMA temp_store=MEMORY; PRAGMA query_only=1;", NULL, NULL, NULL);
	return 0;
}

int sqlite_image_dump(const struct capbuf *img, const char *source, struct capbuf *out,
		      uint64_t *ret_rows)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *tables = NULL;
	uint64_t rows = 0;
	int r;

	*ret_rows = 0;
	if ((r = sqlite_image_open(img, &db)) < 0)
		goto out;
	if (sqlite3_prepare_v2(db, "SELECT name FROM sqlite_schema WHERE type='table' ORDER BY name",
			       -1, &tables, NULL) != SQLITE_OK) {
		r = -EINVAL;   /* not a database we can read */
		goto out;
	}
	while (sqlite3_step(tables) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(tables, 0);
		char *sql = sqlite3_mprintf("SELECT rowid AS irsnap_rowid, * FROM \"%w\"", t ? t : "");
		sqlite3_stmt *st = NULL;
		if (!sql || sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
			/* WITHOUT ROWID tables */
			sqlite3_free(sql);
			sql = sqlite3_mprintf("SELECT NULL AS irsnap_rowid, * FROM \"%w\"", t ? t : "");
			if (!sql || sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
				sqlite3_free(sql);
				continue;
			}
		}
		sqlite3_free(sql);
		while (sqlite3_step(st) == SQLITE_ROW) {
			json_t *o = json_object();
			json_set_str(o, "source", source);
			json_set_str(o, "table", t);
			if (sqlite3_column_type(st, 0) == SQLITE_INTEGER)
				json_set_int(o, "rowid", sqlite3_column_int64(st, 0));
			else
				json_set_new(o, "rowid", json_null());
			for (int i = 1; i < sqlite3_column_count(st); i++)
				column_json(o, st, i);
			json_append_line(out, o);
			json_decref(o);
			rows++;
		}
		sqlite3_finalize(st);
	}
	r = 0;
out:
	sqlite3_finalize(tables);
	sqlite3_close(db);
	*ret_rows = rows;
	return r;
}
