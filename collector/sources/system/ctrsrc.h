/*
 * ctrsrc.h - what the containers step's two halves share (private to
 * sources/system/): the containers seen in the process view
 * (src_containers.c), and the runtimes' state read into records
 * (ctr_state.c).
 */
#ifndef IRSNAP_CTRSRC_H
#define IRSNAP_CTRSRC_H

#include <stddef.h>

#include "capbuf.h"
#include "ctrid.h"
#include "run.h"

struct ctr_seen {
	char id[CTR_ID_LEN + 1];
	int first_pid, pid_inside;
	unsigned processes;
};

/* containers/containers.jsonl's records into `out`; the number written. */
unsigned ctr_state_records(struct run *r, struct capbuf *out, const struct ctr_seen *seen,
			   size_t nseen);

#endif
