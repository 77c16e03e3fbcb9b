/*
 * userfiles.c - the responder-files step: raw copies under fs/ of the files
 * the responder named with --file (anything but a regular file is an error).
 */
#include <stddef.h>

#include "copy.h"
#include "hostfile.h"
#include "source.h"
#include "banned.h"

#define USERFILE_CAP (4ull << 30)     /* 4 GiB per --file */

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
