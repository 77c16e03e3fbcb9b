/* hostfile.c - safe reads of host files (hostfile.h). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hostfile.h"
#include "textutil.h"
#include "banned.h"

#define LINK_MAX_BYTES 4096

int statx_fd(int fd, struct statx *st)
{
	if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_SYNC_AS_STAT,
		  STATX_BASIC_STATS | STATX_BTIME, st) < 0)
		return -errno;
	return 0;
}

int host_open(int dirfd, const char *path, int flags, int *ret_noatime,
	      struct statx *ret_st)
{
	struct statx pre, post;
	int oflags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY;
	int fd, noatime = 1;

	if (statx(dirfd, path, AT_SYMLINK_NOFOLLOW | AT_STATX_SYNC_AS_STAT,
		  STATX_BASIC_STATS | STATX_BTIME, &pre) < 0)
		return -errno;
	if (S_ISLNK(pre.stx_mode))
		return -ELOOP;
	if (S_ISDIR(pre.stx_mode)) {
		if (!(flags & HOST_DIR))
			return -EISDIR;
		oflags |= O_DIRECTORY;
	} else if (!S_ISREG(pre.stx_mode)) {
		return -EFTYPE_NOT_REGULAR;
	}

	fd = openat(dirfd, path, oflags | O_NOATIME);
	if (fd < 0 && errno == EPERM) {
		noatime = 0;
		fd = openat(dirfd, path, oflags);
	}
	if (fd < 0)
		return -errno;
	int r = statx_fd(fd, &post);
	if (r == 0 && (post.stx_ino != pre.stx_ino ||
		       post.stx_dev_major != pre.stx_dev_major ||
		       post.stx_dev_minor != pre.stx_dev_minor ||
		       (post.stx_mode & S_IFMT) != (pre.stx_mode & S_IFMT)))
		r = -ESTALE;
	if (r < 0) {
		close(fd);
		return r;
	}
	if (ret_noatime)
		*ret_noatime = noatime;
	if (ret_st)
		*ret_st = post;
	return fd;
}

DIR *host_opendir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NOATIME);
	if (fd < 0 && errno == EPERM)
		fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	DIR *d = fdopendir(fd);
	if (!d)
		close(fd);
	return d;
}

int host_readlink(int dirfd, const char *path, char **ret, size_t *ret_len)
{
	char *buf = malloc(LINK_MAX_BYTES + 1);
	ssize_t n;

	if (!buf)
		return -ENOMEM;
	n = readlinkat(dirfd, path, buf, LINK_MAX_BYTES);
	if (n < 0) {
		int e = errno;
		free(buf);
		return -e;
	}
	buf[n] = '\0';
	*ret = buf;
	*ret_len = (size_t)n;
	return 0;
}

int host_read_small(int dirfd, const char *path, struct capbuf *cb)
{
	int fd = host_open(dirfd, path, 0, NULL, NULL);
	int r;

	if (fd < 0)
		return fd;
	r = capbuf_read_fd(cb, fd);
	close(fd);
	return r;
}
