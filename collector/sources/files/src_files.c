/*
 * src_files.c - raw copies of host files under fs/: the identity and account
 * files every later parser depends on, and the files the responder named
 * with --file.
 */
#include <stddef.h>

#include "copy.h"
#include "hostfile.h"
#include "source.h"
#include "banned.h"

#define SYSFILE_CAP (64ull << 20)     /* 64 MiB per system file */
#define USERFILE_CAP (4ull << 30)     /* 4 GiB per --file */

static const char *const sysfiles[] = {
	"/etc/passwd",
	"/etc/group",
	"/etc/hostname",
	"/etc/os-release",
	"/usr/lib/os-release",   /* where /etc/os-release usually points */
	"/etc/machine-id",
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
	return 0;
}

int src_userfiles_collect(struct run *r)
{
	for (size_t i = 0; i < r->opt->nfiles; i++) {
		if (run_should_stop(r))
			return 0;
		int ret = host_copy(r, "responder-files", r->opt->files[i], USERFILE_CAP,
				    COPY_STRICT);
		if (ret < 0)
			return ret;
	}
	return 0;
}
