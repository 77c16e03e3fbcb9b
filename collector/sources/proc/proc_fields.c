/*
 * proc_fields.c - the fields of a process record read through its /proc/<pid>
 * dirfd (proc(5)): NUL-separated lists, capped reads, links (exe, cwd,
 * root), namespaces, status (ids, capabilities, seccomp) and the names of
 * its ids from the host's passwd and group.
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

static const char *const ns_names[] = {
	"cgroup", "ipc", "mnt", "net", "pid", "pid_for_children", "time",
	"time_for_children", "user", "uts",
};

/* Split NUL-separated bytes (cmdline, environ) into a JSON array. */
void set_nul_list(struct jw *w, const char *key, const char *buf, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += buf[i] == '\0';
	n += len && buf[len - 1] != '\0';   /* a last item without its NUL */
	const char **items = calloc(n + 1, sizeof(*items));
	size_t *lens = calloc(n + 1, sizeof(*lens));

	if (items && lens) {
		size_t k = 0;
		for (size_t i = 0; i < len && k < n; k++) {
			const char *z = memchr(buf + i, '\0', len - i);
			size_t l = z ? (size_t)(z - (buf + i)) : len - i;
			items[k] = buf + i;
			lens[k] = l;
			i += l + 1;
		}
		jw_bytes_array(w, key, items, lens, k);
	} else {
		jw_null(w, key);
	}
	free(items);
	free(lens);
}

/* Read a capped /proc file; on E2BIG keep counting to learn the true size. */
int read_capped(int dirfd, const char *name, struct capbuf *cb, uint64_t *ret_total,
		struct capped_tail *tail)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
	char drain[8192];
	int r;

	tail->len = 0;
	tail->offset = 0;
	tail->at_least = false;
	if (fd < 0)
		return -errno;
	r = capbuf_read_fd_once(cb, fd);   /* argv and environ end at a short read */
	uint64_t total = cb->len;
	if (r == -E2BIG) {
		total = cb->wanted;
		int i;
		for (i = 0; i < 8192; i++) {   /* at most 64 MiB more */
			ssize_t n = read(fd, drain, sizeof(drain));
			if (n <= 0)
				break;
			if (tail->len + (size_t)n > sizeof(tail->buf)) {   /* keep the last TAIL_MAX */
				size_t keep = tail->len < TAIL_MAX ? tail->len : TAIL_MAX;
				memmove(tail->buf, tail->buf + tail->len - keep, keep);
				tail->len = keep;
			}
			memcpy(tail->buf + tail->len, drain, (size_t)n);
			tail->len += (size_t)n;
			total += (uint64_t)n;
		}
		if (i == 8192) {   /* the drain limit, not the end: more may follow */
			char probe;
			tail->at_least = read(fd, &probe, 1) > 0;
		}
		if (tail->len > TAIL_MAX) {
			memmove(tail->buf, tail->buf + tail->len - TAIL_MAX, TAIL_MAX);
			tail->len = TAIL_MAX;
		}
		tail->offset = total - tail->len;
	}
	close(fd);
	*ret_total = total;
	return r;
}

void set_tail(struct jw *o, const char *prefix, const struct capped_tail *t)
{
	char key[48];

	snprintf(key, sizeof(key), "%s_tail", prefix);
	set_nul_list(o, key, t->buf, t->len);   /* its first item may be a part */
	snprintf(key, sizeof(key), "%s_tail_offset", prefix);
	jw_int(o, key, (int64_t)t->offset);
	snprintf(key, sizeof(key), "%s_original_size_at_least", prefix);
	jw_bool(o, key, t->at_least);
}

void set_link(int dirfd, const char *name, struct jw *o, const char *key,
		     struct errlist *errs)
{
	char *link = NULL;
	size_t len = 0;
	int r = proc_readlink(dirfd, name, &link, &len);

	if (r == 0)
		jw_bytes(o, key, link, len);
	else {
		jw_null(o, key);
		if (r != -ENOENT)
			proc_err(errs, name, r);
	}
	free(link);
}

void set_namespaces(int dirfd, struct jw *o)
{
	struct jw ns;
	char path[64];
	/* ten links: resolved from the ns/ directory, one path step each */
	int nsfd = openat(dirfd, "ns", O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);

	jw_object(o, "namespaces", &ns);
	for (size_t i = 0; i < sizeof(ns_names) / sizeof(ns_names[0]); i++) {
		unsigned long long ino;
		snprintf(path, sizeof(path), "%s%s", nsfd >= 0 ? "" : "ns/", ns_names[i]);
		if (proc_ns_inode(nsfd >= 0 ? nsfd : dirfd, path, &ino) == 0)
			jw_int(&ns, ns_names[i], (int64_t)ino);
	}
	jw_object_end(&ns);
	if (nsfd >= 0)
		close(nsfd);
}

