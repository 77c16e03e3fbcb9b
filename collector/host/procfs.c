/* procfs.c - /proc/<pid> through one directory fd (procfs.h). */
#include <errno.h>
#include <linux/magic.h>
#include <sys/vfs.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hostfile.h"
#include "procfs.h"
#include "banned.h"

int proc_open_root(void)
{
	struct statfs sf;
	int fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	/* an empty folder or another file system mounted there is no procfs:
	 * nothing read from it would be the kernel's */
	if (fstatfs(fd, &sf) < 0 || sf.f_type != PROC_SUPER_MAGIC) {
		close(fd);
		return -ENOMEDIUM;
	}
	return fd;
}

int proc_open_pid(int procfd, int pid)
{
	char name[16];

	snprintf(name, sizeof(name), "%d", pid);
	int fd = openat(procfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	return fd < 0 ? -errno : fd;
}

static int read_at(int dirfd, const char *name, struct capbuf *cb, bool once)
{
	/* files of a /proc/<pid> directory are proc's own: no type check */
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
	int r;

	if (fd < 0)
		return -errno;
	r = once ? capbuf_read_fd_once(cb, fd) : capbuf_read_fd(cb, fd);
	close(fd);
	return r;
}

int proc_read(int dirfd, const char *name, struct capbuf *cb)
{
	return read_at(dirfd, name, cb, false);
}

int proc_read_once(int dirfd, const char *name, struct capbuf *cb)
{
	return read_at(dirfd, name, cb, true);
}

int proc_readlink(int dirfd, const char *name, char **ret, size_t *ret_len)
{
	return host_readlink(dirfd, name, ret, ret_len);
}

int proc_ns_inode(int dirfd, const char *name, unsigned long long *ino)
{
	char *link = NULL;
	size_t len = 0;
	int e = host_readlink(dirfd, name, &link, &len);

	*ino = 0;
	if (e == 0) {
		const char *b = memchr(link, '[', len);
		*ino = b ? strtoull(b + 1, NULL, 10) : 0;
	}
	free(link);
	return e;
}

int proc_stat_parse(const char *buf, size_t len, struct proc_stat *st)
{
	const char *open = memchr(buf, '(', len), *close = NULL;

	memset(st, 0, sizeof(*st));
	for (const char *p = buf + len; p > buf; p--)
		if (p[-1] == ')') {
			close = p - 1;
			break;
		}
	if (!open || !close || close < open)
		return -EINVAL;
	st->comm = open + 1;
	st->comm_len = (size_t)(close - open - 1);

	/* fields after the comm, NUL-terminated copy so sscanf cannot run off */
	char tail[1024];
	size_t tl = (size_t)(buf + len - close - 1);
	if (tl >= sizeof(tail))
		tl = sizeof(tail) - 1;
	memcpy(tail, close + 1, tl);
	tail[tl] = '\0';
	long long cutime, cstime, itreal;
	int off = 0;
	unsigned long long minflt, cminflt, majflt, cmajflt;
	int n = sscanf(tail, " %c %d %d %d %d %d %lu %llu %llu %llu %llu %llu %llu %lld %lld "
		       "%ld %ld %ld %lld %llu %llu %lld%n",
		       &st->state, &st->ppid, &st->pgrp, &st->session, &st->tty_nr, &st->tpgid,
		       &st->flags, &minflt, &cminflt, &majflt, &cmajflt, &st->utime, &st->stime,
		       &cutime, &cstime, &st->priority, &st->nice, &st->num_threads, &itreal,
		       &st->starttime, &st->vsize, &st->rss, &off);
	if (n != 22)
		return -EINVAL;
	/* fields 25 on, where the kernel has them (older ones stop earlier) */
	const char *p = tail + off;
	for (int field = 25; field <= 51 && *p; field++) {
		char *end;
		unsigned long long v = strtoull(p, &end, 10);
		if (end == p)
			break;
		p = end;
		switch (field) {
		case 28: st->startstack = v; break;
		case 48: st->arg_start = v; break;
		case 49: st->arg_end = v; break;
		case 50: st->env_start = v; break;
		case 51: st->env_end = v; break;
		default: break;
		}
	}
	return 0;
}

int proc_starttime(int dirfd, unsigned long long *ret_start, unsigned long *ret_flags)
{
	struct capbuf cb;
	struct proc_stat st;
	int r;

	capbuf_init(&cb, 4096);
	r = proc_read(dirfd, "stat", &cb);
	if (r == 0)
		r = proc_stat_parse(cb.buf ? cb.buf : "", cb.len, &st);
	if (r == 0) {
		*ret_start = st.starttime;
		if (ret_flags)
			*ret_flags = st.flags;
	}
	capbuf_release(&cb);
	return r;
}

const char *proc_status_field(const char *text, const char *key, size_t *ret_len)
{
	size_t klen = strlen(key);

	for (const char *p = text; p && *p;) {
		if (strncmp(p, key, klen) == 0 && p[klen] == ':') {
			const char *v = p + klen + 1;
			while (*v == ' ' || *v == '\t')
				v++;
			size_t n = strcspn(v, "\n");
			while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
				n--;
			*ret_len = n;
			return v;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

static const char *skip_field(const char *p)
{
	while (*p && *p != ' ')
		p++;
	while (*p == ' ')
		p++;
	return p;
}

int maps_parse_line(const char *line, struct map_line *m)
{
	const char *p = line;

	p = skip_field(p);                       /* address range */
	m->perms = p;
	if (strlen(p) < 4)
		return -EINVAL;
	p = skip_field(p);                       /* perms */
	p = skip_field(p);                       /* offset */
	m->dev = p;
	p = skip_field(p);
	m->dev_len = (size_t)(p - m->dev);
	while (m->dev_len && m->dev[m->dev_len - 1] == ' ')
		m->dev_len--;
	char *end;
	m->ino = strtoull(p, &end, 10);
	if (end == p || !m->dev_len)
		return -EINVAL;
	p = end;
	while (*p == ' ')
		p++;
	m->path = *p ? p : NULL;
	return 0;
}


/* Linux device numbers of terminals (devices.txt): pts, ttyN, ttySN. */
void tty_name(int tty_nr, char *buf, size_t len)
{
	unsigned maj = ((unsigned)tty_nr >> 8) & 0xfff;
	unsigned min = ((unsigned)tty_nr & 0xff) | (((unsigned)tty_nr >> 12) & 0xfff00);

	if (tty_nr == 0)
		snprintf(buf, len, "?");
	else if (maj >= 136 && maj <= 143)
		snprintf(buf, len, "pts/%u", min + (maj - 136) * 256);
	else if (maj == 4 && min < 64)
		snprintf(buf, len, "tty%u", min);
	else if (maj == 4)
		snprintf(buf, len, "ttyS%u", min - 64);
	else if (maj == 5 && min == 1)
		snprintf(buf, len, "console");
	else
		snprintf(buf, len, "%u:%u", maj, min);
}

