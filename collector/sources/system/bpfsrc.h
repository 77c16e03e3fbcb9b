/*
 * bpfsrc.h - what the bpf step's files share (src_bpf.c, bpf_pins.c).
 */
#ifndef IRSNAP_BPFSRC_H
#define IRSNAP_BPFSRC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
};

/* Every object pinned under the host's bpffs mounts, into b->pins. */
void bpf_find_pins(struct bstate *b);

#endif