/* status: capabilities, seccomp, exact supplementary groups. */
/* "Uid:" or "Gid:" of status: real, effective, saved, filesystem. */
bool status_ids(const char *text, const char *key, unsigned v[4])
{
	size_t n;
	const char *f = proc_status_field(text, key, &n);

	if (!f)
		return false;
	char *end;
	for (int i = 0; i < 4; i++) {
		unsigned long x = strtoul(f, &end, 10);
		if (end == f || x > UINT32_MAX)
			return false;
		v[i] = (unsigned)x;
		f = end;
	}
	return true;
}

/* NSpid, NStgid, NSpgid, NSsid: the ids in each pid namespace from the
 * reader's down to the process's own (a process in a container says what
 * it calls itself there); arrays of numbers, absent on old kernels. */
static void set_ns_ids(struct jw *o, const char *text)
{
	static const char *const keys[][2] = {
		{ "NSpid", "ns_pid" }, { "NStgid", "ns_tgid" }, { "NSpgid", "ns_pgid" },
		{ "NSsid", "ns_sid" },
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		size_t n;
		const char *v = proc_status_field(text, keys[i][0], &n);
		if (!v)
			continue;
		jw_key(o, keys[i][1]);
		capbuf_add(o->cb, "[", 1);
		int k = 0;
		for (const char *q = v, *end = v + n; q < end; k++) {
			char *e, num[FMT_INT_LEN];
			unsigned long id = strtoul(q, &e, 10);
			if (e == q)
				break;
			if (k)
				capbuf_add(o->cb, ",", 1);
			capbuf_add(o->cb, num, fmt_u64(num, id));
			q = e;
			while (q < end && (*q == ' ' || *q == '\t'))
				q++;
		}
		capbuf_add(o->cb, "]", 1);
	}
}

void set_status(struct procs *p, const struct capbuf *cb, struct jw *o)
{
	static const char *const caps[][2] = {
		{ "CapEff", "effective" }, { "CapPrm", "permitted" }, { "CapBnd", "bounding" },
		{ "CapInh", "inheritable" }, { "CapAmb", "ambient" },
	};
	struct jw c;
	size_t n;
	const char *text = cb->buf ? cb->buf : "";

	jw_object(o, "capabilities", &c);
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		const char *v = proc_status_field(text, caps[i][0], &n);
		if (v)
			jw_bytes(&c, caps[i][1], v, n);
	}
	jw_object_end(&c);
	const char *v = proc_status_field(text, "Seccomp", &n);
	if (v)
		jw_int(o, "seccomp", strtol(v, NULL, 10));
	else
		jw_null(o, "seccomp");
	v = proc_status_field(text, "Groups", &n);
	struct capbuf gn;
	capbuf_init(&gn, 1u << 20);
	jw_key(o, "groups");
	capbuf_add(o->cb, "[", 1);
	capbuf_add(&gn, "[", 1);
	int k = 0;
	for (const char *q = v, *end = v ? v + n : NULL; q && q < end; k++) {
		char *e, num[FMT_INT_LEN];
		unsigned long gid = strtoul(q, &e, 10);
		if (e == q)
			break;
		if (k) {
			capbuf_add(o->cb, ",", 1);
			capbuf_add(&gn, ",", 1);
		}
		capbuf_add(o->cb, num, fmt_u64(num, gid));
		const struct account *acc = accounts_group(&p->acc, (unsigned)gid);
		if (acc)   /* the text only: a name that is not UTF-8 gets U+FFFD */
			jw_text(&gn, acc->name, acc->len);
		else
			capbuf_add(&gn, "null", 4);
		q = e;
		while (q < end && *q == ' ')
			q++;
	}
	capbuf_add(o->cb, "]", 1);
	capbuf_add(&gn, "]", 1);
	jw_key(o, "group_names");
	capbuf_add(o->cb, gn.buf, gn.len);
	capbuf_release(&gn);
	set_ns_ids(o, text);
}

void set_ids(struct procs *p, struct jw *o, const char *key, const unsigned v[4],
		    bool user)
{
	static const char *const which[] = { "real", "effective", "saved", "fs" };
	char nkey[32];
	struct jw ids, names;

	snprintf(nkey, sizeof(nkey), "%s_names", key);
	if (!v) {   /* status unreadable: the process was gone */
		jw_null(o, key);
		jw_null(o, nkey);
		return;
	}
	jw_object(o, key, &ids);
	for (int i = 0; i < 4; i++)
		jw_int(&ids, which[i], v[i]);
	jw_object_end(&ids);
	jw_object(o, nkey, &names);
	for (int i = 0; i < 4; i++) {
		const struct account *a = user ? accounts_user(&p->acc, v[i]) :
					  accounts_group(&p->acc, v[i]);
		if (a)
			jw_bytes(&names, which[i], a->name, a->len);
		else
			jw_null(&names, which[i]);
	}
	jw_object_end(&names);
}

