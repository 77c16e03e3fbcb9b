/* walk.c - fd-based tree walking (walk.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "capbuf.h"
#include "slowmounts.h"
#include "trustpath.h"
#include "walk.h"
#include "banned.h"

#ifndef CIFS_SUPER_MAGIC
#define CIFS_SUPER_MAGIC 0xFF534D42
#endif
#ifndef SMB2_SUPER_MAGIC
#define SMB2_SUPER_MAGIC 0xFE534D42
#endif
#ifndef FUSE_SUPER_MAGIC
#define FUSE_SUPER_MAGIC 0x65735546
#endif

static bool pseudo_or_remote(int fd)
{
	struct statfs sf;

	if (fstatfs(fd, &sf) < 0)
		return false;
	switch ((unsigned long)sf.f_type) {
	case PROC_SUPER_MAGIC: case SYSFS_MAGIC: case DEVPTS_SUPER_MAGIC:
	case CGROUP_SUPER_MAGIC: case CGROUP2_SUPER_MAGIC: case DEBUGFS_MAGIC:
	case TRACEFS_MAGIC: case SECURITYFS_MAGIC: case BPF_FS_MAGIC:
	case NFS_SUPER_MAGIC: case CIFS_SUPER_MAGIC: case SMB2_SUPER_MAGIC:
	case FUSE_SUPER_MAGIC: case SMB_SUPER_MAGIC:
		return true;
	default:
		return false;
	}
}

static bool excluded_root(const char *path)
{
	static const char *const no[] = { "/proc", "/sys", "/dev" };
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		size_t n = strlen(no[i]);
		if (strncmp(path, no[i], n) == 0 && (path[n] == '/' || path[n] == '\0'))
			return strcmp(path, "/dev/shm") != 0 && strncmp(path, "/dev/shm/", 9) != 0;
	}
	return false;
}

static int open_dir(int parent, const char *name)
{
	int oflags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK;
	int fd = openat(parent, name, oflags | O_NOATIME);
	if (fd < 0 && errno == EPERM)
		fd = openat(parent, name, oflags);
	return fd < 0 ? -errno : fd;
}

struct walker {
	bool (*stop)(void *arg);
	void *stop_arg;
	walk_fn fn;
	void *ctx;
	unsigned max_depth;
	struct walk_stats *st;
	struct capbuf path;
};

static int walk_dir(struct walker *w, int dfd, uint64_t dev, unsigned depth)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;
	int ret = 0;

	if (!d) {
		close(dfd);
		return 0;
	}
	w->st->dirs++;
	while (ret >= 0 && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (w->stop && w->stop(w->stop_arg))
			break;
		size_t mark = w->path.len;
		if (mark == 0 || w->path.buf[mark - 1] != '/')
			capbuf_add(&w->path, "/", 1);
		if (capbuf_addstr(&w->path, de->d_name) < 0) {
			w->path.len = mark;
			continue;
		}
		/* a mount point of FUSE, NFS and the like: not even stat'ed (the
		 * stat would be answered by its server, maybe never) */
		if (slowmounts_path(w->path.buf, NULL, 0)) {
			w->st->mounts_skipped++;
			w->path.len = mark;
			w->path.buf[mark] = '\0';
			continue;
		}
		struct statx st;
		/* AT_NO_AUTOMOUNT: statx, unlike stat, would mount an autofs
		 * point it names - a change to the host */
		if (statx(dirfd(d), de->d_name, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT |
			  AT_STATX_SYNC_AS_STAT, STATX_BASIC_STATS | STATX_BTIME, &st) == 0) {
			w->st->entries++;
			struct walk_entry e = { .dirfd = dirfd(d), .name = de->d_name,
						.path = w->path.buf, .path_len = w->path.len, .st = &st,
						.depth = depth };
			ret = w->fn(w->ctx, &e);
			if (ret == 0 && S_ISDIR(st.stx_mode)) {
				uint64_t sdev = makedev(st.stx_dev_major, st.stx_dev_minor);
				if (depth + 1 > w->max_depth) {
					w->st->too_deep++;
				} else if (excluded_root(w->path.buf) ||
					   (st.stx_attributes & STATX_ATTR_AUTOMOUNT)) {
					w->st->mounts_skipped++;   /* an automount point: never triggered */
				} else {
					int sub = open_dir(dirfd(d), de->d_name);
					if (sub < 0) {
						w->st->unreadable++;
					} else if (sdev != dev && pseudo_or_remote(sub)) {
						w->st->mounts_skipped++;
						close(sub);
					} else {
						ret = walk_dir(w, sub, sdev, depth + 1);
					}
				}
			}
			if (ret > 0)
				ret = 0;
		}
		w->path.len = mark;
		w->path.buf[mark] = '\0';
	}
	closedir(d);
	return ret < 0 ? ret : 0;
}

