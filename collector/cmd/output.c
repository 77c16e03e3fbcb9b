/* output.c - the refusal of host output and the safe creation of the bundle. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "capbuf.h"
#include "output.h"
#include "textutil.h"
#include "banned.h"

static const char *const evidence_paths[] = {
	"/", "/etc", "/usr", "/boot", "/home", "/root", "/opt", "/srv", "/tmp",
	"/var", "/var/log", "/var/tmp", "/var/lib", "/run", "/dev/shm",
};

/* The path of a device that holds evidence and equals `dev`, or NULL. */
static const char *evidence_device(dev_t dev, const char *const *extra, size_t nextra)
{
	struct stat st;

	for (size_t i = 0; i < sizeof(evidence_paths) / sizeof(evidence_paths[0]); i++)
		if (stat(evidence_paths[i], &st) == 0 && st.st_dev == dev)
			return evidence_paths[i];
	for (size_t i = 0; i < nextra; i++)
		if (lstat(extra[i], &st) == 0 && st.st_dev == dev)
			return extra[i];
	return NULL;
}

static void quote(char *out, size_t len, const char *s)
{
	text_escape_fixed(out, len, s, strlen(s));
}

static int refuse_host(dev_t dev, const char *shown, const char *const *extra,
		       size_t nextra, char *err, size_t errlen)
{
	const char *hit = evidence_device(dev, extra, nextra);
	char q1[256], q2[256];

	if (!hit)
		return 0;
	quote(q1, sizeof(q1), shown);
	quote(q2, sizeof(q2), hit);
	snprintf(err, errlen, "refusing to write the bundle to '%s': it is on the same file "
		 "system as '%s', which holds evidence; write to other media, or pass "
		 "--allow-host-output to accept the change to the host", q1, q2);
	return -EXDEV;
}

static int move_above_stdio(int fd)
{
	if (fd > 2)
		return fd;
	int nfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	int e = errno;
	close(fd);
	return nfd < 0 ? -e : nfd;
}

#define OUTPUT_PIPE_BYTES (1 << 20)

int output_open(const char *path, bool allow_host, const char *const *extra_paths,
		size_t nextra, char *err, size_t errlen)
{
	struct stat st;
	char q[256];
	int fd, r;

	if (strcmp(path, "-") == 0) {
		if (isatty(STDOUT_FILENO)) {
			snprintf(err, errlen, "refusing to write a tar bundle to a terminal; "
				 "redirect stdout or use -o PATH");
			return -ENOTTY;
		}
		if (fstat(STDOUT_FILENO, &st) < 0) {
			snprintf(err, errlen, "cannot use stdout: %s", strerror(errno));
			return -EBADF;
		}
		/* main() puts /dev/null on a closed stdout: a bundle there is lost */
		if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3)) {
			snprintf(err, errlen, "refusing to write the bundle to /dev/null (stdout "
				 "was closed, or sent there): it would be lost");
			return -ENXIO;
		}
		if (!allow_host && S_ISREG(st.st_mode)) {
			r = refuse_host(st.st_dev, "stdout", extra_paths, nextra, err, errlen);
			if (r < 0)
				return r;
		}
		/* a pipe (| ssh, | cat): 1 MiB of room, a write whole per
		 * bundle block instead of 16 hand-offs to the reader; irsnap's
		 * own pipe, so nothing of the host changes (EPERM above the
		 * limit: the pipe keeps its size) */
		if (S_ISFIFO(st.st_mode))
			(void)fcntl(STDOUT_FILENO, F_SETPIPE_SZ, OUTPUT_PIPE_BYTES);
		return STDOUT_FILENO;
	}

	quote(q, sizeof(q), path);
	char *dir = strdup(path);
	if (!dir) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	char *slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, strlen(dir) + 1, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	r = stat(dir, &st);
	int e = errno;
	free(dir);
	if (r < 0) {
		snprintf(err, errlen, "cannot use '%s': its directory: %s", q, strerror(e));
		return -e;
	}
	if (!allow_host) {
		r = refuse_host(st.st_dev, path, extra_paths, nextra, err, errlen);
		if (r < 0)
			return r;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0) {
		e = errno;
		snprintf(err, errlen, "cannot create '%s': %s%s", q, strerror(e),
			 e == EEXIST ? " (an existing file is never overwritten)" : "");
		return -e;
	}
	fd = move_above_stdio(fd);
	if (fd < 0)
		snprintf(err, errlen, "cannot create '%s': %s", q, strerror(-fd));
	return fd;
}

int output_still_there(const char *path, int fd, int root, int cwd, char *err, size_t errlen)
{
	struct stat by_fd, by_path;
	char q[256];

	if (strcmp(path, "-") == 0)
		return 0;
	quote(q, sizeof(q), path);
	if (fstat(fd, &by_fd) < 0) {
		snprintf(err, errlen, "cannot check '%s': %s", q, strerror(errno));
		return -errno;
	}
	if (by_fd.st_nlink == 0) {
		snprintf(err, errlen, "'%s' was removed while the bundle was written: the "
			 "bundle exists nowhere", q);
		return -ENOENT;
	}
	/* looked up in the host's namespace: irsnap's own copy of the mounts
	 * would still show a file system the host has unmounted */
	int at = path[0] == '/' ? root : cwd;
	const char *rel = path[0] == '/' && root >= 0 ? path + 1 : path;
	if (!*rel)
		rel = ".";
	if (fstatat(at >= 0 ? at : AT_FDCWD, at >= 0 ? rel : path, &by_path, 0) < 0 ||
	    by_path.st_dev != by_fd.st_dev ||
	    by_path.st_ino != by_fd.st_ino) {
		snprintf(err, errlen, "'%s' no longer names the file written (its file system "
			 "was unmounted, or the path replaced): the bundle is not there", q);
		return -ESTALE;
	}
	return 0;
}

uint64_t output_other_dev(int fd)
{
	struct stat ost, rst;

	if (fstat(fd, &ost) == 0 && S_ISREG(ost.st_mode) && stat("/", &rst) == 0 &&
	    ost.st_dev != rst.st_dev)
		return ost.st_dev;
	return 0;
}
