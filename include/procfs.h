/*
 * procfs.h - reading /proc/<pid> through one directory fd (proc(5)).
 *
 * A process is opened once: proc_open_pid() returns an O_DIRECTORY fd on
 * /proc/<pid>, and every file of that process is read with openat() from it.
 * If the pid is recycled after the open, reads through the old fd fail with
 * ESRCH instead of returning the new process's data; the start time read
 * before and after proves the fd still named the same process.
 *
 * Reads of /proc files are capped by the caller's capbuf (proc files report
 * size 0); errors are -errno, with -ESRCH / -ENOENT meaning "vanished".
 */
#ifndef IRSNAP_PROCFS_H
#define IRSNAP_PROCFS_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

#include "capbuf.h"

struct proc_stat {
	const char *comm;            /* points into the parsed buffer */
	size_t comm_len;
	char state;
	int ppid, pgrp, session, tty_nr, tpgid;
	unsigned long flags;
	unsigned long long utime, stime;
	long priority, nice, num_threads;
	unsigned long long starttime;
	unsigned long long vsize;
	long long rss;
	/* fields 28 and 48-51: where the stack began and where argv and the
	 * environment lie (0 when the kernel hides them: no ptrace access) */
	unsigned long long startstack, arg_start, arg_end, env_start, env_end;
};

/* /proc, checked to be a procfs: -ENOMEDIUM when it is not (an empty
 * folder, another file system mounted over it). */
int proc_open_root(void);
int proc_open_pid(int procfd, int pid);
int proc_read(int dirfd, const char *name, struct capbuf *cb);
/* proc_read for a file the kernel makes whole at once (stat, status,
 * cgroup, comm, fdinfo, task stat; capbuf_read_fd_once): one read less. */
int proc_read_once(int dirfd, const char *name, struct capbuf *cb);
int proc_readlink(int dirfd, const char *name, char **ret, size_t *ret_len);
/* The inode of a namespace link ("ns/net" -> "net:[4026531840]"): 0 and
 * *ino (0 when the link has no "[N]"), or the readlink's -errno. */
int proc_ns_inode(int dirfd, const char *name, unsigned long long *ino);
/* Parse /proc/<pid>/stat: comm is between the first '(' and the LAST ')',
 * so a comm holding ')' or spaces cannot shift the fields. 0 or -EINVAL. */
int proc_stat_parse(const char *buf, size_t len, struct proc_stat *st);
/* Read and parse "stat" of an open pid dir; only starttime and flags kept. */
int proc_starttime(int dirfd, unsigned long long *ret_start, unsigned long *ret_flags);
/* The value of "Key:" in a /proc status-style text, trimmed; NULL if absent. */
const char *proc_status_field(const char *text, const char *key, size_t *ret_len);
/* One line of /proc/<pid>/maps (proc(5)), split in place without sscanf:
 * "start-end perms offset major:minor inode   [path]". Pointers point into
 * the line; perms is 4 bytes. 0 or -EINVAL. */
struct map_line {
	const char *perms, *dev, *path;   /* path NULL for anonymous mappings */
	size_t dev_len;
	unsigned long long ino;
};

int maps_parse_line(const char *line, struct map_line *m);
/* The name of a terminal from stat's tty_nr: pts/N, ttyN, ttySN, console,
 * or "major:minor"; "?" for none. */
void tty_name(int tty_nr, char *buf, size_t len);
static inline bool proc_gone(int err) { return err == -ESRCH || err == -ENOENT; }

#endif
