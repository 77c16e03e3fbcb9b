/*
 * disk.h - a block device or image file read whole into the bundle: the
 * profile's `disk PATH` step and `irsnap image` (disk.c).
 */
#ifndef IRSNAP_DISK_H
#define IRSNAP_DISK_H

#include "run.h"

/* Image `path` into disk/<name>.raw with disk/<name>.json beside it. Every
 * outcome is an artifact; only a fatal bundle error is returned. */
int disk_step(struct run *r, const char *path);

#endif
