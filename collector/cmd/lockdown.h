/*
 * lockdown.h - the process narrows itself before it touches evidence.
 *
 * lockdown_footprint(): no core dumps (RLIMIT_CORE 0, PR_SET_DUMPABLE 0),
 * no swap of collected data (mlockall, only where it cannot make later
 * allocations fail: with CAP_IPC_LOCK or an unlimited RLIMIT_MEMLOCK).
 *
 * lockdown_seccomp(): PR_SET_NO_NEW_PRIVS and a seccomp filter that makes
 * execve, execveat and any mmap/mprotect/pkey_mprotect asking for PROT_EXEC
 * fail with EPERM, so that no code path, ours or a library's, can run or map
 * host code after start-up. Syscalls of a foreign ABI (x32, i386 on x86-64)
 * kill the process.
 *
 * Both return 0 or -errno, and describe what they did in `report` (for the
 * work log).
 */
#ifndef IRSNAP_LOCKDOWN_H
#define IRSNAP_LOCKDOWN_H

#include <stddef.h>

int lockdown_footprint(char *report, size_t len);
int lockdown_seccomp(char *report, size_t len);

#endif
