/*
 * output.h - choosing and opening where the bundle goes.
 *
 * The bundle must not land on a file system that holds evidence: writing
 * there would overwrite deleted blocks and change timestamps an investigator
 * needs. output_open() refuses a path whose directory is on the same device
 * as any of the evidence paths (/, /etc, /var, /var/log, /tmp, /home, ...,
 * and every --file path), unless `allow_host` is set. A new file is created
 * with O_EXCL|O_NOFOLLOW and mode 0600: an existing file or a symlink is
 * never overwritten or followed. "-" means stdout, which must not be a
 * terminal; when stdout is a regular file the same device check applies.
 * The returned fd is never 0, 1 or 2 (except stdout itself for "-").
 *
 * Returns the fd, or -errno with a message for the user in `err`.
 */
#ifndef IRSNAP_OUTPUT_H
#define IRSNAP_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>

int output_open(const char *path, bool allow_host, const char *const *extra_paths,
		size_t nextra, char *err, size_t errlen);
/* At sealing: the path still names the file written (same device and
 * inode, links left), so the bundle exists where the paper log says; 0 or
 * -errno with the reason in `err`. Stdout ("-") is not checked. */
/* `root` and `cwd`: O_PATH fds of the namespace the path was given in (the
 * host's: irsnap then moves to its own, isolate.h), or -1 for the current. */
int output_still_there(const char *path, int fd, int root, int cwd, char *err, size_t errlen);

/* The device of the output file when it is a regular file on another file
 * system than the root's (the responder's media), else 0: a timeline lists
 * that mount point but does not enter it. */
#include <stdint.h>
uint64_t output_other_dev(int fd);

#endif
