/*
 * procsrc.h - shared state of the process source (src_procs.c and its
 * helpers proc_fields.c, exe.c, exe_guard.c, threads.c, maps.c, images.c,
 * open_deleted.c, errlist.c, proc_view.c; the fd walk is fdwalk.h's). Not a public API: one source's internals
 * split across files to keep each small.
 */
#ifndef IRSNAP_PROCSRC_H
#define IRSNAP_PROCSRC_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "accounts.h"
#include "capbuf.h"
#include "fdwalk.h"
#include "jsonx.h"
#include "proctable.h"
#include "run.h"
#include "spool.h"
#include "zbuf.h"

#define CMDLINE_CAP (1u << 20)        /* bytes of argv kept per process */
#define ENVIRON_CAP (4u << 20)        /* bytes of environment per process */
#define STATUS_CAP (64u << 10)
#define CGROUP_CAP (64u << 10)
#define MAPS_CAP (16u << 20)
#define FDINFO_CAP (64u << 10)
#define EXE_HASH_CAP (1ull << 30)     /* hash at most 1 GiB of an executable */
#define DELETED_EXE_CAP (256ull << 20)
#define RECORDS_CAP (512u << 20)      /* per generated JSON Lines member */
#define IMAGES_TIME_SPENT "not read: the process images' time is spent (profile 'images')"

struct exe_hash {
	uint64_t dev, ino;
	char sha256[65];
	uint64_t bytes;
	int truncated;
	int state;                        /* EXE_* */
	int err;                          /* EXE_FAILED: why (-errno) */
};

enum { EXE_DONE, EXE_HASHING, EXE_FAILED };

struct view_row {                     /* one line of processes.txt */
	int pid, ppid;
	unsigned uid;
	char tty[32], state;
	unsigned long long start_ticks, cpu_ticks;
	char *cmd;                        /* escaped, owned */
	int status;                       /* enum art_status */
	bool kthread;                     /* by stat's flags */
	unsigned marks;                   /* VIEW_*: what the text view flags */
};
#define VIEW_EXE_DELETED 1u
#define VIEW_EXE_MEMFD 2u
#define VIEW_EXE_TEMP 4u              /* /tmp, /var/tmp, /dev/shm, a tmpfs */
#define VIEW_EXE_MASKED 8u            /* its path names another file */

/* What one chunk of processes produced (pscan.h), merged in pid order. */
struct pchunk {
	struct capbuf procs, threads, environ, maps;   /* JSON Lines */
	struct fd_part fds;               /* when this step walks the fds */
	/* the same, compressed on the chunk's thread (spool_pack) */
	struct zbuf zprocs, zthreads, zenviron, zmaps, zfds;
	struct view_row *rows;
	size_t nrows, arows;
	unsigned nvanished, npartial;
	unsigned cut_cmdline, cut_environ;  /* records cut at their cap */
	size_t nitems;                    /* processes read into it */
};

struct procs {
	struct run *r;
	int procfd;
	uint64_t proc_mnt_id;             /* the mount /proc is (0: unknown) */
	long hz;
	int64_t boot_ns;                  /* realtime of boot, from the clocks */
	struct accounts acc;
	const struct proctable *table;
	size_t nmerged;                   /* processes whose chunks were merged */
	struct spool procs, threads, environ;   /* JSON Lines, spilled (spool.h) */
	/* shared by the scanning threads, under `mu`: the executables seen
	 * (hashed once per dev/ino; others wait on `cv` while one hashes) and
	 * the bundle, which only a deleted executable's copy writes meanwhile */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct exe_hash *exes;
	size_t nexes, exes_alloc;
	int err;                          /* an output error: stop scanning */
	unsigned cut_exe;                 /* records whose exe hash hit its cap (under mu) */
	struct kept_image { uint64_t dev, ino; } *kept;   /* mapped images copied (under mu) */
	size_t nkept, akept;
	struct view_row *rows;
	size_t nrows;
	unsigned nvanished, npartial;
	unsigned cut_cmdline, cut_environ;  /* records cut at their cap */
};

/* What could not be read for one process: the items of its "errors" JSON
 * array ("what: ERRNO" strings), and how many. */
struct errlist {
	struct capbuf cb;
	unsigned n;
};

/* maps.c: one record per mapped file of a process into `out`;
 * problems are added to `errs`. The fds themselves are walked by fdwalk.h,
 * once per run. */
void proc_collect_maps(struct capbuf *out, int dirfd, int pid, struct errlist *errs);
/* images.c: the bytes of executable mappings whose file is deleted or a
 * memfd (mapped_images in the record), when the maps records hint at one */
struct jw;
/* proc_fields.c: args_moved/args_layout when argv is not where execve put it */
struct proc_stat;
void mm_args_tell(struct jw *o, const struct proc_stat *st);
/* proc_fields.c: the records cut at their cap, into the run's counts */
void procs_count_cut(struct procs *p);
/* open_deleted.c: the bytes of files open but deleted (and memfds), after
 * the walk: volatile/deleted-open.jsonl and volatile/deleted-open/ */
