/*
 * rootmode.c - collect --root DIR (issue 22, item 1): the disk of a host
 * booted from the responder's media, an attached disk or a mounted image,
 * read as if DIR were "/".
 *
 * irsnap chroots into DIR inside its own mount namespace, after the output
 * is open and its read-only view of the file systems is made: from then on
 * every path any source opens resolves inside DIR — an absolute symlink
 * (etc/passwd.evil -> /etc/shadow) names DIR/etc/shadow, ".." stops at
 * DIR — exactly what openat2's RESOLVE_IN_ROOT does for one lookup, for
 * every lookup of every source at once, and the target is seen through
 * irsnap's read-only copy of its mount even when it is mounted read-write.
 * The names, ids and time zone then come from the target's own /etc.
 * Sources that read the running kernel (processes, sockets, mounts, the
 * kernel's state, ...) describe the collector's own system, not the
 * target: they are skipped and say so.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "capbuf.h"
#include "hostfile.h"
#include "jsonx.h"
#include "mountinfo.h"
#include "procfs.h"
#include "rootmode.h"
#include "textutil.h"
#include "banned.h"

static void field(json_t *o, const char *key, const struct mi_field *f)
{
	char *tmp = malloc(f->n + 1);
	if (!tmp)
		return;
	size_t n = mountinfo_unescape(f->s, f->n, tmp);
	json_set_bytes(o, key, tmp, n);
	free(tmp);
}

json_t *root_probe(const char *dir, char *err, size_t errlen)
{
	struct statx st;
	int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS | STATX_MNT_ID, &st) < 0) {
		snprintf(err, errlen, "--root '%s': %s", shown(dir).s, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	close(fd);
	json_t *o = json_object();
	json_set_bytes(o, "path", dir, strlen(dir));
	json_set_int(o, "dev_major", st.stx_dev_major);
	json_set_int(o, "dev_minor", st.stx_dev_minor);
	json_set_int(o, "inode", (int64_t)st.stx_ino);
	/* the mount that holds it, as the host has it (irsnap's own copy,
	 * made later, is read-only whatever the host's is) */
	struct capbuf mi;
	capbuf_init(&mi, 16u << 20);
	int pfd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	bool found = false;
	if (pfd >= 0 && (st.stx_mask & STATX_MNT_ID) && proc_read(pfd, "self/mountinfo", &mi) >= 0) {
		struct mi_line m;
		if (mountinfo_find(mi.buf, mi.len, st.stx_mnt_id, &m) == 0) {
			json_t *mo = json_object();
			json_set_int(mo, "mount_id", (int64_t)m.id);
			field(mo, "mount_point", &m.mount_point);
			field(mo, "root", &m.root);
			field(mo, "source", &m.source);
			json_set_bytes(mo, "fstype", m.fstype.s, m.fstype.n);
			json_set_bytes(mo, "options", m.options.s, m.options.n);
			json_set_bytes(mo, "super_options", m.super_options.s, m.super_options.n);
			json_set_new(o, "mount", mo);
			bool rw = m.options.n >= 2 && memcmp(m.options.s, "rw", 2) == 0 &&
				  (m.options.n == 2 || m.options.s[2] == ',');
			json_set_bool(o, "read_write", rw);
			if (rw)
				json_set_str(o, "warning", "the target is mounted read-write: "
					     "irsnap reads it through a read-only copy of the "
					     "mount, but anything else on this system may change "
					     "it; mount it read-only (ro,noload for ext4)");
			found = true;
		}
	}
	if (pfd >= 0)
		close(pfd);
	capbuf_release(&mi);
	if (!found)
		json_set_str(o, "mount_error", "its mount was not found in /proc/self/mountinfo");
	return o;
}

/* A small text file of the target (after the chroot), for the record. */
static void small(json_t *o, const char *key, const char *path)
{
	char buf[256];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	struct stat st;
	ssize_t n = fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ?
		    read(fd, buf, sizeof(buf)) : -1;
	if (fd >= 0)
		close(fd);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	if (n > 0)
		json_set_bytes(o, key, buf, (size_t)n);
}

int root_enter(const char *dir, json_t *info, char *err, size_t errlen)
{
	struct stat st;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(err, errlen, "--root '%s': %s", shown(dir).s, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -EINVAL;
	}
	json_t *ino = json_object_get(info, "inode");
	if ((uint64_t)json_integer_value(ino) != (uint64_t)st.st_ino) {
		close(fd);
		snprintf(err, errlen, "--root '%s' changed between its check and the chroot",
			 shown(dir).s);
		return -ESTALE;
	}
	if (fchdir(fd) < 0 || chroot(".") < 0 || chdir("/") < 0) {
		int e = errno;
		close(fd);
		snprintf(err, errlen, "--root '%s': cannot enter it: %s", shown(dir).s, strerror(e));
		return -e;
	}
	close(fd);
	small(info, "hostname", "/etc/hostname");
	small(info, "machine_id", "/etc/machine-id");
	return 0;
}
