/*
 * kmod.h - whether a kernel module is present, without loading it.
 *
 * Some reads would make the kernel load a module on their own (a netlink
 * request to a netfilter subsystem whose module is not loaded asks modprobe
 * for it): a change to the host irsnap never makes. Before such a read, a
 * source asks here. Present means: the kernel has no module support (no
 * /proc/modules: everything it has is built in), or the module is in
 * /proc/modules, or /sys/module/<name> exists (built in, with parameters),
 * or /lib/modules/<release>/modules.builtin names it.
 */
#ifndef IRSNAP_KMOD_H
#define IRSNAP_KMOD_H

#include <stdbool.h>

/* `name` as /proc/modules spells it (nf_tables, nf_conntrack_netlink);
 * `procfd` an fd on /proc. */
bool kmod_present(int procfd, const char *name);

#include <stddef.h>
/* The file of module `name` in a modules.dep text: the path before the ':'
 * of the line whose file name, less .ko[.gz|.xz|.zst] and with '-' read as
 * '_', is `name` (as /proc/modules spells it). 0 with *path and *plen
 * pointing into `dep`, or -ENOENT. */
int kmod_dep_path(const char *dep, size_t len, const char *name, const char **path,
		  size_t *plen);

#endif
