/*
 * trustpath.h - a walk's root path resolved through no symbolic link a
 * user could have made.
 *
 * A `tree` or `list` root such as /home/u/.config/autostart names folders
 * its user owns: had u turned ~/.config into a link to /root/.config, the
 * walk would list and copy root's files under u's name. The path is
 * resolved here one component at a time: a link owned by root (merged
 * /usr's /lib -> usr/lib) is followed, any other refused with -ELOOP and
 * named in `bad`; the folder reached is then opened with openat2's
 * RESOLVE_NO_SYMLINKS, so a folder swapped for a link in between is not
 * followed either. No component at or under a slow mount (slowmounts.h)
 * is stat'ed: -EXDEV, as the walk's own check says of the root itself.
 */
#ifndef IRSNAP_TRUSTPATH_H
#define IRSNAP_TRUSTPATH_H

#include "capbuf.h"

struct untrusted_link {
	char path[512];    /* the link met, as resolved so far */
	long long uid;     /* its owner */
};

/* `path` (absolute) into `out`, no link left in it. 0, -ELOOP (a link not
 * root's, or more than 40: `bad` filled when not NULL), -EXDEV (it leads
 * onto a slow mount), or -errno. */
int trusted_resolve(const char *path, struct capbuf *out, struct untrusted_link *bad);
/* The same for every component of `path` but the last, which is appended
 * as it is (a link there is the caller's to refuse or record): "/lib/x"
 * is "/usr/lib/x" on merged /usr. -EINVAL for a last component of "",
 * "." or "..". */
int trusted_parent(const char *path, struct capbuf *out, struct untrusted_link *bad);
/* The folder `path` names, so resolved (`resolved` holds the path opened),
 * opened O_DIRECTORY (O_NOATIME where allowed). fd, or -errno as above. */
int trusted_open_dir(const char *path, struct capbuf *resolved, struct untrusted_link *bad);

#endif
