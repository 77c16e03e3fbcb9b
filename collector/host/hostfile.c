/* hostfile.c - safe reads of host files (hostfile.h). */
#include <errno.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <linux/openat2.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "slowmounts.h"
#include "hostfile.h"
#include "textutil.h"
#include "trustpath.h"
#include "banned.h"

int statx_fd(int fd, struct statx *st)
{
	if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_SYNC_AS_STAT,
		  STATX_BASIC_STATS | STATX_BTIME, st) < 0)
		return -errno;
	return 0;
}

/* openat2(2) with every component resolved without following a symbolic
 * link (RESOLVE_NO_SYMLINKS, Linux 5.6); where the kernel lacks it, the
 * last component alone is checked (O_NOFOLLOW) and host_link_in_path()
 * finds a link met before it. */
static int open_nofollow(int dirfd, const char *path, int oflags)
{
	struct open_how how = { .flags = (uint64_t)oflags,
				.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };
	long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));

	if (fd < 0 && errno == ENOSYS) {
		if (host_link_in_path(dirfd, path, NULL) == 0)
			return -ELOOP;
		fd = openat(dirfd, path, oflags);
	}
	return fd < 0 ? -errno : (int)fd;
}

int host_link_in_path(int dirfd, const char *path, char **ret_link)
{
	size_t n = strlen(path);
	char *tmp = malloc(n + 1);

	if (!tmp)
		return -ENOMEM;
	memcpy(tmp, path, n + 1);
	for (char *p = tmp + (tmp[0] == '/'); ; p++) {
		char *slash = strchr(p, '/');
		if (!slash)
			break;
		*slash = '\0';
		struct statx st;
		if (slash > tmp && statx(dirfd, tmp, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, STATX_TYPE, &st) == 0 &&
		    S_ISLNK(st.stx_mode)) {
			if (ret_link)
				*ret_link = tmp;
			else
				free(tmp);
			return 0;
		}
		*slash = '/';
		p = slash;
	}
	free(tmp);
	return -ENOENT;
}

/* Whether a folder of `path` is a link: 0 when none is. Else what a read
 * of it gives, learnt without following any link but root's and without
 * a stat on a slow mount (a stat of the path would follow the link, onto
 * a FUSE server an intruder stopped, and wait there): -ENOENT where
 * root's links lead to nothing, -EREMOTE where they lead onto a slow
 * mount, -ELOOP otherwise (the link is never followed for a read). */
static int folder_link(int dirfd, const char *path)
{
	int e = host_link_in_path(dirfd, path, NULL);
	if (e != 0)
		return e == -ENOMEM ? e : 0;
	if (path[0] != '/')
		return -ELOOP;
	struct capbuf res;
	capbuf_init(&res, 1u << 20);
	e = trusted_resolve(path, &res, NULL);
	capbuf_release(&res);
	return e == -ENOENT ? -ENOENT : e == -EXDEV ? -EREMOTE : -ELOOP;
}

int host_open(int dirfd, const char *path, int flags, int *ret_noatime,
	      struct statx *ret_st)
{
	struct statx pre, post;
	int oflags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY;
	int fd, noatime = 1;

	/* on FUSE, NFS and the like a lookup may wait forever on a server
	 * (fsguard.h): such a file is not opened, and says so */
	if (path[0] == '/' && slowmounts_path(path, NULL, 0))
		return -EREMOTE;
	/* the type first, through an O_PATH fd (nothing is opened for I/O,
	 * no device touched, no automount), every component resolved without
	 * a link; no stat before it, which would follow a folder's link */
	int pfd = open_nofollow(dirfd, path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (pfd == -ELOOP) {
		int fl = folder_link(dirfd, path);
		return fl < 0 ? fl : -ELOOP;   /* else the link is the file itself */
	}
	if (pfd < 0)
		return pfd;
	int r0 = statx_fd(pfd, &pre);
	close(pfd);
	if (r0 < 0)
		return r0;
	if (S_ISLNK(pre.stx_mode))
		return -ELOOP;
	if (S_ISDIR(pre.stx_mode)) {
		if (!(flags & HOST_DIR))
			return -EISDIR;
		oflags |= O_DIRECTORY;
	} else if (!S_ISREG(pre.stx_mode)) {
		return -EFTYPE_NOT_REGULAR;
	}

	fd = open_nofollow(dirfd, path, oflags | O_NOATIME);
	if (fd == -EPERM) {
		noatime = 0;
		fd = open_nofollow(dirfd, path, oflags);
	}
	if (fd < 0)
		return fd;
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
	if (slowmounts_path(path, NULL, 0)) {
		errno = EREMOTE;
		return NULL;
	}
	/* root's links in its folders are followed (a data root moved with
	 * /var/lib/docker -> /srv/docker), each checked for a slow mount
	 * before any stat; a user's is not, nor a link at its end */
	struct capbuf res;
	capbuf_init(&res, 1u << 20);
	int e = host_link_in_path(AT_FDCWD, path, NULL);
	if (e == -ENOMEM || (e == 0 && (e = trusted_parent(path, &res, NULL)) < 0)) {
		capbuf_release(&res);
		errno = e == -EXDEV ? EREMOTE : -e;
		return NULL;
	}
	const char *at = e == 0 ? res.buf : path;
	int fd = open(at, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NOATIME);
	if (fd < 0 && errno == EPERM)
		fd = open(at, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	e = errno;
	capbuf_release(&res);
	errno = e;
	if (fd < 0)
		return NULL;
	DIR *d = fdopendir(fd);
	if (!d)
		close(fd);
	return d;
}

int host_stat_path(const char *path, unsigned mask, struct statx *st)
{
	if (path[0] != '/')
		return -EINVAL;
	if (slowmounts_path(path, NULL, 0))
		return -EREMOTE;
	struct capbuf res;
	capbuf_init(&res, 1u << 20);
	int e = trusted_parent(path, &res, NULL);
	if (e == 0 && statx(AT_FDCWD, res.buf, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, mask, st) < 0)
		e = -errno;
	capbuf_release(&res);
	return e == -EXDEV ? -EREMOTE : e;
}

int host_lstat(int dirfd, const char *path, struct statx *st)
{
	int pfd = open_nofollow(dirfd, path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (pfd < 0)
		return pfd;
	int r = statx_fd(pfd, st);
	close(pfd);
	return r;
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
