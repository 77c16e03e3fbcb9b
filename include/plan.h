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

#endif
