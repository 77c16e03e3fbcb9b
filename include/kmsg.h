/*
 * kmsg.h - one record of the kernel's log as /dev/kmsg gives it
 * (Documentation/ABI/testing/dev-kmsg).
 *
 * Each read(2) of /dev/kmsg returns one record:
 *
 *     PRIORITY,SEQUENCE,TIMESTAMP_US,FLAG[,MORE...];MESSAGE\n
 *     [ KEY=VALUE\n]...
 *
 * PRIORITY is facility * 8 + level (syslog(3)); SEQUENCE counts records
 * from the boot (a gap is records the ring buffer overwrote); TIMESTAMP_US
 * is the kernel's clock in microseconds since boot; FLAG is '-' or 'c'
 * (a continuation). The kernel escapes the message's unprintable bytes and
 * a backslash as \xNN; the lines after it, each starting with a space, are
 * the dictionary (SUBSYSTEM=, DEVICE=).
 *
 * kmsg_parse() only points into the bytes it is given: a record that does
 * not have this shape is -EINVAL and the caller keeps it raw.
 */
#ifndef IRSNAP_KMSG_H
#define IRSNAP_KMSG_H

#include <stddef.h>
#include <stdint.h>

struct kmsg_rec {
	unsigned facility, level;   /* PRIORITY / 8, PRIORITY % 8 */
	uint64_t seq;
	uint64_t usec;              /* since boot */
	char flag;                  /* '-', 'c', or another byte the kernel gave */
	const char *msg;            /* escaped as the kernel wrote it */
	size_t msg_len;
	const char *dict;           /* the dictionary lines, without the first space */
	size_t dict_len;
};

/* 0, or -EINVAL when the record has not the shape above. */
int kmsg_parse(const char *rec, size_t len, struct kmsg_rec *ret);

/* The message with the kernel's \xNN escapes undone, into `out` (at least
 * msg_len bytes): its length. */
size_t kmsg_unescape(const char *msg, size_t len, char *out);

/* syslog(3)'s names: "kern", "user", ..., "local7"; "err", "info", ... */
const char *kmsg_facility_name(unsigned facility);
const char *kmsg_level_name(unsigned level);

#endif
