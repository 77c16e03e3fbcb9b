/*
 * src_containers.c - the `containers` step (issue 18, item 6): which
 * processes run in a container, and the containers the runtimes know.
 *   containers/processes.jsonl  every process with a namespace other than
 *     pid 1's, or a container id in its cgroup path: pid, comm, container_id,
 *     runtime (from the cgroup path), cgroup, ns {mnt, pid, net, uts, ipc,
 *     cgroup, user: inode numbers}, ns_other (the ones not pid 1's),
 *     pid_inside (the last NSpid), hostname (its UTS namespace's, read by a
 *     thread that joins it, and only that thread). A process in a namespace
 *     of its own and no runtime's cgroup is what `unshare` leaves: an
 *     unregistered container shows here too.
 *   containers/containers.jsonl  one record per container in the runtimes'
 *     state (docker's config.v2.json, podman's and CRI-O's containers.json
 *     with each OCI config.json, containerd's task folders): runtime, id,
 *     name, image, created, started, pid, hostname, args, env, mounts,
 *     ports, state_files, and what the process view adds (processes,
 *     pid_inside of its first process).
 * The raw state files and logs are copied by the profile's tree steps.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "ctrid.h"
#include "ctrsrc.h"
#include "hostfile.h"
#include "jsonw.h"
#include "jsonx.h"
#include "procfs.h"
#include "source.h"
#include "strset.h"
#include "textutil.h"
#include "banned.h"

static const char *const ns_names[] = { "mnt", "pid", "net", "uts", "ipc", "cgroup", "user" };
#define NNS (sizeof(ns_names) / sizeof(ns_names[0]))

static unsigned long long ns_inode(int pfd, const char *name)
{
	char path[32];
	unsigned long long ino;
	snprintf(path, sizeof(path), "ns/%s", name);
	proc_ns_inode(pfd, path, &ino);
	return ino;
}

struct uts_job {
	int fd;
	char name[65];
	int err;
};

/* On a thread of its own: join the UTS namespace, read the name. Only this
 * thread's namespace changes, and it ends here. */
static void *uts_thread(void *arg)
{
	struct uts_job *j = arg;
	struct utsname u;
	if (setns(j->fd, CLONE_NEWUTS) < 0 || uname(&u) < 0)
		j->err = errno;
	else
		snprintf(j->name, sizeof(j->name), "%s", u.nodename);
	return NULL;
}

static void uts_hostname(int pfd, struct jw *w)
{
	struct uts_job j = { .fd = openat(pfd, "ns/uts", O_RDONLY | O_CLOEXEC) };
	pthread_t t;
	if (j.fd < 0) {
		jw_null(w, "hostname");
		return;
	}
	if (pthread_create(&t, NULL, uts_thread, &j) == 0)
		pthread_join(t, NULL);
	else
		j.err = EAGAIN;
	close(j.fd);
	if (j.err)
		jw_str(w, "hostname_error", strerror(j.err));
	else
		jw_str(w, "hostname", j.name);
}

struct scan {
	struct ctr_seen *seen;
	size_t nseen;
	unsigned long long ref[NNS];
};

static void note_ctr(struct scan *s, const char *id, int pid, int inside)
{
	for (size_t i = 0; i < s->nseen; i++)
		if (strcmp(s->seen[i].id, id) == 0) {
			s->seen[i].processes++;
			return;
		}
	struct ctr_seen *v = realloc(s->seen, (s->nseen + 1) * sizeof(*v));
	if (!v)
		return;
	s->seen = v;
	v[s->nseen] = (struct ctr_seen){ .first_pid = pid, .pid_inside = inside, .processes = 1 };
	memcpy(v[s->nseen].id, id, sizeof(v[s->nseen].id));
	s->nseen++;
}

