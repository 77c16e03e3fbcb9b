/*
 * bpfsrc.h - what the bpf step's files share (src_bpf.c, bpf_pins.c).
 */
#ifndef IRSNAP_BPFSRC_H
#define IRSNAP_BPFSRC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capbuf.h"
#include "fdwalk.h"
#include "run.h"

struct pin {
	uint32_t id;
	char kind;
	char *path;
};

struct bstate {
	struct run *r;
	int procfd;
	int64_t real_minus_boot;           /* ns: CLOCK_REALTIME - CLOCK_BOOTTIME */
	struct pin *pins;
	size_t npins, apins;
	const struct fd_bpf *hold;
	size_t nhold;
	bool holders_known;
	size_t xlated_total;
	unsigned failed;
	/* bpf_cgroups: its member, the cgroup2 file systems walked */
	struct capbuf *cgout;
	uint64_t cgdevs[16];
	size_t ncgdevs, ncg;
};

struct mi_line;

/* Every object pinned under the host's bpffs mounts, into b->pins. */
void bpf_find_pins(struct bstate *b);
/* fn on each mount of type fstype in the host's mount table that is not
 * under a FUSE or network mount: dir is an fd on it (fn closes it), path
 * its mount point (PATH_MAX bytes of room, plen used; 0 for "/"). */
void bpf_each_mount(struct bstate *b, const char *fstype,
		    void (*fn)(struct bstate *, int dir, char *path, size_t plen, const struct mi_line *));
/* The programs attached to each cgroup of every cgroup2 mount, without a
 * link (BPF_PROG_ATTACH), into system/bpf/cgroups.jsonl: 0 or the
 * bundle's fatal error. */
int bpf_cgroups(struct bstate *b);

#endif
