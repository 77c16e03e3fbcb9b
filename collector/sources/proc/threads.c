/*
 * threads.c - volatile/threads.jsonl: every task of a process from its
 * task/ directory, read only when it has more than one.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "copy.h"
#include "hostfile.h"
#include "jsonw.h"
#include "procfs.h"
#include "procsrc.h"
#include "sha256.h"
#include "textutil.h"
#include "vec.h"
#include "banned.h"

void jw_ticks(struct procs *p, struct jw *w, unsigned long long ticks)
{
	char buf[RFC3339_LEN];
	int64_t ns = p->boot_ns + (int64_t)(ticks * (1000000000ULL / (unsigned long long)p->hz));

	fmt_rfc3339_ns(buf, ns / 1000000000LL, (long)(ns % 1000000000LL));
	jw_str(w, "start_time", buf);
	jw_int(w, "start_ticks", (int64_t)ticks);
}

static void thread_record(struct procs *p, struct capbuf *out, long tid, int tgid, int r,
			  const struct proc_stat *st)
{
	struct jw w;

	jw_begin(&w, out);
	jw_int(&w, "tid", tid);
	jw_int(&w, "tgid", tgid);
	if (r == 0) {
		char state[2] = { st->state, 0 };
		jw_bytes(&w, "comm", st->comm, st->comm_len);
		jw_str(&w, "state", state);
		jw_int(&w, "utime_ticks", (int64_t)st->utime);
		jw_int(&w, "stime_ticks", (int64_t)st->stime);
		jw_str(&w, "status", "ok");
		jw_ticks(p, &w, st->starttime);
	} else {
		jw_null(&w, "comm");
		jw_null(&w, "state");
		jw_null(&w, "utime_ticks");
		jw_null(&w, "stime_ticks");
		jw_str(&w, "status", "vanished");
		jw_null(&w, "start_time");
		jw_null(&w, "start_ticks");
	}
	jw_end(&w);
}

/* Threads of one process, from its task/ directory (through its fd): one
 * record per task; a task that exits between the listing and its stat is
 * recorded as vanished. Most processes have one thread: when the table says
 * so and the leader's own stat still counts one, task/ need not be listed. */
void collect_threads(struct procs *p, int dirfd, int tgid, int nlwp,
			    struct capbuf *out, struct errlist *errs)
{
	struct capbuf cb;
	struct proc_stat st;
	char path[300];
	int r;

	capbuf_init(&cb, 4096);
	if (nlwp == 1) {
		snprintf(path, sizeof(path), "task/%d/stat", tgid);
		r = proc_read_once(dirfd, path, &cb);
		if (r == 0)
			r = proc_stat_parse(cb.buf, cb.len, &st);
		if (r == 0 && st.num_threads == 1) {
			thread_record(p, out, tgid, tgid, 0, &st);
			capbuf_release(&cb);
			return;
		}
	}
	int td = openat(dirfd, "task", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	DIR *d = td >= 0 ? fdopendir(td) : NULL;
	struct dirent *de;

	if (!d) {
		proc_err(errs, "task", -errno);
		if (td >= 0)
			close(td);
		capbuf_release(&cb);
		return;
	}
	while ((de = readdir(d))) {
		char *end;
		long tid = strtol(de->d_name, &end, 10);

		if (*end || tid <= 0)
			continue;
		capbuf_reset(&cb);
		snprintf(path, sizeof(path), "%s/stat", de->d_name);
		r = proc_read_once(td, path, &cb);
		if (r == 0)
			r = proc_stat_parse(cb.buf, cb.len, &st);
		thread_record(p, out, tid, tgid, r, &st);
	}
	capbuf_release(&cb);
	closedir(d);
}

