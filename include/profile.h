/*
 * profile.h - collection profiles: what `collect` does, in which order,
 * with which caps. A small line-oriented format (manifests/README.md):
 *
 *   # comment
 *   profile NAME
 *   step SOURCE                      a built-in source (see `irsnap list`)
 *   copy PATH [max-file SIZE]        one host file, raw, under fs/
 *   tree PATH [max-file SIZE] [max-total SIZE] [max-depth N]
 *                                    every regular file under PATH, raw
 *   list PATH [copy-exec SIZE] [max-depth N]
 *                                    metadata of everything under PATH
 *                                    (JSON Lines); executables and scripts
 *                                    copied up to SIZE each
 *   timeline PATH [hash-exec] [max-depth N]
 *                                    Sleuth Kit bodyfile lines for
 *                                    everything under PATH; with hash-exec,
 *                                    SHA-256 of executables in bin, sbin and
 *                                    libexec directories in the hash column
 *   disk PATH                        a block device or image file, whole,
 *                                    under disk/ (disk.h)
 *   budget SECONDS                   after this long, the step under way stops
 *                                    and the later steps are skipped
 *                                    (and recorded as skipped)
 *
 * SIZE takes K, M or G. PATH is absolute. profile_parse() reports the first
 * error as "<file>: line N: <reason>" and nothing is collected.
 */
#ifndef IRSNAP_PROFILE_H
#define IRSNAP_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DEFAULT_MAX_TOTAL (1ull << 30)
#define DEFAULT_IMAGES_TOTAL (1ull << 30) /* deleted or masked executables, all together */
#define DEFAULT_IMAGES_SECONDS 60   /* tree and list copy-exec, when none given */

enum step_kind { STEP_SOURCE, STEP_COPY, STEP_TREE, STEP_LIST, STEP_TIMELINE, STEP_DISK, STEP_KINDS };

struct step {
	enum step_kind kind;
	char *arg;                 /* source name or path */
	uint64_t max_file, max_total;
	unsigned max_depth;
	bool hash_exec;
	bool hash_code;            /* timeline: every executable, library, module */
	unsigned line;             /* in the profile, for messages */
};

struct profile {
	char *name;
	char *origin;              /* "built-in triage" or the file path */
	struct step *steps;
	size_t nsteps;
	unsigned budget_seconds;   /* 0: none */
	unsigned fs_deadline_ms;   /* 0: FSGUARD_DEFAULT_MS (fsguard.h) */
	uint64_t images_total;     /* bytes of process images copied, 0: DEFAULT_IMAGES_TOTAL */
	unsigned images_ms;        /* and the time reading them, 0: DEFAULT_IMAGES_SECONDS */
	unsigned findings_window_days;   /* persistence changed this recently (findings.h) */
	char *packages_root;       /* packages-root DIR: the package databases under DIR */
};

/* Parse profile text. On error returns -EINVAL with `err` filled. */
int profile_parse(const char *text, size_t len, const char *origin, struct profile *ret,
		  char *err, size_t errlen);
/* NAME (triage, full, minimal: compiled in) or a FILE path. */
int profile_load(const char *name_or_path, struct profile *ret, char *err, size_t errlen);
void profile_free(struct profile *p);
/* The text of a compiled-in profile, or NULL. */
const char *profile_builtin(const char *name);

#endif
