/*
 * plan.h - running a profile (profile.h) against the host, and printing it.
 */
#ifndef IRSNAP_PLAN_H
#define IRSNAP_PLAN_H

#include <stdio.h>

#include "profile.h"
#include "run.h"

/* Every step in order; returns 0 or the bundle's fatal error. */
int plan_run(struct run *r, const struct profile *p);
void plan_print(const struct profile *p, FILE *out);
/* Per-step timings on stderr (collect --stats). */
void plan_stats(const struct run *r, const struct profile *p, FILE *out);
/* The volatile snapshot's skew in seconds: the core's window (snapshot.h),
 * or without a core the volatile steps' span; -1 when there was none. */
double plan_skew(const struct run *r);
/* The volatility rank of a source, or 1000 for an unknown name. */
int source_rank(const char *name);

#endif
