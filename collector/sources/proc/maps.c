/*
 * maps.c - the lsof equivalent's mapped files (procsrc.h): one record per
 * mapped file of a process, by PROCMAP_QUERY (Linux 6.11) or from the maps
 * text (proc(5)), into volatile/open-files.jsonl.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "jsonw.h"
#include "procfs.h"
#include "procsrc.h"
#include "banned.h"

/* A mapped file's record stays open while its next parts follow: every
 * part's perms are kept (part_perms, when more than one), so a part made
 * writable and executable, or an r-x part beside the usual ones, shows. */
#define MAX_PARTS 64
struct open_map {
	struct jw w;
	bool on;
	unsigned nparts;
	char parts[MAX_PARTS * 5 + 1];
};

static void map_part(struct open_map *m, const char perms[4])
{
	if (m->on && m->nparts < MAX_PARTS) {
		char *at = m->parts + m->nparts * 5;
		if (m->nparts)
			at[-1] = ' ';
		memcpy(at, perms, 4);
		at[4] = '\0';
	}
	m->nparts++;
}

static void map_close(struct open_map *m)
{
	if (!m->on)
		return;
	if (m->nparts > 1) {
		jw_str(&m->w, "part_perms", m->parts);
		if (m->nparts > MAX_PARTS)
			jw_int(&m->w, "parts", m->nparts);
	}
	jw_end(&m->w);
	m->on = false;
}

static void map_record(struct open_map *om, struct capbuf *out, int pid, const char *path,
		       size_t n, const char *dev, size_t dev_len, unsigned long long ino,
		       const char perms[4])
{
	static const char del[] = " (deleted)";
	struct jw *w = &om->w;

	map_close(om);
	jw_begin(w, out);
	jw_int(w, "pid", pid);
	jw_null(w, "fd");
	jw_str(w, "type", "mmap");
	if (path)
		jw_bytes(w, "target", path, n);
	else
		jw_null(w, "target");
	jw_bool(w, "deleted", path && n >= sizeof(del) - 1 &&
		memcmp(path + n - (sizeof(del) - 1), del, sizeof(del) - 1) == 0);
	jw_bytes(w, "dev", dev, dev_len);
	jw_int(w, "ino", (int64_t)ino);
	jw_bytes(w, "perms", perms, 4);
	om->on = true;
	om->nparts = 0;
	map_part(om, perms);
}

/* An executable mapping backed by no file (shellcode, a JIT, a loader that
 * unmapped its file): address, size, perms, its name ("[heap]", "[stack]",
 * "[anon:...]") if any, and W+X marked. The kernel's own [vdso] and
 * [vsyscall] are every process's and are left out. */
static bool usual_anon(const char *name, size_t n)
{
	return name && ((n == 6 && memcmp(name, "[vdso]", 6) == 0) ||
			(n == 10 && memcmp(name, "[vsyscall]", 10) == 0) ||
			(n == 9 && memcmp(name, "[uprobes]", 9) == 0));
}

static void anon_exec_record(struct capbuf *out, int pid, uint64_t start, uint64_t end,
			     const char perms[4], const char *name, size_t n)
{
	struct jw w;
	char a[32];

	jw_begin(&w, out);
	jw_int(&w, "pid", pid);
	jw_null(&w, "fd");
	jw_str(&w, "type", "mmap-anon-exec");
	snprintf(a, sizeof(a), "0x%llx", (unsigned long long)start);
	jw_str(&w, "start", a);
	snprintf(a, sizeof(a), "0x%llx", (unsigned long long)end);
	jw_str(&w, "end", a);
	jw_int(&w, "size", (int64_t)(end - start));
	jw_bytes(&w, "perms", perms, 4);
	jw_bool(&w, "wx", perms[1] == 'w' && perms[2] == 'x');
	if (name && n)
		jw_bytes(&w, "name", name, n);
	else
		jw_null(&w, "name");
	jw_end(&w);
}

