/*
 * src_mountns.c - the mount table of every mount namespace (issue 18,
 * item 5): system/mounts.jsonl, one record per mount of each namespace,
 * and the raw mountinfo of each, system/mountns/<inode>/mountinfo.
 *
 * A container, a systemd service with PrivateTmp, or an intruder's
 * unshare(1) has mounts the host's table does not show. Each distinct
 * namespace (the inode of /proc/<pid>/ns/mnt, as lsns(8) names it) is read
 * once, through the first process found in it; irsnap's own namespace (a
 * read-only copy it made) is left out: the host's table as irsnap found it
 * is system/proc/self/mountinfo. Reading a mountinfo calls into no file
 * system (the kernel prints its own table), so a stalled FUSE mount cannot
 * hold it up.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jsonw.h"
#include "mountinfo.h"
#include "procfs.h"
#include "source.h"
#include "banned.h"

#define MI_CAP (16u << 20)
#define MAX_NS 4096

static void field(struct jw *w, const char *key, const struct mi_field *f, char *tmp)
{
	size_t n = mountinfo_unescape(f->s, f->n, tmp);
	jw_bytes(w, key, tmp, n);
}

/* One namespace's table into records; the number of mounts. */
static unsigned records(struct capbuf *out, uint64_t ns, int pid, const struct capbuf *mi,
			unsigned *bad)
{
	unsigned n = 0;
	char *tmp = malloc(mi->len + 1);

	if (!tmp)
		return 0;
	for (const char *p = mi->buf, *end = mi->buf + mi->len; p && p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		struct mi_line m;
		struct jw w;
		jw_begin(&w, out);
		jw_int(&w, "mnt_ns", (int64_t)ns);
		jw_int(&w, "pid", pid);
		if (mountinfo_parse(p, len, &m) < 0) {
			jw_bool(&w, "malformed", true);
			jw_bytes(&w, "line", p, len);
			(*bad)++;
		} else {
			jw_int(&w, "mount_id", (int64_t)m.id);
			jw_int(&w, "parent_id", (int64_t)m.parent);
			jw_int(&w, "major", m.major);
			jw_int(&w, "minor", m.minor);
			field(&w, "root", &m.root, tmp);
			field(&w, "mount_point", &m.mount_point, tmp);
			jw_bytes(&w, "options", m.options.s, m.options.n);
			jw_bytes(&w, "optional", m.optional.s, m.optional.n);
			jw_bytes(&w, "fstype", m.fstype.s, m.fstype.n);
			field(&w, "source", &m.source, tmp);
			jw_bytes(&w, "super_options", m.super_options.s, m.super_options.n);
			n++;
		}
		jw_end(&w);
		p = nl ? nl + 1 : NULL;
	}
	free(tmp);
	return n;
}

int src_mountns_collect(struct run *r)
{
	struct capbuf out;
	struct stat st;
	uint64_t *seen = NULL;
	size_t nseen = 0;
	unsigned nmounts = 0, bad = 0, unreadable = 0;
	int ret = 0;

	int procfd = proc_open_root();
	if (procfd < 0) {
		run_source_failed(r, "mounts", "/proc", -procfd, "no /proc to list processes");
		return 0;
	}
	uint64_t own = fstatat(procfd, "self/ns/mnt", &st, 0) == 0 ? (uint64_t)st.st_ino : 0;
	int dfd = dup(procfd);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	if (!d) {
		if (dfd >= 0)
			close(dfd);
		close(procfd);
		run_source_failed(r, "mounts", "/proc", errno, "cannot list /proc");
		return 0;
	}
	seen = calloc(MAX_NS, sizeof(*seen));
	capbuf_init(&out, 256u << 20);
	struct dirent *de;
	while (seen && ret == 0 && (de = readdir(d)) && nseen < MAX_NS && !run_should_stop(r)) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		char path[300];
		snprintf(path, sizeof(path), "%s/ns/mnt", de->d_name);
		if (fstatat(procfd, path, &st, 0) < 0)
			continue;   /* gone, or a kernel thread's: nothing to read */
		uint64_t ns = (uint64_t)st.st_ino;
		bool known = ns == own;
		for (size_t i = 0; i < nseen && !known; i++)
			known = seen[i] == ns;
		if (known)
			continue;
		struct capbuf mi;
		capbuf_init(&mi, MI_CAP);
		snprintf(path, sizeof(path), "%s/mountinfo", de->d_name);
		int e = proc_read(procfd, path, &mi);
		if ((e < 0 && e != -E2BIG) || !mi.len) {
			unreadable++;   /* the process went: its namespace may be met again */
			capbuf_release(&mi);
			continue;
		}
		seen[nseen++] = ns;
		int pid = (int)strtol(de->d_name, NULL, 10);
		nmounts += records(&out, ns, pid, &mi, &bad);
		char member[96], src[64];
		snprintf(member, sizeof(member), "system/mountns/%llu/mountinfo", (unsigned long long)ns);
		snprintf(src, sizeof(src), "/proc/%d/mountinfo", pid);
		ret = run_emit_copy(r, "mounts", member, src, &mi);
		capbuf_release(&mi);
	}
	closedir(d);
	close(procfd);
	run_log(r, "mounts: %zu mount namespaces besides irsnap's own, %u mounts (%u lines malformed), "
		"%u processes' tables unreadable%s", nseen, nmounts, bad, unreadable,
		nseen >= MAX_NS ? "; stopped at the cap of 4096 namespaces" : "");
	if (ret == 0)
		ret = run_emit(r, "mounts", "system/mounts.jsonl", &out);
	capbuf_release(&out);
	free(seen);
	return ret;
}
