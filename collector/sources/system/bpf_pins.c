/*
 * bpf_pins.c - the objects pinned under every bpffs mount of the host's
 * mount table (bpfsrc.h): each file opened with BPF_OBJ_GET read-only, its
 * kind from the fd's link, its id from BPF_OBJ_GET_INFO_BY_FD. Directories
 * are opened O_NOATIME; depth and count are capped.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpfobj.h"
#include "bpfsrc.h"
#include "mountinfo.h"
#include "procfs.h"
#include "slowmounts.h"
#include "textutil.h"
#include "vec.h"
#include "banned.h"

#define PIN_DEPTH 16
#define PINS_MAX 65536

static char kind_of_fd(struct bstate *b, int fd)
{
	char path[40], *link = NULL;
	size_t len = 0;
	char k = 0;

	snprintf(path, sizeof(path), "self/fd/%d", fd);
	if (proc_readlink(b->procfd, path, &link, &len) == 0) {
		if (len == 19 && memcmp(link, "anon_inode:bpf-prog", 19) == 0)
			k = 'p';
		else if (len == 18 && memcmp(link, "anon_inode:bpf-map", 18) == 0)
			k = 'm';
		else if (len == 19 && memcmp(link, "anon_inode:bpf_link", 19) == 0)
			k = 'l';
	}
	free(link);
	return k;
}

/* Every pinned object under the bpffs directory `dir` (an fd), recursively. */
static void walk_pins(struct bstate *b, int dir, char *path, size_t plen, size_t cap, int depth)
{
	DIR *d = fdopendir(dir);
	struct dirent *de;

	if (!d) {
		close(dir);
		return;
	}
	while ((de = readdir(d)) && b->npins < PINS_MAX) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		size_t nl = strlen(de->d_name);
		if (plen + 1 + nl + 1 > cap)
			continue;
		path[plen] = '/';
		memcpy(path + plen + 1, de->d_name, nl + 1);
		if (de->d_type == DT_DIR && depth < PIN_DEPTH) {
			int fl = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NOATIME;
			int sub = openat(dirfd(d), de->d_name, fl | O_CLOEXEC);
			if (sub >= 0)
				walk_pins(b, sub, path, plen + 1 + nl, cap, depth + 1);
		} else if (de->d_type == DT_REG) {
			int fd = bpfobj_fd_by_path(path);
			if (fd >= 0) {
				union { struct bpf_prog_info p; struct bpf_map_info m;
					struct bpf_link_info l; } info;
				uint32_t len = sizeof(info);
				char k = kind_of_fd(b, fd);
				memset(&info, 0, sizeof(info));
				if (k && bpfobj_info(fd, &info, &len) == 0 &&
				    vec_reserve((void **)&b->pins, &b->apins, b->npins + 1, sizeof(*b->pins))) {
					uint32_t id = k == 'p' ? info.p.id : k == 'm' ? info.m.id : info.l.id;
					char *copy = strdup(path);
					if (copy)
						b->pins[b->npins++] = (struct pin){ id, k, copy };
				}
				close(fd);
			}
		}
		path[plen] = '\0';
	}
	closedir(d);
}

void bpf_each_mount(struct bstate *b, const char *fstype,
		    void (*fn)(struct bstate *, int dir, char *path, size_t plen, const struct mi_line *))
{
	const char *mi = b->r->host_mountinfo;
	struct capbuf own;
	char *path = malloc(PATH_MAX);
	size_t tl = strlen(fstype);

	capbuf_init(&own, 4u << 20);
	if (!mi && proc_read(b->procfd, "self/mountinfo", &own) >= 0 && own.buf)
		mi = own.buf;
	for (const char *p = mi; p && path && *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		struct mi_line m;
		if (mountinfo_parse(p, n, &m) == 0 && m.fstype.n == tl &&
		    memcmp(m.fstype.s, fstype, tl) == 0 && m.mount_point.n < PATH_MAX) {
			size_t pl = mountinfo_unescape(m.mount_point.s, m.mount_point.n, path);
			path[pl] = '\0';
			char type[48];
			/* mounted under a FUSE or network folder: reaching it
			 * would wait on that server */
			if (slowmounts_path(path, type, sizeof(type))) {
				run_log(b->r, "bpf: a %s mount under a %s mount is not walked",
					fstype, shown(type).s);
				p = nl ? nl + 1 : p + n;
				continue;
			}
			int dir = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NOATIME | O_CLOEXEC);
			if (dir >= 0)
				fn(b, dir, path, pl == 1 ? 0 : pl, &m);
		}
		p = nl ? nl + 1 : p + n;
	}
	free(path);
	capbuf_release(&own);
}

static void pins_of(struct bstate *b, int dir, char *path, size_t plen, const struct mi_line *m)
{
	(void)m;
	walk_pins(b, dir, path, plen, PATH_MAX, 0);
}

/* The bpffs mounts of the host's mount table, each walked. */
void bpf_find_pins(struct bstate *b)
{
	bpf_each_mount(b, "bpf", pins_of);
}
