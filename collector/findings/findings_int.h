/*
 * findings_int.h - what the checks share with the engine (findings.c).
 */
#ifndef IRSNAP_FINDINGS_INT_H
#define IRSNAP_FINDINGS_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <string.h>
#include "capbuf.h"
#include "findings.h"
#include "strset.h"

#define PER_CHECK_CAP 200   /* findings of one check listed; the rest counted */

/* A process a check flagged: the network joins name its sockets. */
struct flagged {
	int64_t pid, start_ticks;
	enum severity sev;
	char check[40];
};

/* A socket with owners, kept for the joins. */
struct sock_note {
	int64_t pid, netns, inode, lport, rport;
	char state[16], proto[12], laddr[48], raddr[48];
};

/* A login attempt, kept for the join of failures and a success. */
struct login_note {
	int64_t time, offset;
	char addr[40], user[32];   /* an IPv6 address's text; UT_NAMESIZE */
};

/* The newest LOGIN_RING_CAP attempts of a kind: memory does not grow with
 * the login files (t_bigwtmp); `dropped` says how many older ones went. */
#define LOGIN_RING_CAP 16384
struct login_ring {
	struct login_note *v;
	size_t n, a, next;
	uint64_t dropped;
};

struct findings {
	struct capbuf out;
	int64_t now;                /* the collection's start (Unix seconds) */
	int64_t window;             /* persistence window (seconds) */
	unsigned count[SEV_COUNT];
	/* the member being archived */
	char member[512];
	int cur;                    /* its index in the member table, -1: not read */
	const struct check *mine[16];   /* the checks of that member */
	size_t nmine;
	bool whole;                 /* its check wants the bytes, not lines */
	struct capbuf part;         /* a line not yet ended, or the whole member */
	/* for the joins */
	struct flagged *flags;
	size_t nflags, aflags;
	struct sock_note *socks;
	size_t nsocks, asocks;
	struct login_ring fails, oks, lastlogs;   /* btmp failures, wtmp logins, lastlog */
	int64_t wtmp_first;               /* the oldest wtmp time (0: none) */
	/* executables' folders, and world-writable folders of the timeline */
	struct strset exe_dirs, ww_dirs;
	/* wtmp read in file order: the source under way, its boot, its sessions */
	char wt_source[256];
	bool wt_boot, wt_runlevel;
	struct strset wt_open;
	unsigned per_check_cap_hit;
	bool finished;              /* the joins made */
	uint64_t ns;                /* spent in the checks (tap and joins) */
	json_t *seen_files;         /* counts per check; mapped files reported once */
	struct strset targets;      /* mapped targets already judged (raw bytes) */
};

/* One check: the records of the members `member` names (an fnmatch
 * pattern) it reads; the lines it wants parsed hold one of `want` (NULL:
 * every line); fn sees each such record. With `whole`, fn gets the
 * member's bytes once (rec NULL); with `raw`, each wanted line unparsed
 * (rec NULL: a member that is not JSON Lines, the bodyfile). */
struct check {
	const char *name;
	const char *member;
	const char *want[12];
	bool whole;
	void (*fn)(struct findings *f, const char *member, json_t *rec, const char *bytes,
		   size_t len);
	/* instead of `want`, when set: whether the line is wanted */
	bool (*pre)(struct findings *f, const char *line, size_t len);
	bool raw;
};

extern const struct check checks_procs[], checks_names[], checks_other[], checks_host[],
	checks_files[], checks_logins[];
extern const size_t nchecks_procs, nchecks_names, nchecks_other, nchecks_host, nchecks_files,
	nchecks_logins;

/* A finding; `seen` and `evidence` are stolen (either may be NULL). */
void finding(struct findings *f, const char *check, enum severity sev, const char *technique,
	     json_t *seen, json_t *evidence, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
/* Evidence pointers: a record of `member` named by its keys. */
json_t *ev_record(const char *member, const char *k1, int64_t v1, const char *k2, int64_t v2);
json_t *ev_member(const char *member);
/* A record of `member` named by a string key (a path, an address). */
json_t *ev_str(const char *member, const char *key, const char *value);
json_t *ev_list(json_t *first);   /* an array holding `first` (stolen) */
/* A process flagged (for the network joins). */
void flag_process(struct findings *f, int64_t pid, int64_t start, enum severity sev,
		  const char *check);
const struct flagged *flag_of(const struct findings *f, int64_t pid);
void note_socket(struct findings *f, const struct sock_note *s);
/* Whether a line holds a string literal's bytes. */
#define HAS(line, len, lit) (memmem((line), (len), (lit), sizeof(lit) - 1) != NULL)
/* Record fields, tolerant of absent keys. */
int64_t rec_int(json_t *rec, const char *key, int64_t dflt);
const char *rec_str(json_t *rec, const char *key);
bool rec_true(json_t *rec, const char *key);
/* The joins (checks_other.c, checks_logins.c). */
void checks_join(struct findings *f);
void checks_logins_join(struct findings *f);
void checks_files_join(struct findings *f);
/* A copy of at most n bytes into a buffer of `size` (always ended). */
void copy_field(char *dst, size_t size, const char *src);

#endif
