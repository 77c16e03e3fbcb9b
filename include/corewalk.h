/*
 * corewalk.h - the core's one pass over /proc (snapshot.h, issue 19):
 * every process's network namespace, exe link and fd table, read on the
 * run's threads (pscan.h) into r->snap. Whichever volatile source's core
 * runs first walks; the others find it done.
 */
#ifndef IRSNAP_COREWALK_H
#define IRSNAP_COREWALK_H

#include "run.h"

/* procfd: an fd on /proc (proc_open_root). Never fails: a process gone
 * meanwhile is simply not in it; out of memory is said in the work log. */
void core_walk(struct run *r, int procfd);

#endif
