/* isolate.c - irsnap's own mount namespace, procfs and read-only view (isolate.h). */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/mount.h>

#include "capbuf.h"
#include "isolate.h"
#include "mountinfo.h"
#include "banned.h"

#ifndef PROC_SUPER_MAGIC
#define PROC_SUPER_MAGIC 0x9fa0
#endif
#define PROC_ROOT_INO 1   /* fs/proc/root.c: the inode of a procfs's root */

/* Keep the mountinfo lines whose mount point (field 5) is /proc or below. */
static char *proc_lines(const char *text, size_t len)
{
	struct capbuf out;
	const char *p = text, *end = text + len;

	capbuf_init(&out, 1u << 20);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *f = p;
		for (int k = 0; k < 4 && f < le; k++) {   /* to the 5th field */
			const char *sp = memchr(f, ' ', (size_t)(le - f));
			f = sp ? sp + 1 : le;
		}
		size_t n = (size_t)(le - f);
		if (n >= 5 && memcmp(f, "/proc", 5) == 0 && (n == 5 || f[5] == ' ' || f[5] == '/'))
			capbuf_add(&out, p, (size_t)(le - p) + (nl ? 1 : 0));
		p = nl ? nl + 1 : end;
	}
	return capbuf_detach(&out, NULL);
}

