/*
 * filecaps.h - a file's capabilities: the `security.capability` extended
 * attribute (struct vfs_cap_data, linux/capability.h) decoded, as getcap(8)
 * shows them. The bytes are the host's: every length and revision is
 * checked, nothing is trusted.
 */
#ifndef IRSNAP_FILECAPS_H
#define IRSNAP_FILECAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capbuf.h"

struct filecaps {
	unsigned version;          /* 1, 2 or 3 (VFS_CAP_REVISION_n) */
	bool effective;            /* VFS_CAP_FLAGS_EFFECTIVE */
	uint64_t permitted, inheritable;
	bool has_rootid;           /* version 3: the user namespace's root */
	uint32_t rootid;
};

/* 0, or -EINVAL when the bytes are no vfs_cap_data of a known revision. */
int filecaps_decode(const void *p, size_t n, struct filecaps *out);
/* The name of capability `bit` ("cap_net_raw"), NULL past the known ones. */
const char *filecaps_name(unsigned bit);
/* "cap_a,cap_b=ep cap_c=i": one clause per distinct flag set, capabilities
 * in number order, clauses in the order of their first capability; a
 * capability past the known names is written as its number. */
void filecaps_text(const struct filecaps *c, struct capbuf *out);

#endif
