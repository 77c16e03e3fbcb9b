/*
 * mountinfo.h - one line of /proc/<pid>/mountinfo (proc(5)):
 *
 *   36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
 *   (1)(2)(3)   (4)   (5)      (6)      (7)   (8) (9)    (10)         (11)
 *
 * mount id, parent id, major:minor, root, mount point, mount options, zero
 * or more optional fields ending at a lone "-", fs type, source, super
 * options. The kernel writes space, tab, newline and backslash in root,
 * mount point and source as \ooo (octal): mountinfo_unescape() undoes it.
 * The parse points into the line; whatever a mount point holds (an
 * intruder names them) is bytes.
 */
#ifndef IRSNAP_MOUNTINFO_H
#define IRSNAP_MOUNTINFO_H

#include <stddef.h>
#include <stdint.h>

struct mi_field {
	const char *s;
	size_t n;
};

struct mi_line {
	uint64_t id, parent;
	unsigned major, minor;
	struct mi_field root, mount_point, options, optional, fstype, source, super_options;
};

/* 0, or -EINVAL when the line has not the shape above. */
int mountinfo_parse(const char *line, size_t n, struct mi_line *ret);
/* The line of mount `id` in a whole mountinfo text: 0 and *ret (its
 * fields point into buf), or -ENOENT. */
int mountinfo_find(const char *buf, size_t len, uint64_t id, struct mi_line *ret);
/* \ooo undone into `out` (at least n bytes): the length written. */
size_t mountinfo_unescape(const char *s, size_t n, char *out);

#endif
