/*
 * logind.h - systemd-logind state files (/run/systemd/{sessions,users,seats}).
 *
 * logind_collect() copies every file raw (FIFOs such as sessions/N.ref are
 * recorded, never opened) and appends one JSON line per file:
 * {source, kind, name, fields {KEY: value}} with values unescaped.
 */
#ifndef IRSNAP_LOGIND_H
#define IRSNAP_LOGIND_H

#include <stddef.h>

#include "jsonx.h"
#include "run.h"

int logind_collect(struct run *r, struct capbuf *out);
/* KEY=VALUE lines into `fields`; exposed for the fixture tests. */
int logind_parse(const char *buf, size_t len, json_t *fields);
/* C-style unescaping (\n, \t, \xNN, \ooo, \\); out needs n bytes. */
size_t logind_unescape(const char *in, size_t n, char *out);

#endif
