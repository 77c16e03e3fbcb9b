/*
 * fdwalk.h - the one walk of every process's fd table in a run.
 *
 * Two sources need /proc/<pid>/fd: sockets (which process owns which socket
 * inode) and processes (open-files.jsonl, the lsof equivalent). The walk
 * happens once, in the first of them to run (sockets, the most volatile),
 * kept in the run's snapshot (snapshot.h), and both use its result: fd records (target, type, stat, fdinfo) ready
 * for open-files.jsonl, socket owners sorted by inode, the comm of each
 * process that owns a socket (read once per process, not per socket), and
 * the pids whose fd table could not be read, with why. The walk runs on the
 * threads of pscan.h: each chunk of processes fills an fd_part, and the
 * parts are merged in pid order (fdwalk_merge), then sorted (fdwalk_finish).
 */
#ifndef IRSNAP_FDWALK_H
#define IRSNAP_FDWALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capbuf.h"
#include "zbuf.h"

struct spool {
	struct capbuf buf;
	struct zbuf z;
	/* if set, flushed bytes go here instead of into z (spool_stream()) */
	int (*sink)(void *ctx, const void *p, size_t n);
	void *sink_ctx;
	int sink_err;            /* the sink's first error, sticky */
};

struct fd_owner {
	uint64_t inode;
	int pid, fd;
};

struct fd_failure {
	int pid, err;
};

struct fd_gone {              /* an fd on a regular file with no name left (nlink 0) */
	int pid, fd;
	uint64_t dev, ino, size;
};

struct fd_bpf {               /* an fd on a bpf program, map or link (src_bpf.c) */
	int pid, fd;
	uint32_t id;                 /* prog_id, map_id or link_id of its fdinfo */
	char kind;                   /* 'p', 'm' or 'l' */
};

struct fd_pend {              /* an fd the core walk left to the details */
	int pid, fd;
	char *link;                  /* its link as the core read it */
	size_t len;
};

struct fd_comm {              /* the comm of a process that owns sockets */
	int pid;
	unsigned len, exe_len;
	char comm[64];            /* exact bytes from /proc/<pid>/comm, no newline */
	char exe[192];            /* its exe link's head (exe_len 0: unreadable) */
};

/* What walking some processes found: one per chunk of processes when the
 * walk runs on several threads (pscan.h), merged in order into the table. */
struct fd_part {
	struct capbuf records;        /* JSON Lines, one per fd */
	struct fd_owner *own;         /* socket inode -> (pid, fd) */
	size_t nown, aown;
	struct fd_failure *fail;
	size_t nfail, afail;
	struct fd_comm *comm;
	size_t ncomm, acomm;
	struct fd_gone *gone;
	size_t ngone, agone;
	struct fd_bpf *bpf;
	size_t nbpf, abpf;
	struct fd_pend *pend;
	size_t npend, apend;
	unsigned nfds;
};

struct fd_table {
	struct spool records;         /* JSON Lines, one per fd (spool.h) */
	struct fd_owner *own;         /* socket inode -> (pid, fd), sorted */
	size_t nown;
	struct fd_failure *fail;
	size_t nfail;
	struct fd_comm *comm;         /* sorted by pid */
	size_t ncomm;
	struct fd_gone *gone;         /* in walk order (pid order) */
	size_t ngone;
	struct fd_bpf *bpf;           /* in walk order (pid order) */
	size_t nbpf;
	struct fd_pend *pend;         /* in walk order (pid order) */
	size_t npend;
	unsigned nfds;
	struct fd_part acc;           /* merged parts, before fdwalk_finish */
	bool done;                    /* the walk is complete: reuse it */
};

void fdwalk_init(struct fd_table *t);
void fdpart_init(struct fd_part *p);
void fdpart_free(struct fd_part *p);
/* Walk one process's fds through its /proc/<pid> directory fd (the core):
 * every link; sockets and pipes recorded; every other fd pending. */
int fdwalk_pid(struct fd_part *p, int pdir, int pid);
/* The pending fds of pid (n of them, NULL when none). */
const struct fd_pend *fdwalk_pending(const struct fd_table *t, int pid, size_t *n);
/* Their records, into p (fd_details.c): read now through pdir, or with
 * `why` (not NULL) only the core's link and why nothing more was read. */
void fdwalk_details(struct fd_part *p, int pdir, const struct fd_pend *v, size_t n,
		    const char *why);
/* fd_details.c, for the walk: a bpf object's id from its fdinfo, noted. */
void fd_note_bpf(struct fd_part *t, int pdir, const char *fdname, const char *link, size_t len,
		 int pid, int fd);
/* The type fields of a link ("socket:[1]": socket, socket_inode 1). */
struct jw;
void fd_classify(struct jw *w, const char *link, size_t len);
bool fd_has_prefix(const char *s, size_t n, const char *pre);
/* Move a part's records, owners and failures into the table (in order). */
void fdwalk_merge(struct fd_table *t, struct fd_part *p);
/* Sort the owners; mark the walk done. Again after the details merged
 * their parts: the deleted files and bpf holders they noted. */
void fdwalk_finish(struct fd_table *t);
/* The owners of a socket inode: index of the first and the count. */
size_t fdwalk_owners(const struct fd_table *t, uint64_t inode, size_t *ret_first);
/* The comm read when a socket owner's fds were walked (one read per
 * process, not per socket), or NULL. */
const struct fd_comm *fdwalk_comm(const struct fd_table *t, int pid);
/* -errno if this pid's fd table could not be read, else 0. */
int fdwalk_failed(const struct fd_table *t, int pid);
void fdwalk_free(struct fd_table *t);

#endif
