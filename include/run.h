/*
 * run.h - the run context of one collection, and the artifact record.
 *
 * One `struct run` is created by the collect command and passed explicitly
 * to every source; there is no other mutable state. It holds the options,
 * the clocks read at start, the bundle, the work log (acquisition.log) and
 * the index (index.jsonl) being built, and the counters for run.json.
 *
 * Every attempt to collect something is an artifact: a source calls
 * artifact_begin(), fills in what happened, and calls artifact_end(), which
 * appends the index line, writes the work-log line and counts it. Status is
 * graded as in libarchive: ok, partial (truncated or changed while read),
 * vanished (the process or file went away), error (with errno and message).
 *
 * The work log has one line per action:
 *   <RFC 3339 UTC>  +<seconds since start, monotonic>  <message>
 * Messages are escaped with text_escape() where they quote host bytes.
 */
#ifndef IRSNAP_RUN_H
#define IRSNAP_RUN_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

#include "sha256.h"
#include "capbuf.h"
#include "strset.h"
#include "fdwalk.h"
#include "snapshot.h"
#include "jsonx.h"
#include "zbuf.h"

struct bundle;                  /* bundle.h: only run/ and bundle/ see it */

struct options {
	const char *output;          /* path, or "-" for stdout */
	const char *case_id, *examiner, *note;
	const char *key_path;        /* NULL: ephemeral key */
	const char *profile;         /* NULL: triage */
	const char **files;          /* --file paths, in order given */
	size_t nfiles;
	bool allow_host_output;
	bool stats;                  /* --stats: per-step timings on stderr */
	unsigned threads;            /* --threads: 0 = the CPUs, at most 4 */
	unsigned budget;             /* --budget SECONDS: 0 = the profile's */
	const char *root;            /* --root DIR: a target's disk read as "/" */
	int speech;                  /* 0: by stderr's kind; --quiet, --verbose: */
#define SPEECH_QUIET 1
#define SPEECH_VERBOSE 2
	const char *compress;        /* --compress: "zstd", "gzip", or NULL */
	unsigned char (*age)[32];    /* --encrypt-to: X25519 recipients */
	size_t nage;
	int argc;
	char **argv;
};

struct clocks {
	struct timespec realtime, monotonic, boottime;
};

struct hostid {
	char hostname[256];
	char machine_id[64];
	char boot_id[64];
	char sysname[65], release[65], version[65], machine[65];
};

struct step_timing {
	size_t index;                  /* in the profile */
	double start, end;             /* seconds since the start of the run */
};

struct run {
	const struct options *opt;
	unsigned threads;              /* for the scans (pscan.h): --threads or the CPUs */
	struct clocks start, end;
	struct hostid host;
	char id[320];                  /* bundle folder name */
	struct bundle *bundle;
	struct capbuf worklog;
	struct zbuf index;             /* index.jsonl, kept compressed (zbuf.h) */
	unsigned artifacts, failed, truncated;
	unsigned skipped_steps;        /* steps skipped by the time budget */
	unsigned budget_seconds;       /* the profile's time budget, 0 for none */
	/* the bytes of process images (deleted or masked executables) the
	 * bundle may hold, all together; what they took, and the ones left out */
	uint64_t images_total, images_used;
	/* the findings (findings.h): the persistence window, the checks' time */
	unsigned findings_window_days;
	double findings_seconds;
	/* the packages sources' root: NULL, the live system (the profile's
	 * packages-root, for a mounted image or a test root) */
	const char *packages_root;         /* 0: no findings made */
	unsigned images_skipped;
	/* and the time reading them may take, all together (ns; any thread) */
	uint64_t images_ns_budget, images_ns_used;
	unsigned images_time_skipped;
	/* records cut inside members (a member may be whole and hold them) */
	unsigned cut_cmdline, cut_environ, cut_exe_hash;
	bool budget_spent;             /* it ran out: the step under way stopped */
	/* the host's own view of /proc (isolate.h), beside the private one the
	 * sources read: -1 when there is none apart */
	int host_procfd;
	const char *host_proc_mounts;  /* host mountinfo lines on or under /proc */
	/* the host's /proc/self/mountinfo and /proc/mounts, read before irsnap
	 * moved to its own namespace; NULL when it did not */
	const char *host_mountinfo, *host_mounts;
	bool host_mountinfo_cut, host_mounts_cut;   /* they hit their cap */
	/* work a volatile step leaves for after the volatile snapshot (checks
	 * that need not widen its skew): run by the plan once the last volatile
	 * step is archived, then cleared */
	int (*after_volatile)(struct run *r);
	/* its reading part, if it has one: run on a thread of its own while the
	 * volatile members are archived (a core the archiving leaves idle),
	 * its result in after_volatile_data for after_volatile to emit */
	void *(*after_volatile_read)(struct run *r);
	void *after_volatile_data;
	const char *profile;           /* the profile's name */
	volatile sig_atomic_t *stop;   /* nonzero: a signal asked us to stop */
	bool interrupted;              /* the stop was seen and obeyed */
	struct progress *prog;         /* what the responder sees (progress.h) */
	/* how the run ended early (run.json's `stopped`): the step under way
	 * when the stop was seen (-1: none), and the steps never begun */
	long stopped_in_step;
	char stopped_in[1100];
	size_t skipped_first, skipped_n;
	struct snapshot snap;          /* what sources share of one instant (snapshot.h) */
	/* while the volatile steps run, their spooled members wait here and
	 * are archived after the last of them (spool.h): reads first */
	bool defer_spools;
	struct deferred_spool *deferred;
	size_t ndeferred, adeferred;
	struct step_timing *timings;   /* per step, for --stats */
	size_t ntimings, maxtimings;
	double volatile_first, volatile_last;   /* the volatile snapshot's span */
	/* the file system the bundle is written to, when it is not the root's
	 * (the responder's media): a timeline does not list it; 0: none */
	uint64_t output_dev;
	uint64_t output_fs_dev;        /* st_dev of the output file, 0 for a pipe */
	uint64_t unreadable_bytes;     /* disk steps: sectors that never read (zeroed) */
	/* collect --root DIR (rootmode.h): run.json's target_root, and the
	 * steps skipped there because they read the running system */
	json_t *target_root;
	unsigned root_skipped;
	bool output_dev_logged;
	/* host paths recorded without a member (a link, a FIFO): a path two
	 * steps name is indexed once */
	struct strset noted;
	/* "tree\t<folder>" of each tree or list root walked, its links of
	 * root's resolved: merged /usr's /lib/systemd/system is the folder
	 * /usr/lib/systemd/system, walked once */
	struct strset walked_roots;
};

