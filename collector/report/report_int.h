/*
 * report_int.h - what the report's files share (report.h): the model's
 * record makers (report_model.c), the HTML writer (html.c) and the page's
 * sections (report_*.c).
 */
#ifndef IRSNAP_REPORT_INT_H
#define IRSNAP_REPORT_INT_H

#include <jansson.h>
#include <stdio.h>

#include "report.h"

void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A new element at the end of v (zeroed), or NULL when v holds `cap`
 * already (counted in v->over) or memory is short. */
void *rvec_add(struct rvec *v, size_t size, size_t cap);
/* Keep the `keep` most recent rows of a body vector, counting the rest. */
void rbody_keep_recent(struct rvec *v, size_t keep);

void rproc_add(struct rbundle *b, json_t *rec);
void rfile_add(struct rbundle *b, json_t *rec);
void rsock_add(struct rbundle *b, json_t *rec);
void rlogin_add(struct rbundle *b, json_t *rec, enum rlogin_src src);
void rlink_add(struct rbundle *b, json_t *rec);
/* The index of pid's record in b->procs, or -1. */
int64_t rproc_find(const struct rbundle *b, int64_t pid);

/* json helpers: a string member (NULL when absent or not a string), an
 * integer member (dflt when absent) */
const char *jstr(json_t *o, const char *key);
int64_t jint(json_t *o, const char *key, int64_t dflt);

/* HTML output (html.c). Every byte from a bundle goes through h_text or
 * h_attr: markup characters become entities, control bytes a visible
 * \xNN, so no string can end an element, open a tag or start a script. */
struct page {
	FILE *f;
	const char *bp;            /* the ids' prefix of the bundle under way */
	const struct rbundle *b;
	int err;                   /* the first write error, -errno */
};
void h_text(struct page *p, const char *s);
void h_textn(struct page *p, const char *s, size_t n);
void h_raw(struct page *p, const char *markup);
void h_fmt(struct page *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* <td>s</td> escaped; "-" for NULL */
void h_td(struct page *p, const char *s);
void h_tdi(struct page *p, long long v);
/* The page's head (CSP, style, script) and its end. */
void h_head(struct page *p, const char *title);
void h_tail(struct page *p);
/* A section's start: its heading, and INVALID when the bundle is. */
void h_section(struct page *p, const char *id, const char *title);
void h_section_end(struct page *p);
/* "N more not shown" under a capped table. */
void h_over(struct page *p, size_t over, const char *what);
/* A text filter over the table with this id (the page's one script). */
void h_filter(struct page *p, const char *table_id);
/* A process's parent chain, linked to the tree (report_procs.c). */
void h_chain(struct page *p, int64_t proc_index);
/* Seconds since the epoch of a UTC civil time, of RFC 3339 text (INT64_MIN:
 * not one); report_gather.c. */
int64_t civil_secs(int y, int mo, int d, int h, int mi, int s);
int64_t rfc3339_secs(const char *t);
/* UTC text of epoch seconds. */
void h_time(struct page *p, int64_t t);

/* The sections (report_procs.c, report_net.c, report_logins.c,
 * report_persist.c, report_pages.c, report_fleet.c). */
void sec_summary(struct page *p);
void sec_findings(struct page *p);
void sec_procs(struct page *p);
void sec_net(struct page *p);
void sec_logins(struct page *p);
void sec_persist(struct page *p);
void sec_timeline(struct page *p);
void sec_worklog(struct page *p);
void sec_draft(struct page *p);
void sec_fleet(struct page *p, struct rbundle *b, size_t n);

/* Persistence parsers (report_parse.c): one line of a crontab (system: with
 * a user field), of a unit file, of authorized_keys. False: not an entry. */
struct cron_entry {
	char sched[128], user[64], cmd[1024];
};
bool parse_cron_line(const char *s, size_t n, bool system, struct cron_entry *ret);
struct key_entry {
	char options[512], type[64], fpr[64], comment[256];
};
bool parse_key_line(const char *s, size_t n, struct key_entry *ret);
/* A unit file's "Key=value" lines of interest, in order: key, value. */
bool parse_unit_line(const char *s, size_t n, char key[64], char *val, size_t vlen);

#endif
