/* Mapped files two ways: from /proc/self/maps text and by PROCMAP_QUERY
 * (Linux 6.11): the same records for the same mappings — a file mapped in
 * three parts with different protections (one record), a deleted file, a
 * name with a space — except a newline in a name, which maps writes as
 * \012 and the query gives as it is. */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "procsrc.h"
#include "tap.h"

static void *map_file(const char *path, size_t pages)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	long pg = sysconf(_SC_PAGESIZE);
	void *p = MAP_FAILED;

	if (fd >= 0 && ftruncate(fd, (off_t)pages * pg) == 0)
		p = mmap(NULL, pages * (size_t)pg, PROT_READ, MAP_SHARED, fd, 0);
	if (fd >= 0)
		close(fd);
	return p == MAP_FAILED ? NULL : p;
}

/* The records of mappings whose target contains `tag`, in order. */
static void only(const struct capbuf *in, const char *tag, struct capbuf *out)
{
	capbuf_reset(out);
	for (const char *p = in->buf; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p + 1) : strlen(p);
		if (memmem(p, n, tag, strlen(tag)))
			capbuf_add(out, p, n);
		p += n;
	}
}

/* On a kernel without PROCMAP_QUERY (before 6.11, Debian 12's own): ioctl
 * answers ENOTTY, and proc_collect_maps() must give what the maps text
 * gives. Shown in a child whose seccomp filter makes every ioctl ENOTTY. */
static int fallback_matches(void)
{
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		struct sock_filter f[] = {
			BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_ioctl, 0, 1),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOTTY),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		};
		struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
			_exit(3);
		struct capbuf a, b;
		struct errlist e = { .n = 0 };
		capbuf_init(&a, 64u << 20);
		capbuf_init(&b, 64u << 20);
		capbuf_init(&e.cb, 4096);
		int self = open("/proc/self", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		int mfd = openat(self, "maps", O_RDONLY | O_CLOEXEC);
		if (proc_maps_query(&a, mfd, 7, &e) != -ENOTTY || a.len)
			_exit(4);   /* the query must say "not here" and write nothing */
		proc_collect_maps(&a, self, 7, &e);   /* falls back to the text */
		proc_collect_maps(&a, self, 7, &e);   /* and stays there */
		proc_maps_text(&b, self, 7, &e);
		proc_maps_text(&b, self, 7, &e);
		_exit(a.len && a.len == b.len && memcmp(a.buf, b.buf, a.len) == 0 && e.n == 0 ? 0 : 5);
	}
	int st;
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

