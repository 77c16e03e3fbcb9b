/* isolate.c - irsnap's own mount namespace, procfs and read-only view (isolate.h). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/mount.h>

#include "capbuf.h"
#include "isolate.h"
#include "banned.h"

#ifndef PROC_SUPER_MAGIC
#define PROC_SUPER_MAGIC 0x9fa0
#endif

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
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == 0) {
		iso->private_proc = true;
		snprintf(iso->proc_view, sizeof(iso->proc_view), "private: a procfs mounted for "
			 "irsnap in its own mount namespace, over the host's /proc");
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
	if (iso->private_proc) {
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