enum art_status { ART_OK, ART_PARTIAL, ART_VANISHED, ART_ERROR, ART_STATUSES };

struct artifact {
	const char *step;              /* the source's name */
	const char *kind;              /* "file", "proc", "generated", "symlink"... */
	const char *source;            /* host path bytes, or NULL */
	char *member;                  /* owned; NULL when nothing was archived */
	struct timespec started, finished;
	uint64_t bytes;
	char sha256[SHA256_HEX_LEN];
	enum art_status status;
	int err;                       /* errno of the first failure, or 0 */
	char message[512];
	bool truncated;
	uint64_t original_size;        /* meaningful when truncated */
	bool has_stat;
	struct statx st;
	int noatime;                   /* 1 read with O_NOATIME, 0 refused, -1 n/a */
	char *link_target;             /* owned; for kind "symlink" */
	size_t link_len;
	json_t *extra;                 /* owned; more fields for the index line */
};

/* run_log() and run_should_stop() may be called from any thread; host
 * bytes in a message go through shown() (textutil.h). */
void run_log(struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The three clocks, read back to back, and as run.json and host.json write
 * them ({realtime (RFC 3339), monotonic, boottime (seconds.nanoseconds)}). */
void clocks_read(struct clocks *c);
json_t *clocks_json(const struct clocks *c);
/* The boot's realtime in nanoseconds, once for the run, from its start
 * clocks (realtime - boottime): what /proc's start ticks count from. */
int64_t run_boot_ns(const struct run *r);
/* Seconds since the start of the run (monotonic). */
double run_elapsed(const struct run *r);
bool run_should_stop(struct run *r);
/* The process images' time (profile `images SIZE SECONDS`): whether some is
 * left (else the image is counted as left out), and the time a read of one
 * took, from its start (CLOCK_MONOTONIC ns, images_clock()). Any thread. */
bool images_time_left(struct run *r);
uint64_t images_clock(void);
void images_time_spend(struct run *r, uint64_t since);
/* Whether the output has failed (bundle_dead(), for code that does not see
 * the bundle): a source stops on it and goes on after any other error. */
bool run_bundle_dead(const struct run *r);

void artifact_begin(struct run *r, struct artifact *a, const char *step,
		    const char *kind, const char *source);
/* Record a failure: status becomes `st`, err and message are kept (the
 * first error wins; later ones are appended to the message). */
void artifact_fail(struct artifact *a, enum art_status st, int err,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void artifact_end(struct run *r, struct artifact *a);
/* A source that cannot read what it exists for (no /proc, no process
 * table): an error artifact (nothing archived), so that the run cannot end
 * "complete"; the work log says it too. */
void run_source_failed(struct run *r, const char *step, const char *source, int err,
		       const char *what);

/* Archive a generated member (a record file or text view) as an artifact of
 * kind "generated". `buf` holds the bytes; a truncated buffer is recorded
 * as such. Returns 0, or the bundle's fatal error. */
int run_emit(struct run *r, const char *step, const char *member,
	     const struct capbuf *buf);
/* Whether the bundle already holds a member of that name. */
bool run_has_member(const struct run *r, const char *member);
/* The same for the bytes of a /proc file read into `buf` (kind "proc",
 * with its source path): a raw copy of what a parsed view was made from. */
int run_emit_copy(struct run *r, const char *step, const char *member, const char *source,
		  const struct capbuf *buf);

#endif
