/*
 * packages_int.h - what the packages source's files share (src_packages.c,
 * src_unowned.c).
 */
#ifndef IRSNAP_PACKAGES_INT_H
#define IRSNAP_PACKAGES_INT_H

#include <stdbool.h>

#include "capbuf.h"
#include "run.h"
#include "spool.h"
#include "strset.h"

#define DPKG_DIR "/var/lib/dpkg"
#define HASH_CAP (4ull << 30)

struct pkgs {
	struct run *r;
	const char *root;          /* "" (the live system) or the profile's packages-root */
	bool all;
	bool alias[6];             /* /bin, /sbin, /lib, /lib32, /lib64, /libx32 -> usr/ */
	struct capbuf out;         /* packages.jsonl */
	struct spool ver;          /* package-verify.jsonl */
	struct strset owned;       /* every path a package lists (aliases resolved) */
	struct diversion {         /* dpkg-divert's: `from` of packages but `by` is at `to` */
		char *from, *to, *by;
	} *div;
	size_t ndiv;
	const char *why;           /* the next mismatch record's error, if any */
	unsigned long long files, checked, bad, skipped_time, conffiles, unowned;
	long packages, with_files, bad_names;
};

/* bin, sbin, lib*, libexec, under / or /usr (the modules tree is in lib). */
bool pkgs_system_dir(const char *path);
/* Why a packaged path is not looked at: a '..' component (it could leave
 * the root), or NULL. */
const char *pkgs_unsafe_path(const char *path);
/* The rpm database under the root, if there is one (src_rpm.c). */
void rpm_packages(struct pkgs *k);
/* Which of /bin, /sbin, /lib* are links to usr/<the same> (usr-merge). */
void pkgs_find_aliases(struct pkgs *k);
/* The path to read for a packaged path: the root's /usr/x for /x under an
 * alias, else the root's /x; false when that does not fit in out. */
bool pkgs_on_disk(const struct pkgs *k, const char *path, char *out, size_t size);
/* Regular executables in the bin and sbin folders no package lists, into
 * k->ver as records of kind "unowned" (src_unowned.c). */
void unowned_executables(struct pkgs *k);

#endif