int keep_open_deleted(struct procs *p, const struct fd_table *t);
bool images_hinted(const char *records, size_t len);
struct stat;
bool images_fit(struct run *r, const struct stat *st, uint64_t *cap, char *why, size_t n);
void keep_mapped_images(struct procs *p, int dirfd, int pid, struct jw *o, struct errlist *errs);
/* Its two ways, for the tests: from the maps text (through the /proc/<pid>
 * dirfd), and by PROCMAP_QUERY on an open maps fd (0, or -ENOTTY when the
 * kernel lacks it: nothing was written). Same records for the same maps. */
void proc_maps_text(struct capbuf *out, int dirfd, int pid, struct errlist *errs);
int proc_maps_query(struct capbuf *out, int mapsfd, int pid, struct errlist *errs);

struct jw;

/* proc_fields.c: the fields of a process record read through its dirfd */
void set_nul_list(struct jw *w, const char *key, const char *buf, size_t len);
/* read `name` up to cb's cap, *ret_total the whole size (-E2BIG when cut) */
/* What a capped read keeps beyond the cap: the last TAIL_MAX bytes (an
 * argv's end is where a long one hides its payload), where they start in
 * the whole, and whether the count stopped at the drain limit (then the
 * size is a lower bound). */
#define TAIL_MAX (64u << 10)
struct capped_tail {
	char buf[2 * TAIL_MAX];
	size_t len;
	uint64_t offset;
	bool at_least;
};
int read_capped(int dirfd, const char *name, struct capbuf *cb, uint64_t *ret_total,
		struct capped_tail *tail);
/* cmdline_tail / environ_tail and friends, when the read was cut. */
void set_tail(struct jw *o, const char *prefix, const struct capped_tail *t);
void set_link(int dirfd, const char *name, struct jw *o, const char *key,
	      struct errlist *errs);
void set_namespaces(int dirfd, struct jw *o);
bool status_ids(const char *text, const char *key, unsigned v[4]);
void set_status(struct procs *p, const struct capbuf *cb, struct jw *o);
void set_ids(struct procs *p, struct jw *o, const char *key, const unsigned v[4],
	     bool user);

int set_cmdline(int dirfd, struct jw *o, struct capbuf *cmd, struct errlist *errs);
void set_cgroup(int dirfd, struct jw *o, struct errlist *errs);
/* the environ.jsonl record of a process; the copy is wiped before it is freed */
struct proc_entry;
void environ_record(struct pchunk *c, const struct proc_entry *e, int dirfd, bool kthread,
		    struct errlist *errs);

/* exe.c: exe, exe_deleted, exe_sha256 (hashed once per dev/ino, shared by
 * the threads under p->mu) and the copy of a deleted executable */
int collect_exe(struct procs *p, int dirfd, int pid, struct jw *o, struct errlist *errs,
		unsigned *marks);
/* exe_guard.c: the same for an exe on a file system that answers through a
 * server (fsguard.h), under the deadline; and the lookup of an exe's path
 * in a namespace where such a file system is mounted (exe_path_names). */
struct fs_where;
/* (dev, ino) among the executables seen, or claimed for the caller to hash
 * (*mine; others wait on p->cv). Called with p->mu held; SIZE_MAX: no memory. */
size_t exe_claim(struct procs *p, uint64_t dev, uint64_t ino, bool *mine);
int collect_exe_guarded(struct procs *p, int dirfd, int pid, const char *link, size_t len,
			bool says_deleted, const struct fs_where *w, struct jw *o,
			struct errlist *errs);
bool path_names_other_guarded(struct procs *p, int dirfd, int pid, const char *link,
			      const struct stat *run, struct jw *o);
/* {dev, ino, size, mtime, nlink} of a file under `key` */
struct stat;
void exe_identity_json(struct jw *o, const char *key, const struct stat *st);
/* stat of an absolute path inside the process's own root (its /proc folder
 * `dirfd`): "root" + path in one walk. 0 or -errno. */
int stat_in_root(int dirfd, const char *path, struct stat *st);

/* threads.c: the tasks of a process into `out` (threads.jsonl records) */
void jw_ticks(struct procs *p, struct jw *w, unsigned long long ticks);
void collect_threads(struct procs *p, int dirfd, int tgid, int nlwp,
		     struct capbuf *out, struct errlist *errs);

/* proc_view.c: processes.txt in the shape of `ps -ef` with a tree. */
int proc_view(struct procs *p, struct capbuf *out);
/* The escaped command for the text view: argv joined, or [comm] (malloc'd). */
char *view_cmd(const char *cmd, size_t len, const char *comm, size_t comm_len);
/* A row of the text view for e, taking cmd; its marks, or NULL. */
unsigned *add_row(struct pchunk *c, const struct proc_entry *e, char *cmd, int status,
		  unsigned euid);
/* volatile/proc-views.jsonl: the host's /proc against the private one
 * (procviews.c); nothing when there is one view only. */
int proc_views(struct run *r);
void *proc_views_read(struct run *r);
/* errlist.c: add "what: ERRNONAME" to an error list. */
void proc_err(struct errlist *errs, const char *what, int err);

#endif