/* cmdline: exact bytes into the record, capped (-E2BIG when cut). */
int set_cmdline(int dirfd, struct jw *o, struct capbuf *cmd, struct errlist *errs)
{
	uint64_t total = 0;
	struct capped_tail *t = malloc(sizeof(*t));
	int r = t ? read_capped(dirfd, "cmdline", cmd, &total, t) : -ENOMEM;

	if (r < 0 && r != -E2BIG)
		proc_err(errs, "cmdline", r);
	set_nul_list(o, "cmdline", cmd->buf ? cmd->buf : "", cmd->len);
	jw_bool(o, "cmdline_truncated", r == -E2BIG);
	if (r == -E2BIG) {   /* the head above, the end here: both kept */
		jw_int(o, "cmdline_original_size", (int64_t)total);
		set_tail(o, "cmdline", t);
	}
	free(t);
	return r;
}

void set_cgroup(int dirfd, struct jw *o, struct errlist *errs)
{
	struct capbuf cg;
	int r;

	capbuf_init(&cg, CGROUP_CAP);
	r = proc_read_once(dirfd, "cgroup", &cg);
	if (r == 0 || r == -E2BIG)
		jw_bytes(o, "cgroup", cg.buf ? cg.buf : "", cg.len);
	else
		proc_err(errs, "cgroup", r);
	capbuf_release(&cg);
}

/* Whether the process of an open pid folder has exited (its stat is gone). */
static bool proc_pid_gone(int dirfd)
{
	unsigned long long start;
	unsigned long flags;

	return proc_starttime(dirfd, &start, &flags) < 0;
}

/* The environ.jsonl record: exact bytes (kernel threads have none). An
 * environment holds secrets: its copy is wiped before it is freed. */
void environ_record(struct pchunk *c, const struct proc_entry *e, int dirfd,
			   bool kthread, struct errlist *errs)
{
	struct capbuf env;
	uint64_t total = 0;
	struct jw eo;
	int r;

	capbuf_init(&env, ENVIRON_CAP);
	/* read even when flagged a kernel thread (the flag may be forged); a
	 * real one has no memory: the kernel answers ESRCH, which is "none" */
	struct capped_tail *t = malloc(sizeof(*t));
	r = t ? read_capped(dirfd, "environ", &env, &total, t) : -ENOMEM;
	if (kthread && r == -ESRCH && !proc_pid_gone(dirfd))
		r = 0;
	jw_begin(&eo, &c->environ);
	jw_int(&eo, "pid", e->pid);
	jw_int(&eo, "start_ticks", (int64_t)e->start_ticks);
	if (r == 0 || r == -E2BIG) {
		set_nul_list(&eo, "environ", env.buf ? env.buf : "", env.len);
		jw_bool(&eo, "truncated", r == -E2BIG);
		c->cut_environ += r == -E2BIG;
		jw_int(&eo, "original_size", (int64_t)total);
		if (r == -E2BIG)   /* "environ_tail", "environ_tail_offset", ... */
			set_tail(&eo, "environ", t);
	} else {
		proc_err(errs, "environ", r);
		jw_null(&eo, "environ");
		jw_str(&eo, "error", strerrorname_np(-r));
	}
	jw_end(&eo);
	if (env.buf)
		explicit_bzero(env.buf, env.alloc);
	if (t)   /* an environment holds secrets: its tail too */
		explicit_bzero(t, sizeof(*t));
	free(t);
	capbuf_release(&env);
}

/* The PR_SET_MM tell: execve lays argv and then the environment out at the
 * top of the stack, above where the stack began (stat fields 28, 48-51).
 * prctl(PR_SET_MM_MAP), which needs no privilege, can point them anywhere
 * (a fake "sshd: root@notty" in .data): /proc/<pid>/cmdline, ps and irsnap
 * then read the fake. Recorded, with the addresses, when they are not
 * where execve puts them; all zero (no ptrace access, a kernel thread)
 * says nothing. */
void mm_args_tell(struct jw *o, const struct proc_stat *st)
{
	if (!st->arg_start && !st->arg_end && !st->env_start && !st->env_end)
		return;
	if (st->startstack && st->startstack <= st->arg_start && st->arg_start <= st->arg_end &&
	    st->arg_end <= st->env_start && st->env_start <= st->env_end)
		return;
	struct jw w;
	jw_bool(o, "args_moved", true);
	jw_object(o, "args_layout", &w);
	jw_int(&w, "start_stack", (int64_t)st->startstack);
	jw_int(&w, "arg_start", (int64_t)st->arg_start);
	jw_int(&w, "arg_end", (int64_t)st->arg_end);
	jw_int(&w, "env_start", (int64_t)st->env_start);
	jw_int(&w, "env_end", (int64_t)st->env_end);
	jw_object_end(&w);
}

void procs_count_cut(struct procs *p)
{
	struct run *r = p->r;

	/* records cut inside the members, for run.json's counts */
	r->cut_cmdline += p->cut_cmdline;
	r->cut_environ += p->cut_environ;
	r->cut_exe_hash += p->cut_exe;
	if (p->cut_cmdline || p->cut_environ || p->cut_exe)
		run_log(r, "processes: records cut at their cap: %u argv, %u environments, "
			"%u executables over the hash or copy cap", p->cut_cmdline, p->cut_environ,
			p->cut_exe);
}