void isolate_begin(struct isolation *iso)
{
	struct capbuf mi;

	memset(iso, 0, sizeof(*iso));
	iso->holder = -1;
	iso->host_root = open("/", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	iso->host_cwd = open(".", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	iso->host_proc = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	iso->host_ns = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	capbuf_init(&mi, 16u << 20);
	int fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd >= 0) {
		iso->mountinfo_cut = capbuf_read_fd(&mi, fd) == -E2BIG;
		close(fd);
	}
	iso->proc_mounts = proc_lines(mi.buf ? mi.buf : "", mi.len);
	iso->mountinfo = capbuf_detach(&mi, NULL);
	capbuf_init(&mi, 16u << 20);
	fd = open("/proc/self/mounts", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd >= 0) {
		iso->mounts_cut = capbuf_read_fd(&mi, fd) == -E2BIG;
		close(fd);
	}
	iso->mounts = capbuf_detach(&mi, NULL);
	snprintf(iso->proc_view, sizeof(iso->proc_view), "host: not isolated yet");
	snprintf(iso->fs_view, sizeof(iso->fs_view), "host: not isolated yet");
}

/* The private procfs is freed with the last process of its mount
 * namespace: the kernel walks every dentry irsnap made there (about 100 ms
 * at 2,000 processes), and with irsnap as that last process it does so in
 * exit_group, after the bundle is sealed, in the responder's wait. A child
 * that holds the namespace and nothing else (every fd closed; no thread;
 * it reads, writes and runs nothing) ends when irsnap does (PDEATHSIG),
 * and the namespace is freed in its exit instead. -1 when fork fails: the
 * teardown stays in irsnap's own exit. */
static pid_t hold_namespace(void)
{
	pid_t parent = getpid(), c = fork();

	if (c != 0)
		return c;
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(0);   /* no death signal, or irsnap already ended */
#ifdef SYS_close_range
	if (syscall(SYS_close_range, 0U, ~0U, 0U) < 0)
#endif
		for (int fd = 0; fd < 65536; fd++)
			close(fd);
	prctl(PR_SET_NAME, "irsnap-nshold");
	for (;;)
		pause();
}

/* Whether the super options of mount MNT_ID (mountinfo(5): after " - ",
 * the fs type, the source, then them) hide entries: subset= hides all but
 * the pids, hidepid= hides processes from a collector that lacks ptrace's
 * rights. */
static bool hides_entries(int procfd, unsigned long long mnt_id)
{
	struct capbuf mi;
	bool hides = true;   /* unread: not known sound */

	capbuf_init(&mi, 4u << 20);
	int fd = openat(procfd, "self/mountinfo", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		goto done;
	int r = capbuf_read_fd(&mi, fd);
	close(fd);
	if (r < 0 && r != -E2BIG)
		goto done;
	struct mi_line m;
	if (mountinfo_find(mi.buf, mi.len, mnt_id, &m) == 0) {
		/* the super options only: the source is whatever the mounter named */
		const struct mi_field *so = &m.super_options;
		hides = memmem(so->s, so->n, "subset=", 7) ||
			(memmem(so->s, so->n, "hidepid=", 8) &&
			 !memmem(so->s, so->n, "hidepid=0", 9) &&
			 !memmem(so->s, so->n, "hidepid=off", 11));
	}
done:
	capbuf_release(&mi);
	return hides;
}

/* Why the mount now at /proc is not the whole procfs of irsnap's pid
 * namespace with nothing hidden, or NULL when it is: a procfs (statfs),
 * its root and not a folder bound there (the root's inode), the pid
 * namespace's own (its self link names irsnap's pid), and no option that
 * hides entries. An intruder can mount any of these over /proc. */
static const char *proc_unsound(void)
{
	struct statfs sf;
	struct statx sx;
	char self[32], want[32];
	const char *why = NULL;
	int fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return "cannot open it";
	snprintf(want, sizeof(want), "%d", (int)getpid());
	ssize_t n = readlinkat(fd, "self", self, sizeof(self) - 1);
	if (n >= 0)
		self[n] = '\0';
	if (fstatfs(fd, &sf) < 0 || sf.f_type != PROC_SUPER_MAGIC)
		why = "not a procfs";
	else if (statx(fd, "", AT_EMPTY_PATH, STATX_INO | STATX_MNT_ID, &sx) < 0 ||
		 !(sx.stx_mask & STATX_MNT_ID))
		why = "its mount id is not known";
	else if (sx.stx_ino != PROC_ROOT_INO)
		why = "a folder of a procfs, not its root";
	else if (n < 0 || strcmp(self, want) != 0)
		why = "the procfs of another pid namespace";
	else if (hides_entries(fd, sx.stx_mnt_id))
		why = "mounted with an option that hides entries (subset=, hidepid=)";
	close(fd);
	return why;
}

/* The procfs the host mounted at /proc, bound alone over it: the kernel's
 * own instance (its dentries already made, so no lookup allocates) and
 * none of the mounts on or under it, which a bind without MS_REC does not
 * carry. 0, or -errno with *ret_why set when it is not to be used (the
 * bind is undone then). */
static int bind_host_proc(const char **ret_why)
{
	const char *why = proc_unsound();   /* the host's mount, before the bind */

	if (why) {
		*ret_why = why;
		return -EINVAL;
	}
	if (mount("/proc", "/proc", NULL, MS_BIND, NULL) < 0) {
		*ret_why = "the bind failed";
		return -errno;
	}
	why = proc_unsound();
	if (why) {
		(void)umount2("/proc", MNT_DETACH);
		*ret_why = why;
		return -EINVAL;
	}
	return 0;
}

static int setattr(const char *path, unsigned long long set, unsigned long long clr)
{
#ifdef SYS_mount_setattr
	struct mount_attr a = { .attr_set = set, .attr_clr = clr };
	return syscall(SYS_mount_setattr, AT_FDCWD, path, AT_RECURSIVE, &a, sizeof(a)) == 0 ?
	       0 : -errno;
#else
	(void)path; (void)set; (void)clr;
	return -ENOSYS;
#endif
}

void isolate_views(struct isolation *iso)
{
	if (unshare(CLONE_NEWNS) < 0) {
		int e = errno;
		snprintf(iso->proc_view, sizeof(iso->proc_view), "host: no mount namespace of "
			 "its own (%s): /proc read as the host mounts it", strerror(e));
		snprintf(iso->fs_view, sizeof(iso->fs_view), "host: the host's mounts as they are "
			 "(%s): reads use O_NOATIME where allowed", strerror(e));
		return;
	}
	iso->private_ns = true;
	/* nothing done here may reach the host's namespace */
	/* without this, a mount here could propagate to the host's peers; in
	 * a chroot whose "/" is no mount point it fails, and irsnap stays with
	 * the host's view */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		snprintf(iso->proc_view, sizeof(iso->proc_view), "host: mounts could not be made "
			 "private (%s)", strerror(errno));
		snprintf(iso->fs_view, sizeof(iso->fs_view), "%s", iso->proc_view);
		return;
	}
	const char *why = NULL;
	if (bind_host_proc(&why) == 0) {
		iso->private_proc = true;
		iso->proc_bound = true;
		snprintf(iso->proc_view, sizeof(iso->proc_view), "private: the host's procfs "
			 "bound alone over /proc in irsnap's own mount namespace, without the "
			 "mounts on or under it");
	} else if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == 0) {
		iso->private_proc = true;
		snprintf(iso->proc_view, sizeof(iso->proc_view), "private: a procfs mounted for "
			 "irsnap in its own mount namespace, over the host's /proc (%s)", why);
	} else {
		snprintf(iso->proc_view, sizeof(iso->proc_view), "host: no procfs of its own (%s)",
			 strerror(errno));
	}
	int r = setattr("/", MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOATIME, MOUNT_ATTR__ATIME);
	if (r == 0) {
		iso->readonly = true;
		snprintf(iso->fs_view, sizeof(iso->fs_view), "read-only, noatime: every mount, "
			 "in irsnap's own mount namespace (mount_setattr)");
	} else {
		snprintf(iso->fs_view, sizeof(iso->fs_view), "host: mounts not made read-only "
			 "(mount_setattr: %s): reads use O_NOATIME where allowed", strerror(-r));
	}
	if (iso->private_proc && !iso->proc_bound) {   /* a bind has no instance to free */
		iso->holder = hold_namespace();
		iso->holder_err = iso->holder < 0 ? errno : 0;
	}
}

void isolate_free(struct isolation *iso)
{
	if (iso->host_root >= 0)
		close(iso->host_root);
	if (iso->host_cwd >= 0)
		close(iso->host_cwd);
	if (iso->host_proc >= 0)
		close(iso->host_proc);
	if (iso->host_ns >= 0)
		close(iso->host_ns);
	free(iso->proc_mounts);
	free(iso->mountinfo);
	free(iso->mounts);
	iso->mountinfo = iso->mounts = NULL;
	iso->host_root = iso->host_cwd = iso->host_proc = iso->host_ns = -1;
	iso->proc_mounts = NULL;
}
