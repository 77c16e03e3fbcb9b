/*
 * bodyfile.h - one line of the timeline's bodyfile (timeline.c writes it:
 * MD5|name|inode|mode_as_string|UID|GID|size|atime|mtime|ctime|crtime,
 * SHA-256 in the hash column, names escaped so that '|' and newlines
 * cannot break a line). The fields are found from the right: a name
 * holding a bar still parses.
 */
#ifndef IRSNAP_BODYFILE_H
#define IRSNAP_BODYFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct body {
	const char *name;          /* into the line, not NUL-terminated */
	size_t nlen;
	const char *hash;          /* the first field */
	size_t hlen;
	char mode[16];             /* "r/-rwsr-xr-x" */
	int64_t ino, uid, gid, size, atime, mtime, ctime, btime;
};

bool body_parse(const char *line, size_t len, struct body *b);

#endif
