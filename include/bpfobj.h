/*
 * bpfobj.h - the kernel's eBPF objects, read through bpf(2)'s read-only
 * calls only: the ID walk (BPF_*_GET_NEXT_ID), an fd by ID
 * (BPF_*_GET_FD_BY_ID, read-only where the kernel allows), a pinned path
 * (BPF_OBJ_GET with BPF_F_RDONLY), BPF_OBJ_GET_INFO_BY_FD and
 * BPF_PROG_QUERY. Nothing is
 * loaded, attached, pinned or changed. Every call needs CAP_SYS_ADMIN.
 *
 * The names of program, map, link and attach types are bpftool's (libbpf's
 * tables); a type newer than those is its number.
 */
#ifndef IRSNAP_BPFOBJ_H
#define IRSNAP_BPFOBJ_H

#include <stddef.h>
#include <stdint.h>

enum bpfobj_kind { BPFOBJ_PROG, BPFOBJ_MAP, BPFOBJ_LINK };

/* The next id after `start` into *ret: 0, -ENOENT at the end, or -errno. */
int bpfobj_next_id(enum bpfobj_kind k, uint32_t start, uint32_t *ret);
/* An fd (O_CLOEXEC) on object `id`, or -errno (-ENOENT: gone meanwhile). */
int bpfobj_fd_by_id(enum bpfobj_kind k, uint32_t id);
/* An fd on the object pinned at `path` (a bpffs file), or -errno. */
int bpfobj_fd_by_path(const char *path);
/* BPF_OBJ_GET_INFO_BY_FD into `info` (`*len` bytes, zeroed by the caller
 * except for the pointers it wants filled); *len becomes what the kernel
 * wrote. 0 or -errno. */
int bpfobj_info(int fd, void *info, uint32_t *len);

/* BPF_PROG_QUERY: the programs attached to target_fd (a cgroup's folder)
 * for attach type `type`, without the inherited ones: up to *n ids into
 * ids, each one's flags into flags (0 where the kernel gives only the
 * attachment's, *attach_flags). *n becomes the number attached, which
 * may exceed the room. 0 or -errno (EINVAL: not a type of that target). */
int bpfobj_query(int target_fd, unsigned type, uint32_t *attach_flags, uint32_t *ids,
		 uint32_t *flags, uint32_t *n);

/* bpftool's names; NULL when the number is newer than the table. */
const char *bpfobj_prog_type(unsigned t);
const char *bpfobj_map_type(unsigned t);
const char *bpfobj_link_type(unsigned t);
const char *bpfobj_attach_type(unsigned t);

#endif