static void one_proc(struct scan *s, int procfd, int pid, struct capbuf *out)
{
	int pfd = proc_open_pid(procfd, pid);
	if (pfd < 0)
		return;
	unsigned long long ino[NNS], start = 0;
	unsigned long flags = 0;
	struct capbuf cg, st;
	char id[CTR_ID_LEN + 1];
	const char *rt = NULL;
	bool other = false;

	capbuf_init(&cg, 1u << 20);
	capbuf_init(&st, 1u << 20);
	if (proc_starttime(pfd, &start, &flags) < 0 || (flags & 0x00200000u))   /* kthread */
		goto out;
	for (size_t i = 0; i < NNS; i++) {
		ino[i] = ns_inode(pfd, ns_names[i]);
		other |= ino[i] && s->ref[i] && ino[i] != s->ref[i] && strcmp(ns_names[i], "mnt") != 0;
	}
	proc_read_once(pfd, "cgroup", &cg);
	bool has_id = cg.buf && ctrid_from_cgroup(cg.buf, cg.len, id, &rt) == 0;
	if (!other && !has_id)
		goto out;
	proc_read_once(pfd, "status", &st);
	size_t nl = 0;
	const char *nspid = st.buf ? proc_status_field(st.buf, "NSpid", &nl) : NULL;
	int inside = pid;
	if (nspid) {   /* the last number: the pid in the innermost namespace */
		const char *e = nspid + nl;
		while (e > nspid && (e[-1] < '0' || e[-1] > '9'))
			e--;
		const char *b = e;
		while (b > nspid && b[-1] >= '0' && b[-1] <= '9')
			b--;
		inside = (int)strtol(b, NULL, 10);
	}
	const char *comm = st.buf ? proc_status_field(st.buf, "Name", &nl) : NULL;
	struct jw w, sub;
	jw_begin(&w, out);
	jw_int(&w, "pid", pid);
	jw_int(&w, "start_ticks", (int64_t)start);
	jw_bytes(&w, "comm", comm ? comm : "", comm ? nl : 0);
	jw_str(&w, "container_id", has_id ? id : NULL);
	jw_str(&w, "runtime", has_id ? rt : NULL);
	const char *line0 = cg.buf ? cg.buf : "";
	jw_bytes(&w, "cgroup", line0, strcspn(line0, "\n"));
	jw_object(&w, "ns", &sub);
	const char *diff[NNS];
	size_t dl[NNS], nd = 0;
	for (size_t i = 0; i < NNS; i++) {
		jw_int(&sub, ns_names[i], (int64_t)ino[i]);
		if (ino[i] && s->ref[i] && ino[i] != s->ref[i]) {
			diff[nd] = ns_names[i];
			dl[nd++] = strlen(ns_names[i]);
		}
	}
	jw_object_end(&sub);
	jw_bytes_array(&w, "ns_other", diff, dl, nd);
	jw_int(&w, "pid_inside", inside);
	uts_hostname(pfd, &w);
	jw_end(&w);
	if (has_id)
		note_ctr(s, id, pid, inside);
out:
	capbuf_release(&cg);
	capbuf_release(&st);
	close(pfd);
}

int src_containers_collect(struct run *r)
{
	struct scan s = { 0 };
	struct capbuf procs, ctrs;
	int procfd = proc_open_root(), ret = 0;
	unsigned nproc = 0;

	if (procfd < 0) {
		run_source_failed(r, "containers", "/proc", procfd, "no process table");
		return 0;
	}
	/* the host's namespaces: pid 1's, else irsnap's own (its mount
	 * namespace is private: mount namespaces are not compared) */
	int one = proc_open_pid(procfd, 1), self = proc_open_pid(procfd, getpid());
	for (size_t i = 0; i < NNS; i++) {
		s.ref[i] = one >= 0 ? ns_inode(one, ns_names[i]) : 0;
		if (!s.ref[i] && self >= 0)
			s.ref[i] = ns_inode(self, ns_names[i]);
	}
	if (one >= 0)
		close(one);
	if (self >= 0)
		close(self);
	capbuf_init(&procs, 64u << 20);
	capbuf_init(&ctrs, 64u << 20);
	int dfd = dup(procfd);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	struct dirent *de;
	while (d && (de = readdir(d)) && !run_should_stop(r)) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		size_t before = procs.len;
		one_proc(&s, procfd, (int)strtol(de->d_name, NULL, 10), &procs);
		nproc += procs.len > before;
	}
	if (d)
		closedir(d);
	else if (dfd >= 0)
		close(dfd);
	close(procfd);
	unsigned nctr = ctr_state_records(r, &ctrs, s.seen, s.nseen);
	run_log(r, "containers: %u processes in a container or a namespace of their own, %zu "
		"container ids among them; %u containers in the runtimes' state", nproc, s.nseen, nctr);
	ret = run_emit(r, "containers", "containers/processes.jsonl", &procs);
	if (ret == 0)
		ret = run_emit(r, "containers", "containers/containers.jsonl", &ctrs);
	capbuf_release(&procs);
	capbuf_release(&ctrs);
	free(s.seen);
	return ret;
}
