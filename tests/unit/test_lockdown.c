/* The seccomp filter refuses execve, execveat and PROT_EXEC mappings, and
 * allows ordinary mappings. Each case runs in a child; the control case
 * proves the same calls work before the lockdown. */
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lockdown.h"
#include "tap.h"

/* Returns a bit mask: 1 exec refused, 2 mmap exec refused, 4 mprotect exec
 * refused, 8 plain mmap worked, 16 execveat refused. */
static int probe(int lock)
{
	pid_t pid = fork();
	if (pid == 0) {
		char rep[256];
		int mask = 0;
		if (lock && lockdown_seccomp(rep, sizeof(rep)) < 0)
			_exit(255);
		char *argv[] = { "/bin/true", NULL }, *envp[] = { NULL };
		if (lock) {
			/* without the lock, a successful exec would end the probe */
			if (syscall(SYS_execve, "/bin/true", argv, envp) < 0 && errno == EPERM)
				mask |= 1;
			if (syscall(SYS_execveat, AT_FDCWD, "/bin/true", argv, envp, 0) < 0 &&
			    errno == EPERM)
				mask |= 16;
		}
		void *p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED && errno == EPERM)
			mask |= 2;
		void *q = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (q != MAP_FAILED) {
			mask |= 8;
			if (mprotect(q, 4096, PROT_READ | PROT_EXEC) < 0 && errno == EPERM)
				mask |= 4;
		}
		_exit(mask);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Run `nr` after the lockdown in a child; return its wait status. */
static int probe_nr(long nr)
{
	pid_t pid = fork();
	if (pid == 0) {
		char rep[256];
		if (lockdown_seccomp(rep, sizeof(rep)) < 0)
			_exit(255);
		long r = syscall(nr);
		_exit(r < 0 && errno == ENOSYS ? 7 : 8);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	return st;
}

int main(void)
{
	int before = probe(0), after = probe(1);

	printf("before lockdown: %d, after: %d\n", before, after);
	CHECK(before == 8);            /* exec mappings allowed, plain ones too */
	CHECK(after == (1 | 2 | 4 | 8 | 16));
	int st;
#ifdef __x86_64__
	st = probe_nr(0x40000000L | SYS_getpid);   /* an x32 syscall: killed */
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS);
#endif
	st = probe_nr(-1);                              /* a tracer-skipped one: ENOSYS */
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7);
	return tap_done("lockdown");
}
