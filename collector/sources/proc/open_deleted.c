/*
 * open_deleted.c - the bytes of files a process holds open though no name
 * is left for them (nlink 0): a log a wiper deleted while the daemon still
 * writes it, a payload unlinked after it was opened, a memfd. The fd walk
 * notes them (fdwalk.c); after it, each is read through /proc/<pid>/fd/<n>
 * once per (dev, ino) into volatile/deleted-open/<major>-<minor>-<ino>,
 * holes skipped, within the process images' total (profile `images`), and
 * listed in volatile/deleted-open.jsonl: pid, fd, target, dev, ino, size,
 * sha256, and the member or why there is none. Files on a file system that
 * answers through a server were never stat'ed directly, so never noted.
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
#include "jsonw.h"
#include "procfs.h"
#include "procsrc.h"
#include "sha256.h"
#include "vec.h"
#include "banned.h"

static bool kept(const struct procs *p, uint64_t dev, uint64_t ino)
{
	for (size_t i = 0; i < p->nkept; i++)
		if (p->kept[i].dev == dev && p->kept[i].ino == ino)
			return true;
	return false;
}

/* Copy one into `member`, or say why not in `why`. 0, or an output error. */
static int copy_one(struct procs *p, int fd, const struct stat *st, const char *src,
		    const char *link, size_t len, const char *member, struct jw *w)
{
	struct run *r = p->r;
	char why[200];
	uint64_t cap;

	if (!images_fit(r, st, &cap, why, sizeof(why))) {
		jw_null(w, "member");
		jw_str(w, "missing", why);
		return 0;
	}
	struct artifact a;
	artifact_begin(r, &a, "processes", "deleted-open", src);
	if (statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS | STATX_BTIME, &a.st) == 0)
		a.has_stat = true;
	a.link_target = strndup(link, len);
	a.link_len = a.link_target ? len : 0;
	int ret = copy_fd_to_member(r, &a, fd, member, (uint64_t)st->st_size, cap);
	if (ret == 0) {
		r->images_used += a.bytes;
		if (vec_reserve((void **)&p->kept, &p->akept, p->nkept + 1, sizeof(*p->kept)))
			p->kept[p->nkept++] = (struct kept_image){ st->st_dev, st->st_ino };
		jw_str(w, "member", member);
		jw_bool(w, "truncated", a.truncated);
	} else {
		jw_null(w, "member");
		jw_str(w, "missing", a.message[0] ? a.message : strerror(-ret));
	}
	artifact_end(r, &a);
	return ret;
}

static int one(struct procs *p, const struct fd_gone *g, struct capbuf *out)
{
	char path[64], member[96];
	char *link = NULL;
	size_t len = 0;
	struct stat st;
	struct jw w;
	int ret = 0;

	snprintf(path, sizeof(path), "%d/fd/%d", g->pid, g->fd);
	jw_begin(&w, out);
	jw_int(&w, "pid", g->pid);
	jw_int(&w, "fd", g->fd);
	if (proc_readlink(p->procfd, path, &link, &len) == 0)
		jw_bytes(&w, "target", link, len);
	else
		jw_null(&w, "target");
	char dev[32];
	snprintf(dev, sizeof(dev), "%u:%u", major(g->dev), minor(g->dev));
	jw_str(&w, "dev", dev);
	jw_int(&w, "ino", (int64_t)g->ino);
	jw_int(&w, "size", (int64_t)g->size);
	snprintf(member, sizeof(member), "volatile/deleted-open/%u-%u-%llu", major(g->dev),
		 minor(g->dev), (unsigned long long)g->ino);
	if (!images_time_left(p->r)) {
		jw_null(&w, "sha256");
		jw_null(&w, "member");
		jw_str(&w, "missing", IMAGES_TIME_SPENT);
		free(link);
		jw_end(&w);
		return 0;
	}
	uint64_t t0 = images_clock();
	int fd = openat(p->procfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOATIME);
	if (fd < 0 && errno == EPERM)
		fd = openat(p->procfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 || fstat(fd, &st) < 0 || st.st_dev != g->dev || st.st_ino != g->ino) {
		int e = fd < 0 ? errno : ESTALE;
		jw_null(&w, "sha256");
		jw_null(&w, "member");
		jw_str(&w, "missing", e == ENOENT || e == ESTALE ? "vanished: closed since the walk" :
		       strerror(e));
	} else {
		char sha[SHA256_HEX_LEN];
		uint64_t bytes;
		int hr = sha256_fd(fd, EXE_HASH_CAP, sha, &bytes);
		if (hr == 0)
			jw_ascii(&w, "sha256", sha, strlen(sha));
		else
			jw_null(&w, "sha256");
		if (kept(p, st.st_dev, st.st_ino))
			jw_str(&w, "member", member);   /* held by another fd: copied once */
		else if (lseek(fd, 0, SEEK_SET) == 0)
			ret = copy_one(p, fd, &st, path, link ? link : "", link ? len : 0, member, &w);
	}
	if (fd >= 0)
		close(fd);
	images_time_spend(p->r, t0);
	free(link);
	jw_end(&w);
	return ret;
}

int keep_open_deleted(struct procs *p, const struct fd_table *t)
{
	struct capbuf out;
	int ret = 0;

	if (!t->ngone || p->procfd < 0)
		return 0;
	capbuf_init(&out, RECORDS_CAP);
	for (size_t i = 0; i < t->ngone && ret == 0 && !run_should_stop(p->r); i++)
		ret = one(p, &t->gone[i], &out);
	run_log(p->r, "processes: %zu open files with no name left (deleted, memfd) kept "
		"or listed", t->ngone);
	if (ret == 0)
		ret = run_emit(p->r, "processes", "volatile/deleted-open.jsonl", &out);
	capbuf_release(&out);
	return ret;
}
