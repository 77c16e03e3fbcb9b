/*
 * export.h - a bundle's records into an SQLite database (irsnap export).
 *
 * Every JSON Lines member becomes rows of one table per member kind (the
 * member's path, its network namespace and chunk number taken out:
 * volatile/processes.jsonl -> volatile_processes, system/net/<ns>/links.jsonl
 * -> system_net_links with a netns column, listing/<dir>.NNNN.jsonl ->
 * listing with a listed column). A record's keys are its columns: numbers
 * stay numbers, booleans 0/1, an object's scalar fields columns of their
 * own (local -> local_addr, local_port), arrays and deeper objects JSON
 * text, and a time in RFC 3339 also as <key>_epoch (seconds, UTC). Every
 * row carries _bundle, _host, _case, _member and _line. JSON members go to
 * `documents`, each bundle to `bundles`; indexes on the join keys and
 * views for the joins are made after each bundle (README "Export").
 *
 * The bytes come from verify as it reads them (verify_bundle_tapped): a
 * bundle's rows are one transaction, committed only when the bundle is
 * valid; a bundle already in the database is refused.
 */
#ifndef IRSNAP_EXPORT_H
#define IRSNAP_EXPORT_H

#include <stdbool.h>
#include <stddef.h>

struct sqlx;

/* Open (or make) the database. -errno, with `err` said. */
int sqlx_open(const char *path, struct sqlx **ret, char *err, size_t errlen);
void sqlx_close(struct sqlx *x);

/* The verify_tap callbacks (verify.h), ctx a struct sqlx. A bundle already
 * in the database makes the first one return -EEXIST. */
int sqlx_member(void *ctx, const char *top, const char *rel);
int sqlx_data(void *ctx, const void *buf, size_t n);
int sqlx_member_end(void *ctx, const char *rel);

/* After verify: commit the bundle's rows (valid) or roll them back.
 * run_json: the signed run.json, for the bundle's host and case. Returns
 * the rows kept (>= 0) or -errno with `err` said. */
long long sqlx_bundle_end(struct sqlx *x, bool valid, const char *bundle_sha256,
			  const char *run_json, size_t run_json_len, char *err, size_t errlen);

/* The Timesketch timeline (timesketch.c): OUT is made new (an existing
 * file is refused); the tap callbacks as above, ctx a struct tsx; at a
 * bundle's end its events are appended when it is valid. */
struct tsx;
int tsx_open(const char *path, struct tsx **ret, char *err, size_t errlen);
void tsx_close(struct tsx *t);
int tsx_member(void *ctx, const char *top, const char *rel);
int tsx_data(void *ctx, const void *buf, size_t n);
int tsx_member_end(void *ctx, const char *rel);
long long tsx_bundle_end(struct tsx *t, bool valid, char *err, size_t errlen);

#endif
