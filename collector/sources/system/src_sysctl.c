/*
 * src_sysctl.c - the whole sysctl tree (issue 18, item 9): every readable
 * file under /proc/sys, as `sysctl -a` shows it. Members:
 *
 *   system/sysctl.jsonl  {"name", "value"} (exact bytes, the trailing
 *                        newline removed) or {"name", "error"}
 *   system/sysctl.txt    "name = value", a line per line of the value, as
 *                        procps' sysctl -a prints it
 *
 * Read only, and only what the kernel lets root read: write-only entries
 * (vm.drop_caches, net.ipv4.route.flush) refuse the open and are listed
 * with their error; vm.stat_refresh, whose read refreshes the kernel's
 * statistics, is listed as skipped. The walk stays on the procfs it starts on: a mount
 * under /proc/sys (systemd's automount of fs/binfmt_misc) is neither
 * entered nor triggered (AT_NO_AUTOMOUNT). Names follow sysctl(8): the
 * path's '/' become '.', and a '.' in a component (an interface named
 * eth0.100) becomes '/'.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jsonw.h"
#include "procfs.h"
#include "source.h"
#include "banned.h"

#define SYSCTL_VALUE_CAP (1u << 20)
#define SYSCTL_OUT_CAP (64u << 20)
#define SYSCTL_DEPTH 12
#define SYSCTL_MAX 200000

struct sstate {
	struct capbuf json, text;
	dev_t dev;
	unsigned n, nerr;
};

static void read_one(struct sstate *s, int dir, const char *file, const char *name, size_t nl)
{
	struct capbuf v;
	struct jw w;

	capbuf_init(&v, SYSCTL_VALUE_CAP);
	int e = proc_read(dir, file, &v);
	jw_begin(&w, &s->json);
	jw_bytes(&w, "name", name, nl);
	if (e < 0 && !v.len) {
		jw_str(&w, "error", strerror(-e));
		jw_end(&w);
		s->nerr++;
		capbuf_release(&v);
		return;
	}
	size_t len = v.len;
	if (len && v.buf[len - 1] == '\n')
		len--;
	jw_bytes(&w, "value", v.buf ? v.buf : "", len);
	if (v.truncated)
		jw_bool(&w, "truncated", true);
	jw_end(&w);
	const char *p = v.buf ? v.buf : "", *end = p + len;
	do {   /* procps: "name = line" per line; an empty value once */
		const char *le = memchr(p, '\n', (size_t)(end - p));
		if (!le)
			le = end;
		capbuf_add(&s->text, name, nl);
		capbuf_add(&s->text, " = ", 3);
		capbuf_add(&s->text, p, (size_t)(le - p));
		capbuf_add(&s->text, "\n", 1);
		p = le + 1;
	} while (p < end);
	s->n++;
	capbuf_release(&v);
}

static void walk(struct sstate *s, int dir, char *name, size_t nl, int depth)
{
	int fd = dup(dir);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent **ents = NULL;
	struct dirent *de;
	size_t n = 0, cap = 0;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	/* sorted, as sysctl -a lists them */
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			struct dirent **m = realloc(ents, (cap = cap ? 2 * cap : 64) * sizeof(*ents));
			if (!m)
				break;
			ents = m;
		}
		size_t l = offsetof(struct dirent, d_name) + strlen(de->d_name) + 1;
		if (!(ents[n] = malloc(l)))
			break;
		memcpy(ents[n++], de, l);
	}
	closedir(d);
	for (size_t i = 0; i < n; i++) {
		const char *c = ents[i]->d_name;
		size_t cl = strlen(c), at = nl;
		struct stat st;
		if (nl + 1 + cl + 1 >= PATH_MAX || s->n + s->nerr >= SYSCTL_MAX)
			goto next;
		if (nl)
			name[at++] = '.';
		for (size_t k = 0; k < cl; k++)
			name[at++] = c[k] == '.' ? '/' : c[k];
		name[at] = '\0';
		if (fstatat(dir, c, &st, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT) < 0 || st.st_dev != s->dev)
			goto next;   /* gone, or another file system mounted here */
		if (S_ISDIR(st.st_mode) && depth < SYSCTL_DEPTH) {
			int sub = openat(dir, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0) {
				walk(s, sub, name, at, depth + 1);
				close(sub);
			}
		} else if (S_ISREG(st.st_mode) && strcmp(name, "vm.stat_refresh") == 0) {
			/* its read handler makes every CPU fold its vm counters:
			 * not read, as procps' sysctl -a does not */
			struct jw w;
			jw_begin(&w, &s->json);
			jw_bytes(&w, "name", name, at);
			jw_str(&w, "skipped", "reading it makes the kernel refresh its vm statistics");
			jw_end(&w);
		} else if (S_ISREG(st.st_mode)) {
			read_one(s, dir, c, name, at);
		}
next:
		name[nl] = '\0';
		free(ents[i]);
	}
	free(ents);
}

int src_sysctl_collect(struct run *r)
{
	struct sstate s = { 0 };
	struct stat st;
	int procfd = proc_open_root(), ret = 0;

	if (procfd < 0)
		return 0;
	int sys = openat(procfd, "sys", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	char *name = malloc(PATH_MAX);
	if (sys < 0 || !name || fstat(sys, &st) < 0) {
		run_source_failed(r, "sysctl", "/proc/sys", sys < 0 ? errno : ENOMEM,
				  "the sysctl tree could not be read");
		goto out;
	}
	s.dev = st.st_dev;
	capbuf_init(&s.json, SYSCTL_OUT_CAP);
	capbuf_init(&s.text, SYSCTL_OUT_CAP);
	name[0] = '\0';
	walk(&s, sys, name, 0, 0);
	run_log(r, "sysctl: %u values, %u not readable (write-only or refused)", s.n, s.nerr);
	ret = run_emit(r, "sysctl", "system/sysctl.jsonl", &s.json);
	if (ret == 0)
		ret = run_emit(r, "sysctl", "system/sysctl.txt", &s.text);
	capbuf_release(&s.json);
	capbuf_release(&s.text);
out:
	free(name);
	if (sys >= 0)
		close(sys);
	close(procfd);
	return ret;
}
