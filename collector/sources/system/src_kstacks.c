/*
 * src_kstacks.c - the kernel stack of every task (issue 18, item 9):
 * /proc/<pid>/task/<tid>/stack where the kernel lets root read it
 * (CONFIG_STACKTRACE; CAP_SYS_ADMIN). Where a task sleeps in the kernel
 * shows what a process without a user-space trace is doing: a rootkit's
 * kernel thread, a backdoor blocked in a raw socket's recv. Member
 * system/stacks.jsonl: {"pid", "tid", "comm", "frames": [...]} (the
 * frames as the kernel prints them, "[<0>] do_nanosleep+0x6d/0x110"), or
 * {"pid", "tid", "error"} when the file could not be read.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jsonw.h"
#include "procfs.h"
#include "source.h"
#include "banned.h"

#define STACK_CAP (64u << 10)
#define STACKS_OUT_CAP (128u << 20)

static void one_task(struct capbuf *out, int taskdir, int pid, const char *tid, unsigned *nerr)
{
	struct capbuf st, comm;
	struct jw w;
	char path[300];

	capbuf_init(&st, STACK_CAP);
	capbuf_init(&comm, 64);
	snprintf(path, sizeof(path), "%s/stack", tid);
	int e = proc_read(taskdir, path, &st);
	snprintf(path, sizeof(path), "%s/comm", tid);
	proc_read_once(taskdir, path, &comm);
	if (e < 0 && proc_gone(e))
		goto out;   /* exited meanwhile */
	jw_begin(&w, out);
	jw_int(&w, "pid", pid);
	jw_int(&w, "tid", strtol(tid, NULL, 10));
	jw_bytes(&w, "comm", comm.buf ? comm.buf : "", strcspn(comm.buf ? comm.buf : "", "\n"));
	if (e < 0 && !st.len) {
		jw_str(&w, "error", strerror(-e));
		(*nerr)++;
	} else {
		const char *lines[512];
		size_t lens[512], n = 0;
		for (const char *p = st.buf ? st.buf : "", *end = p + st.len; p < end && n < 512;) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			const char *le = nl ? nl : end;
			lines[n] = p;
			lens[n++] = (size_t)(le - p);
			p = le + 1;
		}
		jw_bytes_array(&w, "frames", lines, lens, n);
	}
	jw_end(&w);
out:
	capbuf_release(&st);
	capbuf_release(&comm);
}

int src_kstacks_collect(struct run *r)
{
	struct capbuf out;
	unsigned ntask = 0, nerr = 0;
	int procfd = proc_open_root(), ret = 0;

	if (procfd < 0)
		return 0;
	int pfd = dup(procfd);
	DIR *d = pfd >= 0 ? fdopendir(pfd) : NULL;
	struct dirent *de;
	capbuf_init(&out, STACKS_OUT_CAP);
	while (d && (de = readdir(d)) && !run_should_stop(r)) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		int pid = (int)strtol(de->d_name, NULL, 10);
		char path[64];
		snprintf(path, sizeof(path), "%d/task", pid);
		int tfd = openat(procfd, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		DIR *td = tfd >= 0 ? fdopendir(tfd) : NULL;
		struct dirent *te;
		if (!td) {
			if (tfd >= 0)
				close(tfd);
			continue;
		}
		while ((te = readdir(td))) {
			if (te->d_name[0] < '1' || te->d_name[0] > '9')
				continue;
			one_task(&out, dirfd(td), pid, te->d_name, &nerr);
			ntask++;
		}
		closedir(td);
	}
	if (d)
		closedir(d);
	else if (pfd >= 0)
		close(pfd);
	run_log(r, "stacks: %u tasks, %u stacks not readable", ntask, nerr);
	if (ntask && nerr == ntask)
		run_log(r, "stacks: no stack was readable (a kernel without CONFIG_STACKTRACE, or no "
			"CAP_SYS_ADMIN)");
	ret = run_emit(r, "stacks", "system/stacks.jsonl", &out);
	capbuf_release(&out);
	close(procfd);
	return ret;
}
