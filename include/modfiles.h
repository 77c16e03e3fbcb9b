/*
 * modfiles.h - the loaded kernel modules and their files, hashed
 * (src_modfiles.c): system/modules.jsonl, part of the kernel step.
 */
#ifndef IRSNAP_MODFILES_H
#define IRSNAP_MODFILES_H

#include <stddef.h>

#include "jsonw.h"
#include "run.h"

int modfiles_collect(struct run *r);
/* One /proc/modules line's fields into an open record (fuzz target). */
void modfiles_line(struct jw *w, const char *p, size_t n);

#endif
