/*
 * images.c - the bytes of a process's executable mappings whose file is
 * gone from every directory: a library deleted after it was loaded, or
 * code loaded from a memfd (memfd_create + dlopen of /proc/self/fd/N, the
 * fileless loader's way). Listing them says little; their bytes are the
 * evidence. Each is copied once per (dev, ino) into
 * volatile/mapped-images/<dev>-<ino> through /proc/<pid>/map_files (the
 * file itself, whole; root only), within the process images' total
 * (profile `images`), holes skipped; the process record lists them
 * (mapped_images) with the member, or why there is none.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "copy.h"
#include "fsguard.h"
#include "jsonw.h"
#include "procfs.h"
#include "procsrc.h"
#include "sha256.h"
#include "vec.h"
#include "banned.h"

#define IMAGES_PER_PROCESS 64

struct cand {
	unsigned long long start, end, ino;
	char dev[16];
	const char *path;          /* into the maps text */
	size_t path_len;
};

static bool gone(const char *path, size_t n)
{
	static const char del[] = " (deleted)";
	return (n >= sizeof(del) - 1 && !memcmp(path + n - (sizeof(del) - 1), del, sizeof(del) - 1)) ||
	       !strncmp(path, "/memfd:", 7);
}

/* Whether an image (its data: holes are not copied) fits in what is left
 * of the process images' total (profile `images`): the cap for its copy,
 * or why not in `why`, counted as left out. Called where the counters are
 * not shared: with p->mu held, or after the scan. */
bool images_fit(struct run *r, const struct stat *st, uint64_t *cap, char *why, size_t n)
{
	uint64_t data = (uint64_t)st->st_blocks * 512u, size = (uint64_t)st->st_size;
	uint64_t need = data < size ? data : size, left = r->images_total - r->images_used;

	if (need > DELETED_EXE_CAP)
		need = DELETED_EXE_CAP;
	if (r->images_used >= r->images_total || need > left) {
		snprintf(why, n, "left out: %llu more bytes would pass the process images' total "
			 "of %llu (profile 'images')", (unsigned long long)need,
			 (unsigned long long)r->images_total);
		r->images_skipped++;
		return false;
	}
	*cap = left < DELETED_EXE_CAP ? left : DELETED_EXE_CAP;
	return true;
}

/* Whether the maps records just made (JSON) name such a file: most
 * processes have none, and pay nothing more. */
bool images_hinted(const char *records, size_t len)
{
	return memmem(records, len, "\"deleted\":true", 14) ||
	       memmem(records, len, "\"target\":\"/memfd:", 17);
}

/* Copy one, or say why not. Called with p->mu held (the bundle). */
static void keep_one(struct procs *p, int fd, const struct stat *st, const struct cand *c,
		     struct jw *w)
{
	char member[96], src[96], why[200];
	struct artifact a;

	snprintf(member, sizeof(member), "volatile/mapped-images/%u-%u-%llu",
		 major(st->st_dev), minor(st->st_dev), (unsigned long long)st->st_ino);
	for (size_t i = 0; i < p->nkept; i++)
		if (p->kept[i].dev == st->st_dev && p->kept[i].ino == st->st_ino) {
			jw_str(w, "member", member);   /* another process's copy: the same file */
			return;
		}
	uint64_t cap;
	if (!images_fit(p->r, st, &cap, why, sizeof(why))) {
		jw_null(w, "member");
		jw_str(w, "missing", why);
		return;
	}
	snprintf(src, sizeof(src), "map_files/%llx-%llx", c->start, c->end);
	artifact_begin(p->r, &a, "processes", "mapped-image", src);
	if (statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS | STATX_BTIME, &a.st) == 0)
		a.has_stat = true;
	a.link_target = strndup(c->path, c->path_len);
	a.link_len = a.link_target ? c->path_len : 0;
	int r = copy_fd_to_member(p->r, &a, fd, member, (uint64_t)st->st_size, cap);
	if (r == 0) {
		if (vec_reserve((void **)&p->kept, &p->akept, p->nkept + 1, sizeof(*p->kept)))
			p->kept[p->nkept++] = (struct kept_image){ st->st_dev, st->st_ino };
		p->r->images_used += a.bytes;
		jw_str(w, "member", member);
		jw_bool(w, "truncated", a.truncated);
	} else {
		jw_null(w, "member");
		jw_str(w, "missing", a.message[0] ? a.message : strerror(-r));
		if (r < 0 && !p->err)
			p->err = r;   /* the output: stop */
	}
	artifact_end(p->r, &a);
}

