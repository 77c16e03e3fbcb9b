/*
 * parttable.h - the partition table in the first bytes of a disk (MBR, and
 * the GPT behind a protective MBR), read from the bytes themselves.
 */
#ifndef IRSNAP_PARTTABLE_H
#define IRSNAP_PARTTABLE_H

#include <stddef.h>
#include <stdint.h>

#include "jsonx.h"

/* {"scheme": "none"|"mbr"|"gpt", "mbr": [...], "gpt": {...}} from the
 * first `len` bytes of a disk of `disk_bytes` with `sector`-byte logical
 * sectors; whatever the bytes, a record (an "error" inside for what does
 * not hold). NULL only when out of memory. */
json_t *parttable_read(const unsigned char *buf, size_t len, unsigned sector,
		       uint64_t disk_bytes);

#endif
