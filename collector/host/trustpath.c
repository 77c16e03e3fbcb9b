/* trustpath.c - a walk's root resolved through no link a user made
 * (trustpath.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "capbuf.h"
#include "hostfile.h"
#include "slowmounts.h"
#include "trustpath.h"
#include "banned.h"

#define MAX_LINKS 40   /* as the kernel's MAXSYMLINKS */

/* host_readlink (hostfile.h) lives here: trustpath follows links with it
 * and hostfile.c resolves through trustpath, so the call graph keeps one
 * direction. */
#define LINK_MAX_BYTES 4096

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

/* Drop the last component of a resolved path ("" is "/"). */
static void pop(struct capbuf *p)
{
	while (p->len && p->buf[p->len - 1] != '/')
		p->len--;
	if (p->len)
		p->len--;
	if (p->buf)
		p->buf[p->len] = '\0';
}

int trusted_resolve(const char *path, struct capbuf *out, struct untrusted_link *bad)
{
	struct capbuf todo, next;
	unsigned links = 0;
	int r = 0;

	if (path[0] != '/')
		return -EINVAL;
	capbuf_reset(out);
	capbuf_init(&todo, 1u << 20);
	capbuf_init(&next, 1u << 20);
	if (capbuf_addstr(&todo, path) < 0 || capbuf_addstr(out, "") < 0) {
		r = -ENOMEM;
		goto done;
	}
	for (size_t pos = 0; pos < todo.len;) {
		while (pos < todo.len && todo.buf[pos] == '/')
			pos++;
		size_t end = pos;
		while (end < todo.len && todo.buf[end] != '/')
			end++;
		size_t n = end - pos;
		if (n == 0 || (n == 1 && todo.buf[pos] == '.')) {
			pos = end;
			continue;
		}
		if (n == 2 && todo.buf[pos] == '.' && todo.buf[pos + 1] == '.') {
			pop(out);   /* the prefix holds no link: its parent is textual */
			pos = end;
			continue;
		}
		size_t mark = out->len;
		if (capbuf_add(out, "/", 1) < 0 || capbuf_add(out, todo.buf + pos, n) < 0) {
			r = -ENAMETOOLONG;
			goto done;
		}
		/* a server's file system (FUSE, NFS) is never asked, here
		 * too: a link of root's may lead into one that stalls */
		if (slowmounts_path(out->buf, NULL, 0)) {
			r = -EXDEV;
			goto done;
		}
		struct stat st;
		if (fstatat(AT_FDCWD, out->buf, &st, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT) < 0) {
			r = -errno;
			goto done;
		}
		if (!S_ISLNK(st.st_mode)) {
			pos = end;
			continue;
		}
		if (st.st_uid != 0 || ++links > MAX_LINKS) {
			if (bad) {
				snprintf(bad->path, sizeof(bad->path), "%s", out->buf);
				bad->uid = (long long)st.st_uid;
			}
			r = -ELOOP;
			goto done;
		}
		/* root's link (merged /usr's /lib -> usr/lib): its target, then
		 * the rest, resolved from its folder or from / */
		char *t = NULL;
		size_t tl = 0;
		if ((r = host_readlink(AT_FDCWD, out->buf, &t, &tl)) < 0)
			goto done;
		out->len = mark;
		out->buf[mark] = '\0';
		if (t[0] == '/')
			capbuf_reset(out);   /* from / again */
		capbuf_reset(&next);
		int e = capbuf_add(&next, t, tl) < 0 || capbuf_add(&next, "/", 1) < 0 ||
			capbuf_add(&next, todo.buf + end, todo.len - end) < 0;
		free(t);
		if (e) {
			r = -ENAMETOOLONG;
			goto done;
		}
		capbuf_reset(&todo);
		if (capbuf_add(&todo, next.buf, next.len) < 0) {
			r = -ENAMETOOLONG;
			goto done;
		}
		pos = 0;
	}
	if (out->len == 0 && capbuf_addstr(out, "/") < 0)
		r = -ENOMEM;
done:
	capbuf_release(&todo);
	capbuf_release(&next);
	return r;
}

int trusted_parent(const char *path, struct capbuf *out, struct untrusted_link *bad)
{
	const char *slash = strrchr(path, '/');

	if (path[0] != '/' || !slash)
		return -EINVAL;
	const char *base = slash + 1;
	if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		return -EINVAL;
	char *dir = strndup(path, (size_t)(slash - path) + 1);   /* "/a/b/" */
	if (!dir)
		return -ENOMEM;
	int r = trusted_resolve(dir, out, bad);
	free(dir);
	if (r < 0)
		return r;
	if ((out->len > 1 && capbuf_add(out, "/", 1) < 0) || capbuf_addstr(out, base) < 0)
		return -ENAMETOOLONG;
	return slowmounts_path(out->buf, NULL, 0) ? -EXDEV : 0;
}

int trusted_open_dir(const char *path, struct capbuf *resolved, struct untrusted_link *bad)
{
	int oflags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK;

	/* resolved, then opened with no link followed at all: a folder a user
	 * turned into a link in between makes the open fail, never follow */
	for (int tries = 0; tries < 3; tries++) {
		int r = trusted_resolve(path, resolved, bad);
		if (r < 0)
			return r;
		struct open_how how = { .flags = (uint64_t)(oflags | O_NOATIME),
					.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };
		long fd = syscall(SYS_openat2, AT_FDCWD, resolved->buf, &how, sizeof(how));
		if (fd < 0 && errno == EPERM) {   /* O_NOATIME on a file not ours */
			how.flags = (uint64_t)oflags;
			fd = syscall(SYS_openat2, AT_FDCWD, resolved->buf, &how, sizeof(how));
		}
		if (fd < 0 && errno == ENOSYS)   /* before Linux 5.6: the last link checked */
			fd = openat(AT_FDCWD, resolved->buf, oflags);
		if (fd >= 0)
			return (int)fd;
		if (errno != ELOOP && errno != EXDEV)
			return -errno;
	}
	return -ELOOP;
}
