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
#include <sys/types.h>
#include <time.h>

#include "accounts.h"
#include "capbuf.h"
#include "fdwalk.h"
#include "spool.h"

/* The answers of the view's "still logged in?" checks, in the order asked:
 * a view rendered twice (a streamed member, spool.h) answers the same. */
struct phantom_memo {
	unsigned char *v;
	size_t n, alloc, next;
};

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
	unsigned threads;               /* for the records' scan (pscan.h) */
	struct capbuf *raw;             /* if set: the whole records' bytes, in order */
	bool slot_table;                /* utmp: slots, not a log: no time order */
	struct phantom_memo *memo;      /* if set: checks answered once */
	uint32_t prev_time;             /* the last record's, for time reversals */
	/* a compressed rotation (rotated.c): a window of its decompressed bytes,
	 * read instead of the fd; offsets are in the whole stream */
	const unsigned char *mem;
	uint64_t mem_len, base_off;
	const char *stream;             /* the decompressor ("gzip"), or NULL */
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

/* records are read and made in blocks of this many */
#define CHUNK_RECORDS 256

/* records.c's helpers, shared with lastview.c and lastlog.c */
struct jw;
struct ut_field;
ssize_t pread_full(int fd, void *buf, size_t n, uint64_t off);
/* pread_full(), or from c->mem when a window is set */
ssize_t login_read(const struct login_ctx *c, int fd, void *buf, size_t n, uint64_t off);
void anomaly(struct login_ctx *c, uint64_t off, const char *kind, const char *detail);
void set_field(struct jw *w, const char *key, const struct ut_field *f);

/* The state of the logins and sessions steps (src_logins.c, sessions.c). */
#define LOGIN_FILE_CAP (2ull << 30)     /* raw copy and parse: 2 GiB per file */
#define LOGIN_RECORDS_CAP (512u << 20)
#define VIEW_CAP (256u << 20)
#define SQLITE_IMAGE_CAP (256u << 20)  /* a database and its WAL in memory */

struct logins {
	struct run *r;
	struct spool *hist;      /* wtmp/btmp records, spilled (spool.h) */
	struct accounts acc;
	struct capbuf records, anomalies;
	struct spool view;                /* last.txt or lastb.txt */
	int procfd;
	int64_t boot_time;
	uint32_t wtmp_newest;
	/* the sessions step: the utmp records' exact bytes, in file order, and
	 * where each file's begin in them (its view and checks decode these,
	 * never the JSON they made) */
	struct capbuf *raw;
	struct { const char *path; size_t start; } files[2];
	size_t nfiles;
	struct phantom_memo memo;         /* the last view's checks (lastview.c) */
};

/* One login file, opened for parsing after its raw copy. */
struct login_file {
	const char *path;
	int fd;
	uint64_t size;           /* at open, to LOGIN_FILE_CAP: every pass reads this */
	int64_t ctime;
	/* a compressed rotation held whole in memory (rotated.c): read instead */
	const unsigned char *mem;
	const char *stream;
	bool rotated;            /* compressed: parsed by rotated_parse() */
};
int login_file_open(struct login_file *f, const char *path);
void login_ctx_init(struct logins *L, const char *step, const struct login_file *f,
		    struct capbuf *anomalies, struct login_ctx *c);

/* parse_open()'s `what` */
#define PARSE_RECORDS 1u   /* the JSON records, into L->hist (or L->records) */
#define PARSE_VIEW 2u      /* the last view (kind_last >= 0), into L->view */
#define PARSE_QUIET 4u     /* a second rendering: no log, anomalies dropped */
int parse_open(struct logins *L, const char *step, const struct login_file *f, int kind_last,
	       unsigned what, uint32_t *ret_newest);

/* Families bigger than this (the sum of their parseable files) are rendered
 * twice instead of held (spool.h: spool_stream): memory stays flat. */
#define LOGIN_STREAM_OVER (128ull << 20)
/* A compressed rotation (wtmp.2.gz): copied raw, decompressed in memory
 * (unpack.h), parsed; the view only when its stream fits ROTATED_WINDOW. */
#define ROTATED_WINDOW ((size_t)43690 * 384)   /* 16 MiB of whole records */
bool rotated_name(const char *name);
int rotated_file(struct logins *L, const char *path, int lastb, uint32_t *newest);
/* Parse an opened rotation from its start (each call reads it anew). */
int rotated_parse(struct logins *L, const struct login_file *f, int lastb, unsigned what,
		  uint32_t *newest);
int history_streamed(struct logins *L, char **names, size_t n, bool (*parseable)(const char *),
		     int lastb, const char *jsonl, const char *txt, uint32_t *newest);

extern const char *const utmp_paths[2];
void logins_init(struct logins *L, struct run *r);
void logins_free(struct logins *L);
/* An anomaly record {source, offset (or null), kind, detail}; takes `offset`. */
void login_anomaly(struct logins *L, const char *source, json_t *offset, const char *kind,
		   const char *detail);
/* Copy one login file raw and parse it (records, or the last view). */
int one_file(struct logins *L, const char *step, const char *path, int kind_last,
	     uint32_t *ret_newest);

#endif
