/*
 * sqlite_image.h - reading SQLite login databases (wtmpdb, lastlog2)
 * without ever letting SQLite touch the host's files.
 *
 * The database file and its -wal file are read into memory through
 * host_open() fds. The WAL's committed frames are applied to the image by
 * irsnap (salts and the cumulative checksum checked, as in SQLite's WAL
 * format), the header is switched to rollback mode, and the image is handed
 * to SQLite with sqlite3_deserialize(), read-only. SQLite never opens a
 * path, so a live database is never written, locked or checkpointed.
 */
#ifndef IRSNAP_SQLITE_IMAGE_H
#define IRSNAP_SQLITE_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "capbuf.h"

struct wal_report {
	unsigned frames;        /* valid frames in the WAL */
	unsigned applied;       /* frames up to the last commit, applied */
	uint32_t page_size;
	int checksum_big_endian;
	char problem[160];      /* why the WAL was (partly) ignored, or "" */
};

/* Load `dbfd` (and `walfd` if >= 0) into `img` (cap fixed by the caller). */
int sqlite_image_load(int dbfd, int walfd, struct capbuf *img, struct wal_report *rep);
/* The image as a read-only in-memory database (close it even on error). */
typedef struct sqlite3 sqlite3;
int sqlite_image_open(const struct capbuf *img, sqlite3 **ret);
/* Every row of every table as JSON Lines {source, table, rowid, column...}. */
int sqlite_image_dump(const struct capbuf *img, const char *source, struct capbuf *out,
		      uint64_t *ret_rows);

/* wtmpdb: its `last` view appended to `out`, and its tampering signs
 * (ID gaps, time reversals) as anomalies of L (wtmpdb_view.c). */
struct logins;
int wtmpdb_view(struct logins *L, const struct capbuf *img, const char *source,
		struct capbuf *out, uint64_t *ret_rows);

#endif