int main(void)
{
	char dir[] = "/tmp/irsnap-maps.XXXXXX", a[128], b[128], c[128], d[128];
	long pg = sysconf(_SC_PAGESIZE);

	if (!mkdtemp(dir)) {
		CHECK(!"mkdtemp");
		return tap_done("maps");
	}
	snprintf(a, sizeof(a), "%s/irsnap-tag-three-parts", dir);
	snprintf(b, sizeof(b), "%s/irsnap-tag-deleted", dir);
	snprintf(c, sizeof(c), "%s/irsnap-tag with space", dir);
	snprintf(d, sizeof(d), "%s/irsnap-tag-new\nline", dir);
	char *pa = map_file(a, 3);
	CHECK(pa && mprotect(pa + pg, (size_t)pg, PROT_NONE) == 0);   /* 3 VMAs, 1 file */
	CHECK(map_file(b, 1) && unlink(b) == 0);
	CHECK(map_file(c, 1) != NULL);
	CHECK(map_file(d, 1) != NULL);

	struct capbuf text, query, t1, q1;
	struct errlist e1 = { .n = 0 }, e2 = { .n = 0 };
	capbuf_init(&text, 64u << 20);
	capbuf_init(&query, 64u << 20);
	capbuf_init(&t1, 1u << 20);
	capbuf_init(&q1, 1u << 20);
	capbuf_init(&e1.cb, 4096);
	capbuf_init(&e2.cb, 4096);
	/* an executable mapping backed by no file, writable too (W+X) */
	unsigned char *wx = mmap(NULL, 8192, PROT_READ | PROT_WRITE | PROT_EXEC,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(wx != MAP_FAILED);
	char wxrec[160];
	snprintf(wxrec, sizeof(wxrec), "\"type\":\"mmap-anon-exec\",\"start\":\"%p\",\"end\":"
		 "\"%p\",\"size\":8192,\"perms\":\"rwxp\",\"wx\":true", (void *)wx,
		 (void *)(wx + 8192));
	int self = open("/proc/self", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(self >= 0);
	proc_maps_text(&text, self, 42, &e1);
	CHECK(text.buf && strstr(text.buf, wxrec));   /* the anonymous W+X mapping */
	CHECK(e1.n == 0);
	only(&text, "irsnap-tag", &t1);
	CHECK(t1.buf && strstr(t1.buf, "irsnap-tag-three-parts\",\"deleted\":false"));
	CHECK(t1.buf && strstr(t1.buf, "irsnap-tag-deleted (deleted)\",\"deleted\":true"));
	CHECK(t1.buf && strstr(t1.buf, "irsnap-tag with space\""));
	CHECK(t1.buf && strstr(t1.buf, "irsnap-tag-new\\\\012line\""));   /* maps' own escape */
	int lines = 0;
	for (const char *p = t1.buf; p && (p = strstr(p, "three-parts")); p++)
		lines++;
	CHECK(lines == 1);   /* one record for the three parts */
	/* ... with every part's perms, the middle one made inaccessible */
	CHECK(t1.buf && strstr(t1.buf, "\"perms\":\"r--s\",\"part_perms\":\"r--s ---s r--s\""));
	struct stat st;
	char ino[64];
	CHECK(stat(a, &st) == 0);
	snprintf(ino, sizeof(ino), "\"ino\":%llu", (unsigned long long)st.st_ino);
	CHECK(t1.buf && strstr(t1.buf, ino));

	int mfd = openat(self, "maps", O_RDONLY | O_CLOEXEC);
	int r = proc_maps_query(&query, mfd, 42, &e2);
	if (r == -ENOTTY) {
		printf("# the kernel lacks PROCMAP_QUERY (Linux < 6.11): the maps text is used\n");
		CHECK(query.len == 0);
	} else {
		CHECK(r == 0 && e2.n == 0);
		CHECK(query.buf && strstr(query.buf, wxrec));   /* found by the query too */
		only(&query, "irsnap-tag", &q1);
		/* the same records, but for the newline the query keeps as it is */
		CHECK(q1.buf && strstr(q1.buf, "irsnap-tag-new\\nline\""));
		struct capbuf t2, q2;
		capbuf_init(&t2, 1u << 20);
		capbuf_init(&q2, 1u << 20);
		only(&t1, "three-parts", &t2);
		only(&q1, "three-parts", &q2);
		CHECK(t2.len && t2.len == q2.len && memcmp(t2.buf, q2.buf, t2.len) == 0);
		only(&t1, "tag-deleted", &t2);
		only(&q1, "tag-deleted", &q2);
		CHECK(t2.len && t2.len == q2.len && memcmp(t2.buf, q2.buf, t2.len) == 0);
		only(&t1, "with space", &t2);
		only(&q1, "with space", &q2);
		CHECK(t2.len && t2.len == q2.len && memcmp(t2.buf, q2.buf, t2.len) == 0);
		/* and every other mapping of this process, record for record */
		only(&text, "\"pid\":42", &t2);
		only(&query, "\"pid\":42", &q2);
		int same = 0, differ = 0;
		for (const char *p = t2.buf, *q = q2.buf; p && q && *p && *q;) {
			const char *pe = strchr(p, '\n'), *qe = strchr(q, '\n');
			if (!pe || !qe)
				break;
			size_t pn = (size_t)(pe - p), qn = (size_t)(qe - q);
			if (pn == qn && memcmp(p, q, pn) == 0)
				same++;
			else if (!memmem(p, pn, "new\\\\012line", strlen("new\\\\012line")))
				differ++;
			p = pe + 1;
			q = qe + 1;
		}
		CHECK(same > 5 && differ == 0);
		capbuf_release(&t2);
		capbuf_release(&q2);
	}
	close(mfd);
	close(self);
	CHECK(fallback_matches() == 0);
	unlink(a);
	unlink(c);
	unlink(d);
	rmdir(dir);
	capbuf_release(&text);
	capbuf_release(&query);
	capbuf_release(&t1);
	capbuf_release(&q1);
	capbuf_release(&e1.cb);
	capbuf_release(&e2.cb);
	return tap_done("maps");
}
