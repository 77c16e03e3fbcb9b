/*
 * static_shims.c - link-time replacements for the static release build only.
 *
 * libproc2.a calls sd_* functions of libsystemd, which Debian ships only as a
 * shared library: these replacements fail with -ENOSYS, and irsnap never asks
 * libproc2 for the PIDS_SD_* items that would use them.
 *
 * libproc2 also dlopen()s libnuma (and static glibc's NSS and iconv paths
 * would dlopen host modules): the link uses -Wl,--wrap=dlopen, so every
 * dlopen in the binary lands in __wrap_dlopen, which refuses. The trace test
 * (tests/cli/t_trace.sh) proves that no shared object is opened.
 */
#include <errno.h>
#include <stddef.h>
#include <sys/types.h>

void *__wrap_dlopen(const char *file, int mode);
void *__wrap_iconv_open(const char *tocode, const char *fromcode);
int sd_pid_get_machine_name(pid_t pid, char **name);
int sd_pid_get_owner_uid(pid_t pid, uid_t *uid);
int sd_pid_get_session(pid_t pid, char **session);
int sd_pid_get_slice(pid_t pid, char **slice);
int sd_pid_get_unit(pid_t pid, char **unit);
int sd_pid_get_user_unit(pid_t pid, char **unit);
int sd_session_get_seat(const char *session, char **seat);

void *__wrap_dlopen(const char *file, int mode)
{
	(void)file;
	(void)mode;
	return NULL;
}

void *__wrap_iconv_open(const char *tocode, const char *fromcode)
{
	(void)tocode;
	(void)fromcode;
	errno = EINVAL;
	return (void *)-1;
}

int sd_pid_get_machine_name(pid_t pid, char **name)
{
	(void)pid; (void)name;
	return -ENOSYS;
}

int sd_pid_get_owner_uid(pid_t pid, uid_t *uid)
{
	(void)pid; (void)uid;
	return -ENOSYS;
}

int sd_pid_get_session(pid_t pid, char **session)
{
	(void)pid; (void)session;
	return -ENOSYS;
}

int sd_pid_get_slice(pid_t pid, char **slice)
{
	(void)pid; (void)slice;
	return -ENOSYS;
}

int sd_pid_get_unit(pid_t pid, char **unit)
{
	(void)pid; (void)unit;
	return -ENOSYS;
}

int sd_pid_get_user_unit(pid_t pid, char **unit)
{
	(void)pid; (void)unit;
	return -ENOSYS;
}

int sd_session_get_seat(const char *session, char **seat)
{
	(void)session; (void)seat;
	return -ENOSYS;
}

