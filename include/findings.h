/*
 * findings.h - what the bundle shows, said by the bundle (issue 15).
 *
 * The checks read the records the sources wrote, once, as the bundle
 * writer archives them (a tap on the member bytes: bundle_set_tap), and
 * never the host. Each check is one small function in one table
 * (checks_*.c), bound to the member whose records it reads; a cheap
 * byte filter says which lines it wants parsed. What a check finds is a
 * record of findings.jsonl, at the bundle's top (README "Findings"):
 *
 *   {"check", "severity": high|medium|low|info, "title", "seen": {...},
 *    "evidence": [{"member", "keys": {...}}], "technique": "T1014" | null}
 *
 * findings_emit() runs the checks that join members (a socket of a flagged
 * process) and archives findings.jsonl, after the last source and before
 * the seal, so the findings are signed with the rest.
 */
#ifndef IRSNAP_FINDINGS_H
#define IRSNAP_FINDINGS_H

#include <stddef.h>
#include <stdint.h>

struct findings;
struct run;

enum severity { SEV_HIGH, SEV_MEDIUM, SEV_LOW, SEV_INFO, SEV_COUNT };

/* The persistence checks' window, unless the profile sets one. */
#define FINDINGS_WINDOW_DAYS 30

/* now: the collection's start (Unix seconds), the window's end;
 * window_days: 0 for FINDINGS_WINDOW_DAYS. */
struct findings *findings_new(int64_t now, unsigned window_days);
void findings_free(struct findings *f);
/* The bundle's tap (bundle.h): bytes of member `name`; data NULL: its end. */
void findings_tap(void *ctx, const char *name, const void *data, size_t len);
/* The joins (once), and the findings.jsonl text so far (the fuzz target's
 * way out; the run's is findings_emit). */
void findings_finish(struct findings *f, const char **ret_text, size_t *ret_len);
/* The joins, then findings.jsonl into the bundle. 0 or -errno. */
int findings_emit(struct findings *f, struct run *r);
/* Findings of each severity so far. */
void findings_counts(const struct findings *f, unsigned ret[SEV_COUNT]);
const char *severity_name(enum severity s);
/* Seconds spent in the checks so far (the benchmark's figure). */
double findings_seconds(const struct findings *f);

#endif