static void one_read(struct procs *p, int dirfd, const char *name, const struct cand *c,
		     struct jw *w, struct errlist *errs);

static void one(struct procs *p, int dirfd, const struct cand *c, struct jw *w,
		struct errlist *errs)
{
	char name[96], why[200];
	struct fs_where where;

	jw_bytes(w, "target", c->path, c->path_len);
	jw_str(w, "dev", c->dev);
	jw_int(w, "ino", (int64_t)c->ino);
	jw_int(w, "start", (int64_t)c->start);
	snprintf(name, sizeof(name), "map_files/%llx-%llx", c->start, c->end);
	int pfd = openat(dirfd, name, O_PATH | O_CLOEXEC);
	if (pfd < 0) {
		snprintf(why, sizeof(why), "cannot open %s: %s%s", name, strerror(errno),
			 errno == EPERM ? " (root only)" : "");
		jw_null(w, "member");
		jw_str(w, "missing", why);
		return;
	}
	fsguard_where(dirfd, fsguard_fd_mnt(pfd), &where);
	close(pfd);
	if (where.guarded) {   /* a memfd is on the kernel's shmem: not guarded */
		snprintf(why, sizeof(why), "on %s%s: not read", where.known ? "fs " : "a mount in no table",
			 where.type);
		jw_null(w, "member");
		jw_str(w, "missing", why);
		return;
	}
	if (!images_time_left(p->r)) {
		jw_null(w, "member");
		jw_str(w, "missing", IMAGES_TIME_SPENT);
		return;
	}
	uint64_t t0 = images_clock();
	one_read(p, dirfd, name, c, w, errs);
	images_time_spend(p->r, t0);
}

static void one_read(struct procs *p, int dirfd, const char *name, const struct cand *c,
		     struct jw *w, struct errlist *errs)
{
	char why[200];
	struct stat st;
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_ino != c->ino) {
		int e = fd < 0 ? errno : ESTALE;
		snprintf(why, sizeof(why), "cannot read %s: %s", name, strerror(e));
		jw_null(w, "member");
		jw_str(w, "missing", why);
		proc_err(errs, "mapped image", -e);
		if (fd >= 0)
			close(fd);
		return;
	}
	char sha[SHA256_HEX_LEN];
	uint64_t bytes;
	int hr = sha256_fd(fd, EXE_HASH_CAP, sha, &bytes);
	if (hr == 0)
		jw_ascii(w, "sha256", sha, strlen(sha));
	else
		jw_null(w, "sha256");
	lseek(fd, 0, SEEK_SET);
	pthread_mutex_lock(&p->mu);
	keep_one(p, fd, &st, c, w);
	pthread_mutex_unlock(&p->mu);
	close(fd);
}

void keep_mapped_images(struct procs *p, int dirfd, int pid, struct jw *o, struct errlist *errs)
{
	struct capbuf cb;
	struct cand c[IMAGES_PER_PROCESS];
	size_t n = 0;

	(void)pid;
	capbuf_init(&cb, MAPS_CAP);
	int r = proc_read(dirfd, "maps", &cb);
	if (r < 0 && r != -E2BIG) {
		capbuf_release(&cb);
		return;
	}
	for (char *line = cb.buf; line && *line && n < IMAGES_PER_PROCESS;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		struct map_line m;
		char *dash;
		if (maps_parse_line(line, &m) == 0 && m.path && m.ino && m.perms[2] == 'x' &&
		    gone(m.path, strlen(m.path))) {
			struct cand k = { .start = strtoull(line, &dash, 16), .ino = m.ino,
					  .path = m.path, .path_len = strlen(m.path) };
			k.end = *dash == '-' ? strtoull(dash + 1, NULL, 16) : k.start;
			snprintf(k.dev, sizeof(k.dev), "%.*s", (int)m.dev_len, m.dev);
			bool seen = false;
			for (size_t i = 0; i < n && !seen; i++)
				seen = c[i].ino == k.ino && !strcmp(c[i].dev, k.dev);
			if (!seen)
				c[n++] = k;
		}
		line = nl ? nl + 1 : NULL;
	}
	if (n) {
		jw_key(o, "mapped_images");
		capbuf_add(o->cb, "[", 1);
		for (size_t i = 0; i < n; i++) {
			struct jw w = { .cb = o->cb };
			capbuf_add(o->cb, i ? ",{" : "{", i ? 2 : 1);
			one(p, dirfd, &c[i], &w, errs);
			capbuf_add(o->cb, "}", 1);
		}
		capbuf_add(o->cb, "]", 1);
	}
	capbuf_release(&cb);
}
