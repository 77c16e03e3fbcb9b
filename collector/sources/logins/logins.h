/*
 * logins.h - records and views of the login databases (utmp_format.h).
 *
 * Every function reads an already opened fd (opened by host_open()) with
 * pread, so memory stays bounded whatever the file size: the JSON pass runs
 * forward in chunks, the `last` pass runs backward in chunks as util-linux
 * last(1) does, keeping only the sessions still open.
 */
#ifndef IRSNAP_LOGINS_H
#define IRSNAP_LOGINS_H

#include <stdint.h>
#include <time.h>

#include "accounts.h"
#include "capbuf.h"
#include "fdwalk.h"

struct login_ctx {
	const char *source;             /* host path, for records and anomalies */
	const char *source_json;        /* its JSON form, while records are made */
	struct capbuf *records;         /* JSON Lines out */
	struct spool *spool;            /* if set, `records` is its buffer: flushed */
	struct capbuf *anomalies;       /* JSON Lines out */
	const struct accounts *acc;     /* user names for lastlog */
	/* results of the forward pass */
	uint64_t nrecords, nzero, nunknown, nbackwards, trailing;
	uint32_t first_time, last_time;  /* of records with a time */
	/* for the `last` view */
	time_t now;                     /* the collection's start */
	time_t boot_time;
	int procfd;                     /* /proc, for "still logged in" */
};

/* All records of a utmp/wtmp/btmp file as JSON Lines; anomalies noted.
 * Returns 0 or -errno of a read error (what was read is kept). */
int utmp_records(struct login_ctx *c, int fd, uint64_t size);
/* The `last -F -w -x` (or `lastb -F -w`) listing of one file, appended to
 * a spool (spool.h) so that a long history costs little memory. */
int last_view(struct login_ctx *c, int fd, uint64_t size, const char *basename,
	      int64_t file_ctime, int lastb, struct spool *out);
/* lastlog: one record per uid with a non-zero entry. */
int lastlog_records(struct login_ctx *c, int fd, uint64_t size, uint32_t *ret_newest);
/* ctime(3)-shaped UTC: "Thu Nov 26 17:45:12 2026". */
void fmt_ctime_utc(char out[32], int64_t secs);

#endif
