/*
 * procsrc.h - shared state of the process source (src_procs.c and its
 * helpers proc_fds.c and proc_view.c). Not a public API: one source's
 * internals split across files to keep each small.
 */
#ifndef IRSNAP_PROCSRC_H
#define IRSNAP_PROCSRC_H

#include <stdint.h>

#include "accounts.h"
#include "capbuf.h"
#include "jsonx.h"
#include "proctable.h"
#include "run.h"
#include "spool.h"

#define CMDLINE_CAP (1u << 20)        /* bytes of argv kept per process */
#define ENVIRON_CAP (4u << 20)        /* bytes of environment per process */
#define STATUS_CAP (64u << 10)
#define CGROUP_CAP (64u << 10)
#define MAPS_CAP (16u << 20)
#define FDINFO_CAP (64u << 10)
#define EXE_HASH_CAP (1ull << 30)     /* hash at most 1 GiB of an executable */
#define DELETED_EXE_CAP (256ull << 20)
#define RECORDS_CAP (512u << 20)      /* per generated JSON Lines member */

struct exe_hash {
	uint64_t dev, ino;
	char sha256[65];
	uint64_t bytes;
	int truncated;
};

struct view_row {                     /* one line of processes.txt */
	int pid, ppid;
	unsigned uid;
	char tty[32], state;
	unsigned long long start_ticks, cpu_ticks;
	char *cmd;                        /* escaped, owned */
	int status;                       /* enum art_status */
};

struct procs {
	struct run *r;
	int procfd;
	long hz;
	int64_t boot_ns;                  /* realtime of boot, from the clocks */
	struct accounts acc;
	struct spool procs, threads, environ;   /* JSON Lines, spilled (spool.h) */
	struct exe_hash *exes;
	size_t nexes, exes_alloc;
	struct view_row *rows;
	size_t nrows;
	unsigned nvanished, npartial;
};

/* proc_fds.c: one record per mapped file of a process into p->files;
 * problems are appended to `errs` (a JSON array). The fds themselves are
 * walked by fdwalk.h, once per run. */
void proc_collect_maps(struct procs *p, int dirfd, int pid, json_t *errs);

/* proc_view.c: processes.txt in the shape of `ps -ef` with a tree. */
int proc_view(struct procs *p, struct capbuf *out);
/* Append "what: error" to an error list. */
void proc_err(json_t *errs, const char *what, int err);

#endif