/* maps lines: "start-end perms offset major:minor inode   path" */
void proc_maps_text(struct capbuf *out, int dirfd, int pid, struct errlist *errs)
{
	struct capbuf cb;
	int r;

	capbuf_init(&cb, MAPS_CAP);
	r = proc_read(dirfd, "maps", &cb);
	if (r < 0 && r != -E2BIG) {
		proc_err(errs, "maps", r);
		capbuf_release(&cb);
		return;
	}
	const char *last_path = "";
	unsigned long long last_ino = 0;
	struct open_map om = { .on = false };
	struct capbuf anon;   /* after the files, as the query finds them */
	capbuf_init(&anon, MAPS_CAP);
	for (char *line = cb.buf; line && *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		struct map_line m;
		if (maps_parse_line(line, &m) == 0 && m.ino == 0 && m.perms[2] == 'x' &&
		    !usual_anon(m.path, m.path ? strlen(m.path) : 0)) {
			char *dash;
			unsigned long long start = strtoull(line, &dash, 16);
			unsigned long long end = *dash == '-' ? strtoull(dash + 1, NULL, 16) : start;
			anon_exec_record(&anon, pid, start, end, m.perms, m.path,
					 m.path ? strlen(m.path) : 0);
		} else if (maps_parse_line(line, &m) == 0 && m.path && m.ino != 0) {
			if (m.ino == last_ino && strcmp(m.path, last_path) == 0) {
				map_part(&om, m.perms);   /* the next part of the same file */
			} else {
				map_record(&om, out, pid, m.path, strlen(m.path), m.dev, m.dev_len,
					   m.ino, m.perms);
				last_path = m.path;   /* points into cb, which outlives the loop */
				last_ino = m.ino;
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	map_close(&om);
	if (anon.len)
		capbuf_add(out, anon.buf, anon.len);
	capbuf_release(&anon);
	if (r == -E2BIG)
		proc_err(errs, "maps (truncated at cap)", E2BIG);
	capbuf_release(&cb);
}

/* PROCMAP_QUERY (Linux 6.11, <linux/fs.h>; declared here, Debian 12's
 * headers predate it): one ioctl per file-backed mapping on a maps fd, the
 * same facts as a maps line without the kernel formatting text, and the
 * path's exact bytes (maps writes a newline in a name as \012). */
struct procmap_query {
	uint64_t size, query_flags, query_addr;
	uint64_t vma_start, vma_end, vma_flags, vma_page_size, vma_offset, inode;
	uint32_t dev_major, dev_minor, vma_name_size, build_id_size;
	uint64_t vma_name_addr, build_id_addr;
};
_Static_assert(sizeof(struct procmap_query) == 104, "struct procmap_query is 104 bytes");
#define PROCMAP_QUERY_IOCTL 0xC0686611UL   /* _IOWR('f', 17, struct procmap_query) */
#define PQ_READABLE 0x01
#define PQ_WRITABLE 0x02
#define PQ_EXECUTABLE 0x04
#define PQ_SHARED 0x08
#define PQ_COVERING_OR_NEXT 0x10
#define MAPS_QUERY_CAP 200000              /* mappings per process, as MAPS_CAP */

static atomic_int query_unsupported;   /* the kernel said ENOTTY once: use maps */

/* One query: the mapping at or after `addr` (file-backed or not), with its
 * name into `name` when `name` is not NULL. 0 or -errno. */
static int query_at(int fd, uint64_t addr, char *name, size_t size, struct procmap_query *q)
{
	*q = (struct procmap_query){
		.size = sizeof(*q), .query_flags = PQ_COVERING_OR_NEXT, .query_addr = addr,
	};
	if (name) {
		q->vma_name_size = (uint32_t)size;
		q->vma_name_addr = (uint64_t)(uintptr_t)name;
	}
	return ioctl(fd, PROCMAP_QUERY_IOCTL, q) < 0 ? -errno : 0;
}

/* An executable mapping backed by no file: its name asked for (few are:
 * a process's code is its files'), a record into `anon` unless usual. */
static void anon_exec(struct capbuf *anon, int fd, int pid, const struct procmap_query *at,
		      const char perms[4], char *name, size_t size, struct errlist *errs)
{
	struct procmap_query q;
	int r = query_at(fd, at->vma_start, name, size, &q);

	if (r < 0 && r != -ENOENT && r != -ESRCH)
		proc_err(errs, "maps (exec query)", r);
	bool same = r == 0 && q.vma_start == at->vma_start && q.inode == 0;
	size_t n = same && q.vma_name_size ? q.vma_name_size - 1 : 0;
	if (same && usual_anon(name, n))
		return;
	anon_exec_record(anon, pid, at->vma_start, at->vma_end, perms, n ? name : NULL, n);
}

/* One pass over the mappings: a record per mapped file (the next parts of
 * the same file once, their perms in part_perms), and after them those
 * executable mappings no file backs, as the maps text reader orders them. */
int proc_maps_query(struct capbuf *out, int fd, int pid, struct errlist *errs)
{
	char name[PATH_MAX + 64];
	uint64_t addr = 0, last_ino = 0;
	uint32_t last_maj = 0, last_min = 0;
	bool first = true;
	struct open_map om = { .on = false };
	struct capbuf anon;

	capbuf_init(&anon, MAPS_CAP);
	for (unsigned k = 0;; k++) {
		struct procmap_query q;
		if (k == MAPS_QUERY_CAP) {
			proc_err(errs, "maps (truncated at cap)", E2BIG);
			break;
		}
		/* without the name first: most mappings continue the file before
		 * (a library is four or five), and only a new file needs its path */
		int r = query_at(fd, addr, NULL, 0, &q);
		if (r == -ENOENT)
			break;   /* no mapping at or after addr: the end */
		if (r < 0 && first && (r == -ENOTTY || r == -EINVAL)) {
			capbuf_release(&anon);
			return -ENOTTY;
		}
		if (r == -ESRCH && first)
			break;   /* no memory at all (a kernel thread; an exit is seen later) */
		if (r < 0) {
			proc_err(errs, "maps (query)", r);
			break;
		}
		first = false;
		if (q.vma_end <= addr)
			break;   /* never loop on a kernel that does not advance */
		addr = q.vma_end;
		char perms[4] = {
			q.vma_flags & PQ_READABLE ? 'r' : '-', q.vma_flags & PQ_WRITABLE ? 'w' : '-',
			q.vma_flags & PQ_EXECUTABLE ? 'x' : '-', q.vma_flags & PQ_SHARED ? 's' : 'p',
		};
		if (q.inode == 0) {
			if (q.vma_flags & PQ_EXECUTABLE)
				anon_exec(&anon, fd, pid, &q, perms, name, sizeof(name), errs);
			continue;
		}
		if (q.inode == last_ino && q.dev_major == last_maj && q.dev_minor == last_min) {
			map_part(&om, perms);   /* the next part of the same file: one record */
			continue;
		}
		bool named = true;
		r = query_at(fd, q.vma_start, name, sizeof(name), &q);
		if (r == -ENAMETOOLONG) {
			proc_err(errs, "maps (a name too long)", ENAMETOOLONG);
			named = false;
			r = query_at(fd, q.vma_start, NULL, 0, &q);
		}
		if (r == -ENOENT)
			break;   /* unmapped meanwhile, and nothing after it */
		if (r < 0) {
			proc_err(errs, "maps (query)", r);
			break;
		}
		if (q.vma_end > addr)
			addr = q.vma_end;   /* it grew meanwhile */
		if (q.inode == 0)
			continue;   /* replaced meanwhile by memory no file backs */
		size_t n = named && q.vma_name_size ? q.vma_name_size - 1 : 0;
		char dev[24];
		int dl = snprintf(dev, sizeof(dev), "%02x:%02x", q.dev_major, q.dev_minor);
		map_record(&om, out, pid, named ? name : NULL, n, dev, (size_t)dl, q.inode, perms);
		last_ino = q.inode;
		last_maj = q.dev_major;
		last_min = q.dev_minor;
	}
	map_close(&om);
	if (anon.len)
		capbuf_add(out, anon.buf, anon.len);
	capbuf_release(&anon);
	return 0;
}

/* One record per mapped file, in address order, consecutive parts of the
 * same file once: from PROCMAP_QUERY where the kernel has it (about half
 * the CPU of maps), else from the maps text. */
void proc_collect_maps(struct capbuf *out, int dirfd, int pid, struct errlist *errs)
{
	if (!atomic_load(&query_unsupported)) {
		int fd = openat(dirfd, "maps", O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
		if (fd < 0) {
			proc_err(errs, "maps", -errno);
			return;
		}
		int r = proc_maps_query(out, fd, pid, errs);
		close(fd);
		if (r != -ENOTTY)
			return;
		atomic_store(&query_unsupported, 1);
	}
	proc_maps_text(out, dirfd, pid, errs);
}
