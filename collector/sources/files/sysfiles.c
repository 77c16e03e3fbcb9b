/*
 * sysfiles.c - the system-files step: raw copies under fs/ of the identity
 * and account files every later parser depends on.
 */
#include <stddef.h>

#include "copy.h"
#include "hostfile.h"
#include "source.h"
#include "banned.h"

#define SYSFILE_CAP (64ull << 20)     /* 64 MiB per system file */

/* The files every parser depends on: an absent one is an error. */
static const char *const sysfiles[] = {
	"/etc/passwd",
	"/etc/group",
	"/etc/hostname",
	"/etc/os-release",
	"/usr/lib/os-release",   /* where /etc/os-release usually points */
	"/etc/machine-id",
};

/* Copied in every profile for the findings (findings.h); absent is normal. */
static const char *const optional_files[] = {
	"/etc/ld.so.preload",   /* a library every program loads first */
};

int src_sysfiles_collect(struct run *r)
{
	for (size_t i = 0; i < sizeof(sysfiles) / sizeof(sysfiles[0]); i++) {
		if (run_should_stop(r))
			return 0;
		int ret = host_copy(r, "system-files", sysfiles[i], SYSFILE_CAP,
				    COPY_LENIENT);
		if (ret < 0)
			return ret;
	}
	for (size_t i = 0; i < sizeof(optional_files) / sizeof(optional_files[0]); i++) {
		if (run_should_stop(r))
			return 0;
		int ret = host_copy(r, "system-files", optional_files[i], SYSFILE_CAP,
				    COPY_OPTIONAL);
		if (ret < 0)
			return ret;
	}
	return 0;
}