/* One root: checked as walk_tree() says, then walked from `depth`. */
static int walk_root(struct walker *w, const char *root, unsigned depth)
{
	struct statx st;
	struct capbuf resolved;
	capbuf_init(&resolved, 1u << 20);
	/* the links in its path first, each checked for a slow mount: the
	 * statx below follows them (trustpath.h) */
	int fd = slowmounts_path(root, NULL, 0) ? -EXDEV :
		 trusted_resolve(root, &resolved, &w->st->link);
	if (fd < 0) {
		capbuf_release(&resolved);
		return fd;
	}
	if (statx(AT_FDCWD, root, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT,
		  STATX_BASIC_STATS | STATX_BTIME, &st) < 0)
		fd = -errno;
	else if (st.stx_attributes & STATX_ATTR_AUTOMOUNT)
		fd = -EXDEV;
	else if (!S_ISDIR(st.stx_mode))
		fd = -ENOTDIR;
	if (fd < 0) {
		capbuf_release(&resolved);
		return fd;
	}
	/* through no link a user made (trustpath.h); the folder opened is
	 * the one whose stat stands for the root's entry */
	fd = trusted_open_dir(root, &resolved, &w->st->link);
	if (fd >= 0 && strcmp(resolved.buf, root) != 0 && slowmounts_path(resolved.buf, NULL, 0)) {
		close(fd);
		fd = -EXDEV;
	}
	capbuf_release(&resolved);
	if (fd < 0)
		return fd;
	if (statx(fd, "", AT_EMPTY_PATH | AT_NO_AUTOMOUNT, STATX_BASIC_STATS | STATX_BTIME,
		  &st) < 0 || !S_ISDIR(st.stx_mode)) {
		close(fd);
		return -ENOTDIR;
	}
	if (pseudo_or_remote(fd)) {
		close(fd);
		return -EXDEV;
	}
	w->path.len = 0;
	capbuf_addstr(&w->path, root);
	while (w->path.len > 1 && w->path.buf[w->path.len - 1] == '/')
		w->path.buf[--w->path.len] = '\0';
	if (depth > 1) {   /* /dev/shm below /: the folder itself is an entry too */
		w->st->entries++;
		struct walk_entry e = { .dirfd = AT_FDCWD, .name = root, .path = w->path.buf,
					.path_len = w->path.len, .st = &st, .depth = depth - 1 };
		int ret = w->fn(w->ctx, &e);
		if (ret != 0) {
			close(fd);
			return ret < 0 ? ret : 0;
		}
	}
	return walk_dir(w, fd, makedev(st.stx_dev_major, st.stx_dev_minor), depth);
}

int walk_tree(const char *root, unsigned max_depth, walk_fn fn, void *ctx,
	      struct walk_stats *stats, bool (*stop)(void *arg), void *stop_arg)
{
	struct walker w = { .stop = stop, .stop_arg = stop_arg, .fn = fn, .ctx = ctx,
			    .max_depth = max_depth, .st = stats };

	memset(stats, 0, sizeof(*stats));
	if (excluded_root(root))
		return -EPERM;
	capbuf_init(&w.path, 1u << 20);
	int ret = walk_root(&w, root, 1);
	/* from /, /dev is not entered but /dev/shm, a tmpfs anyone can write, is */
	if (ret == 0 && strspn(root, "/") == strlen(root) && max_depth >= 2 &&
	    !(stop && stop(stop_arg))) {
		int e = walk_root(&w, "/dev/shm", 3);
		if (e < 0 && e != -ENOENT && e != -ENOTDIR && e != -EXDEV && e != -EACCES &&
		    e != -EPERM)
			ret = e;   /* the visitor's: the bundle failed */
	}
	capbuf_release(&w.path);
	return ret;
}
