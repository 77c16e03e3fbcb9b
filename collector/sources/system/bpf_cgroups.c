/*
 * bpf_cgroups.c - the programs attached to cgroups without a link
 * (BPF_PROG_ATTACH, the way systemd's IPAddressDeny and most loaders
 * attach): the link walk never sees them, so each cgroup folder of every
 * cgroup2 file system is asked with BPF_PROG_QUERY, for each of the
 * cgroup attach types bpftool's `cgroup tree` asks for (bpfsrc.h). One
 * line a program: the cgroup's path, the attach type and flags as bpftool
 * names them, the program's id and name. Depth and count are capped.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpfobj.h"
#include "bpfsrc.h"
#include "jsonw.h"
#include "mountinfo.h"
#include "textutil.h"
#include "banned.h"

#define CG_DEPTH 64
#define CG_MAX 100000
#define CG_PROGS 1024
#define CG_JSON_CAP (64u << 20)

/* bpftool's cgroup_attach_types, in its order; the unix ones (50-54)
 * by number, newer than this build's headers */
static const unsigned cg_types[] = {
	BPF_CGROUP_INET_INGRESS, BPF_CGROUP_INET_EGRESS, BPF_CGROUP_INET_SOCK_CREATE,
	BPF_CGROUP_INET_SOCK_RELEASE, BPF_CGROUP_INET4_BIND, BPF_CGROUP_INET6_BIND,
	BPF_CGROUP_INET4_POST_BIND, BPF_CGROUP_INET6_POST_BIND, BPF_CGROUP_INET4_CONNECT,
	BPF_CGROUP_INET6_CONNECT, 50, BPF_CGROUP_INET4_GETPEERNAME,
	BPF_CGROUP_INET6_GETPEERNAME, 53, BPF_CGROUP_INET4_GETSOCKNAME,
	BPF_CGROUP_INET6_GETSOCKNAME, 54, BPF_CGROUP_UDP4_SENDMSG, BPF_CGROUP_UDP6_SENDMSG, 51,
	BPF_CGROUP_UDP4_RECVMSG, BPF_CGROUP_UDP6_RECVMSG, 52, BPF_CGROUP_SOCK_OPS,
	BPF_CGROUP_DEVICE, BPF_CGROUP_SYSCTL, BPF_CGROUP_GETSOCKOPT, BPF_CGROUP_SETSOCKOPT,
	BPF_LSM_CGROUP,
};

static void flags_name(uint32_t f, char *buf, size_t n)
{
	if (f == BPF_F_ALLOW_MULTI)
		snprintf(buf, n, "multi");
	else if (f == BPF_F_ALLOW_OVERRIDE)
		snprintf(buf, n, "override");
	else if (f == 0)
		buf[0] = '\0';
	else
		snprintf(buf, n, "unknown(%x)", f);
}

/* One cgroup: every program attached to it, a line each. */
static void query(struct bstate *b, int cg, const char *path, size_t plen)
{
	uint32_t *ids = calloc(CG_PROGS, sizeof(*ids)), *fl = calloc(CG_PROGS, sizeof(*fl));

	for (size_t t = 0; ids && fl && t < sizeof(cg_types) / sizeof(*cg_types); t++) {
		uint32_t af = 0, n = CG_PROGS;
		if (bpfobj_query(cg, cg_types[t], &af, ids, fl, &n) < 0 || n == 0)
			continue;   /* EINVAL: the kernel has not that type */
		for (uint32_t i = 0; i < n && i < CG_PROGS; i++) {
			struct bpf_prog_info info;
			uint32_t len = sizeof(info);
			char fname[32];
			struct jw w;
			memset(&info, 0, sizeof(info));
			int fd = bpfobj_fd_by_id(BPFOBJ_PROG, ids[i]);
			if (fd >= 0) {
				if (bpfobj_info(fd, &info, &len) < 0)
					info.id = 0;
				close(fd);
			}
			flags_name(fl[i] ? fl[i] : af, fname, sizeof(fname));
			jw_begin(&w, b->cgout);
			jw_bytes(&w, "cgroup", path, plen ? plen : 1);
			const char *tn = bpfobj_attach_type(cg_types[t]);
			if (tn)
				jw_str(&w, "attach_type", tn);
			else
				jw_int(&w, "attach_type", cg_types[t]);
			jw_str(&w, "attach_flags", fname);
			jw_int(&w, "id", ids[i]);
			if (info.id)
				jw_bytes(&w, "name", info.name, strnlen(info.name, sizeof(info.name)));
			else
				jw_null(&w, "name");   /* unloaded since the query */
			if (n > CG_PROGS)
				jw_int(&w, "attached", n);   /* more than were listed */
			jw_end(&w);
		}
	}
	free(ids);
	free(fl);
}

static void walk(struct bstate *b, int dir, char *path, size_t plen, int depth)
{
	query(b, dir, path, plen);
	DIR *d = fdopendir(dir);
	struct dirent *de;
	if (!d) {
		close(dir);
		return;
	}
	while ((de = readdir(d)) && b->ncg < CG_MAX && !run_should_stop(b->r)) {
		if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		size_t nl = strlen(de->d_name);
		if (plen + 1 + nl + 1 > PATH_MAX || depth >= CG_DEPTH)
			continue;
		int sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0)
			continue;
		b->ncg++;
		path[plen] = '/';
		memcpy(path + plen + 1, de->d_name, nl + 1);
		walk(b, sub, path, plen + 1 + nl, depth + 1);
		path[plen] = '\0';
	}
	closedir(d);
}

static void one_mount(struct bstate *b, int dir, char *path, size_t plen, const struct mi_line *m)
{
	uint64_t dev = (uint64_t)m->major << 32 | m->minor;
	for (size_t i = 0; i < b->ncgdevs; i++)
		if (b->cgdevs[i] == dev) {   /* the same hierarchy mounted again */
			close(dir);
			return;
		}
	if (b->ncgdevs < sizeof(b->cgdevs) / sizeof(*b->cgdevs))
		b->cgdevs[b->ncgdevs++] = dev;
	if (!plen)
		path[0] = '/';
	walk(b, dir, path, plen, 0);
}

int bpf_cgroups(struct bstate *b)
{
	struct capbuf out;
	int ret;

	capbuf_init(&out, CG_JSON_CAP);
	b->cgout = &out;
	bpf_each_mount(b, "cgroup2", one_mount);
	run_log(b->r, "bpf: cgroups.jsonl: %zu cgroups of %zu cgroup2 file systems asked%s",
		b->ncg + b->ncgdevs, b->ncgdevs, b->ncg >= CG_MAX ? " (the cap)" : "");
	ret = run_emit(b->r, "bpf", "system/bpf/cgroups.jsonl", &out);
	b->cgout = NULL;
	capbuf_release(&out);
	return ret;
}
