/*
 * report.h - what `irsnap report` reads from a bundle, and the HTML page it
 * writes (issue 16).
 *
 * report_read() verifies a bundle exactly as `irsnap verify` does, and in
 * the same pass (verify_bundle_tapped) keeps what the report shows, so what
 * is shown is what was verified: run.json, findings.jsonl, the processes,
 * their open files, the sockets, the network configuration, the login
 * records, the work log, the persistence files copied under fs/ and the
 * timeline rows inside the window of interest. Every table has a cap; what
 * was left out is counted (`over`) and said on the page. A bundle that is
 * invalid keeps its data, and every section of its page says INVALID.
 *
 * Strings are kept as the bundle has them (JSON text, UTF-8): escaping
 * happens only when they are written (html.h, textutil.h).
 */
#ifndef IRSNAP_REPORT_H
#define IRSNAP_REPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "capbuf.h"
#include "verify.h"

#define RP_PROCS 20000u        /* processes in the tree */
#define RP_SOCKS 20000u        /* sockets kept (owners, pivots, the draft) */
#define RP_TABLE_ROWS 2000u    /* rows of one socket table on the page */
#define RP_FILES 24u           /* open files listed per process */
#define RP_LOGINS 20000u       /* login records in the timeline */
#define RP_BODY 5000u          /* timeline rows in the window */
#define RP_NET 4000u           /* interfaces, addresses, routes, neighbours */
#define RP_PERSIST 256u        /* persistence files parsed */
#define RP_PERSIST_BYTES (256u << 10)   /* of one such file */
#define RP_UNITLINKS 2000u     /* systemd enablement links */
#define RP_ANOMS 2000u         /* login record anomalies */
#define RP_WORKLOG (4u << 20)  /* bytes of acquisition.log */

struct rproc {
	int64_t pid, ppid, ticks, netns;
	char *comm, *cmd, *exe, *sha, *cwd, *user, *start, *exe_fs, *ns, *status;
	bool kthread, deleted;
	uint32_t nfiles;           /* open files seen; the first RP_FILES kept */
	struct capbuf files;       /* their targets, one per line */
	char *flags;               /* the checks of findings.jsonl naming it */
	int64_t child, sib, parent;   /* indexes in procs, -1 none */
};

struct rsock {
	int64_t netns, inode, lport, rport;
	char *proto, *state, *laddr, *raddr, *user;
	int64_t owner;             /* the first owner's pid, -1 none */
	char *owners;              /* "pid/comm" of each owner, ", " between */
	bool one_view;
};

enum rlogin_src { RL_WTMP, RL_BTMP, RL_LASTLOG, RL_UTMP, RL_NSRC };

struct rlogin {
	int64_t epoch;
	enum rlogin_src src;
	char *time, *type, *user, *line, *host, *addr;
	int64_t pid;
	bool after_failures;       /* a login from an address btmp has failures of */
};

struct rbody {
	int64_t t;
	char macb[5];
	char mode[16];
	int64_t size, uid;
	char *name;                /* as the bodyfile has it (escaped there) */
};

struct rnet {
	int64_t netns;
	char kind;                 /* 'l'ink, 'a'ddress, 'r'oute, 'n'eighbour */
	json_t *rec;
};

struct rfile {                 /* a persistence file copied under fs/ */
	char *path;                /* the host's path */
	struct capbuf text;
};

struct rlink {                 /* a symlink recorded in index.jsonl */
	char *path, *target;
};

struct rvec {                  /* a capped array; `over` counts the rest */
	void *v;
	size_t n, alloc, over;
};

enum rmember {
	RM_NONE, RM_FINDINGS, RM_PROCS, RM_FILES, RM_SOCKS, RM_NET, RM_WTMP, RM_BTMP,
	RM_LASTLOG, RM_UTMP, RM_ANOM, RM_INDEX, RM_BODY, RM_WORKLOG, RM_PERSIST,
};

struct rbundle {
	const char *path;
	struct verify_result res;
	int fails;                 /* verify's failures; < 0 unreadable */
	json_t *run;               /* run.json, NULL when absent */
	struct capbuf findings;    /* findings.jsonl as verified */
	json_t *found;             /* its records, an array */
	struct rvec procs, socks, logins, body, net, persist, links;
	struct rvec anoms;         /* json_t * of the login anomaly members */
	struct capbuf worklog;     /* acquisition.log, capped */
	int64_t window_from, window_to;   /* the timeline rows kept */
	long long body_rows;       /* every row of the bodyfile */
	int window_days;           /* before the collection; 0: 7 */
	bool model;                /* keep more than run.json and findings */
	bool procs_sorted;         /* by pid, for the joins */
	/* the member under way */
	enum rmember kind;
	int64_t netns;
	char net_kind;
	struct capbuf part;        /* a line not yet ended */
	struct rfile *file;
};

/* Verify `path` and keep what the report shows (everything when `model`,
 * else run.json and findings.jsonl); b->fails as verify returns it. */
void report_read(struct rbundle *b, const char *path, const struct capbuf *pub,
		 const char *fpr, bool model);
void report_free(struct rbundle *b);
/* The tap's member and line handlers (report_gather.c), for the fuzz target. */
int report_member(void *ctx, const char *top, const char *rel);
int report_data(void *ctx, const void *buf, size_t n);
int report_member_end(void *ctx, const char *rel);
/* After the read: the process tree, the socket owners, the findings' flags. */
void report_link(struct rbundle *b);

/* A clock since boot of run.json's clocks ("monotonic", "boottime"), in
 * seconds, as any format has it (report_pages.c). */
double clock_s(json_t *clocks, const char *name);

/* The page of n bundles (report_html.c); -errno when it cannot be written. */
int report_html(FILE *out, struct rbundle *b, size_t n);

#endif
