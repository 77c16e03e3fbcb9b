/*
 * snapshot.h - what several sources share of one instant of the host, in
 * one place, instead of notes one source leaves in `struct run` for the
 * next. No source depends on which step ran before it:
 *
 *  - the fd table (fdwalk.h): walked once per run, by whichever of the
 *    sockets and processes steps runs first (each walks the fds while it
 *    reads every process anyway: snapshot_fds_walked() says whether that is
 *    still to do); both read owners and records from it;
 *  - the session leaders on a terminal (pid == sid, tty != 0): set by the
 *    processes step from its table, or read on first use by whoever asks;
 *  - the process table read ahead: the plan, which knows the order, says
 *    when the next step reads the process table (snapshot_want_table());
 *    a step that is about to leave a core idle says so
 *    (snapshot_idle_core()), and only then, if the plan wants it, the table
 *    is read on that core; snapshot_take_table() gives it, or reads it now.
 *
 *  - the core (issue 19): what changes from one moment to the next and
 *    must be read together, read first, for every volatile source of the
 *    profile, in one window on all threads (the plan's core phase,
 *    source.h's `core`): the socket tables of every network namespace,
 *    the process table (pid, ppid, state, start time, times), each
 *    process's exe link and fd links (the socket <-> owner map). The
 *    volatile steps then read the details and check them against it by
 *    the start time. core_first and core_last bound the window (the skew).
 *
 * Owned by the run (run.h); snapshot_free() releases everything, a table
 * read ahead and never taken included.
 */
#ifndef IRSNAP_SNAPSHOT_H
#define IRSNAP_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>

#include "fdwalk.h"
#include "proctable.h"

struct session_leader {
	int pid, tty;
};

/* A network namespace the core walk saw, and a process inside it. */
struct core_ns {
	uint64_t inode;
	int pid;
};

/* A process's exe link as the core read it (err: the readlink's -errno). */
struct core_exe {
	int pid, err;
	char *link;
	size_t len;
};

struct snapshot {
	struct fd_table fds;
	struct session_leader *leaders;
	size_t nleaders;
	bool leaders_known;
	struct proctable_prefetch *table_ahead;
	bool table_wanted;
	/* the core */
	bool core_walked;                 /* core_walk() ran: netns and exes */
	struct core_ns *netns;
	size_t nnetns;
	struct core_exe *exes;            /* sorted by pid */
	size_t nexes;
	void *sockets;                    /* the socket tables (src_net.c) */
	void (*sockets_free)(void *);
	bool table_in_core;               /* the core read the process table */
	int core_table_err;
	struct proctable core_table;
	double core_first, core_last;     /* run_elapsed(); < 0: no core */
};

void snapshot_init(struct snapshot *s);
void snapshot_free(struct snapshot *s);

/* The fd table; whether it is still to be walked. */
struct fd_table *snapshot_fds(struct snapshot *s);
bool snapshot_fds_walked(const struct snapshot *s);

/* The plan: whether the next step reads the process table. */
void snapshot_want_table(struct snapshot *s, bool want);
/* A source: it leaves a core idle from here on. */
void snapshot_idle_core(struct snapshot *s);
/* The process table, read in the core, ahead, or now (proctable.h); 0 or
 * -errno. */
int snapshot_take_table(struct snapshot *s, struct proctable *ret);
/* The core phase's end: the process table read ahead (or now) becomes the
 * core's, for snapshot_take_table(). */
void snapshot_core_table(struct snapshot *s);

/* The exe link the core read for pid, or NULL. */
const struct core_exe *snapshot_core_exe(const struct snapshot *s, int pid);

/* Session leaders: set from a process table, or read on first use. */
void snapshot_set_leaders(struct snapshot *s, const struct proctable *t);
const struct session_leader *snapshot_leaders(struct snapshot *s, size_t *ret_n);

#endif
