/*
 * rootmode.h - collect --root DIR: a target's disk read as if DIR were "/"
 * (rootmode.c).
 */
#ifndef IRSNAP_ROOTMODE_H
#define IRSNAP_ROOTMODE_H

#include <stdbool.h>
#include <stddef.h>

#include "jsonx.h"

/* In the host's namespace, before irsnap's own: DIR's device, inode and
 * the mount holding it (options, read-write warning). NULL and err when
 * DIR cannot be opened. */
json_t *root_probe(const char *dir, char *err, size_t errlen);
/* In irsnap's namespace: chroot into DIR (the same directory the probe
 * saw), then the target's hostname and machine-id into info. */
int root_enter(const char *dir, json_t *info, char *err, size_t errlen);

#endif
