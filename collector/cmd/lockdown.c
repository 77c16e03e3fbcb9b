/* lockdown.c - footprint limits and the seccomp filter (lockdown.h). */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lockdown.h"
#include "banned.h"

#if defined(__x86_64__)
#define IRSNAP_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define IRSNAP_AUDIT_ARCH AUDIT_ARCH_AARCH64
#else
#error "lockdown.c: add the audit arch of this platform"
#endif

static int have_cap_ipc_lock(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) < 0)
		return 0;
	return (data[CAP_IPC_LOCK / 32].effective >> (CAP_IPC_LOCK % 32)) & 1;
}

/* Whether this is the initial user namespace: its uid_map is the whole
 * identity "0 0 4294967295". Unreadable (no /proc): assume not. */
static bool initial_userns(void)
{
	char buf[128];
	int fd = open("/proc/self/uid_map", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	char *p = buf, *e;
	unsigned long v[3];
	for (int i = 0; i < 3; i++) {
		v[i] = strtoul(p, &e, 10);
		if (e == p)
			return false;
		p = e;
	}
	while (*p == ' ' || *p == '\n')
		p++;
	return v[0] == 0 && v[1] == 0 && v[2] == 4294967295UL && *p == '\0';   /* one line */
}

int lockdown_footprint(char *report, size_t len)
{
	struct rlimit rl = { 0, 0 };
	const char *mlock_state;
	int r = 0;

	if (setrlimit(RLIMIT_CORE, &rl) < 0)
		r = -errno;
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0 && r == 0)
		r = -errno;

	struct rlimit ml;
	/* CAP_IPC_LOCK lifts the lock limit only in the initial user namespace:
	 * elsewhere the limit binds, and every allocation past it would fail */
	if (getrlimit(RLIMIT_MEMLOCK, &ml) == 0 &&
	    (ml.rlim_cur == RLIM_INFINITY || (have_cap_ipc_lock() && initial_userns()))) {
		/* every page there is now, the binary's whole text included (a
		 * flaky medium cannot stall a later fault), then each later page
		 * as it is first written (MCL_ONFAULT, Linux 4.4): nothing
		 * collected is ever swapped, and capacity never touched (a
		 * vector's slack, a buffer's unused tail) takes no memory */
		if (mlockall(MCL_CURRENT | MCL_FUTURE) < 0)
			mlock_state = "mlockall refused by the kernel";
		else if (mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) < 0)
			mlock_state = "memory locked (mlockall; later pages at once)";
		else
			mlock_state = "memory locked (mlockall; later pages as first touched)";

	} else {
		mlock_state = "memory not locked (no CAP_IPC_LOCK and a limited RLIMIT_MEMLOCK)";
	}
	snprintf(report, len, "core dumps off (RLIMIT_CORE 0, not dumpable)%s; %s",
		 r ? " [failed]" : "", mlock_state);
	return r;
}

#define LOAD_NR BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr))
#define DENY_EPERM BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA))
#define ALLOW BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)

int lockdown_seccomp(char *report, size_t len)
{
	struct sock_filter filter[] = {
		/* [0] only our own ABI: anything else dies */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IRSNAP_AUDIT_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		LOAD_NR,
		/* [4] -1 is a syscall a tracer skipped (strace's fault injection):
		 * the kernel only returns ENOSYS for it */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0xffffffffU, 0, 1),
		ALLOW,
		/* [6] x32 syscall numbers carry bit 30 */
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		/* [8] no execution of anything */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_execve, 0, 1),
		DENY_EPERM,
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_execveat, 0, 1),
		DENY_EPERM,
		/* [12] no executable mappings: mmap's prot is arg 2, mprotect's too */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mmap, 3, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mprotect, 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_pkey_mprotect, 1, 0),
		ALLOW,
		/* [16] */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[2])),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, PROT_EXEC, 0, 1),
		DENY_EPERM,
		ALLOW,
	};
	struct sock_fprog prog = {
		.len = (unsigned short)(sizeof(filter) / sizeof(filter[0])),
		.filter = filter,
	};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		int e = errno;
		snprintf(report, len, "cannot set no_new_privs: %s", strerror(e));
		return -e;
	}
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0) {
		int e = errno;
		snprintf(report, len, "cannot install the seccomp filter: %s", strerror(e));
		return -e;
	}
	snprintf(report, len, "no_new_privs set; seccomp filter refuses execve, execveat "
		 "and PROT_EXEC mappings");
	return 0;
}
