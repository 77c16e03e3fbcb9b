/* test_trustpath.c - a walk root's resolution (trustpath.h) on a tree of
 * links made here: root's links followed (relative, absolute, through "..",
 * chained), a loop and a user's link refused with the link named. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>

#include "capbuf.h"
#include "hostfile.h"
#include "slowmounts.h"
#include "tap.h"
#include "trustpath.h"

static char base[PATH_MAX], want[PATH_MAX + 64];

static const char *at(const char *rel)
{
	static char p[4][PATH_MAX + 64];
	static int k;
	k = (k + 1) % 4;
	snprintf(p[k], sizeof(p[k]), "%s/%s", base, rel);
	return p[k];
}

/* host_opendir's errno, or 0 when it opened (closed here) */
static int opendir_errno(const char *path)
{
	errno = 0;
	DIR *d = host_opendir(path);
	if (!d)
		return errno;
	closedir(d);
	return 0;
}

static int resolve(const char *rel, struct capbuf *out, struct untrusted_link *bad)
{
	return trusted_resolve(at(rel), out, bad);
}

int main(void)
{
	char tmpl[] = "/tmp/irsnap-unit-trust.XXXXXX";
	struct capbuf out;
	struct untrusted_link bad;

	REQUIRE(mkdtemp(tmpl) != NULL);
	REQUIRE(realpath(tmpl, base) != NULL);   /* /tmp itself may be a link */
	REQUIRE(mkdir(at("real"), 0755) == 0 && mkdir(at("real/sub"), 0755) == 0);
	REQUIRE(symlink("real", at("rel")) == 0);
	REQUIRE(symlink(at("real"), at("abs")) == 0);
	REQUIRE(symlink("real/sub/..", at("up")) == 0);
	REQUIRE(symlink("rel", at("chain")) == 0);
	REQUIRE(symlink("loop2", at("loop1")) == 0 && symlink("loop1", at("loop2")) == 0);
	REQUIRE(symlink("real", at("user")) == 0);
	REQUIRE(symlink("../user", at("real/via")) == 0);
	snprintf(want, sizeof(want), "%s/real/sub", base);
	capbuf_init(&out, 1u << 20);

	CHECK_INT(resolve("real/sub", &out, NULL), 0);
	CHECK_STR(out.buf, want);
	CHECK_INT(resolve("rel/sub", &out, NULL), 0);
	CHECK_STR(out.buf, want);
	CHECK_INT(resolve("abs/sub/", &out, NULL), 0);
	CHECK_STR(out.buf, want);
	CHECK_INT(resolve("up/sub", &out, NULL), 0);
	CHECK_STR(out.buf, want);
	CHECK_INT(resolve("chain/./sub", &out, NULL), 0);
	CHECK_STR(out.buf, want);
	CHECK_INT(resolve("real/sub/../../rel//sub", &out, NULL), 0);
	CHECK_STR(out.buf, want);
	CHECK_INT(resolve("loop1/x", &out, &bad), -ELOOP);
	CHECK_INT(resolve("missing/x", &out, NULL), -ENOENT);
	CHECK_INT(trusted_resolve("/", &out, NULL), 0);
	CHECK_STR(out.buf, "/");
	CHECK_INT(trusted_resolve("relative/path", &out, NULL), -EINVAL);

	/* the folder opened is the one the links lead to */
	int fd = trusted_open_dir(at("chain/sub"), &out, NULL);
	struct stat a, b;
	CHECK(fd >= 0 && fstat(fd, &a) == 0 && stat(want, &b) == 0 &&
	      a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	if (fd >= 0)
		close(fd);
	CHECK_INT(trusted_open_dir(at("real/sub/missing"), &out, NULL), -ENOENT);

	/* a link that leads onto a slow mount: refused before anything there
	 * is stat'ed (the mount named here does not exist: a stat would say
	 * ENOENT) */
	char table[PATH_MAX + 128];
	int tl = snprintf(table, sizeof(table),
			  "30 1 0:99 / %s/slow rw,nosuid - fuse.sshfs h:/ rw\n", base);
	slowmounts_set(table, (size_t)tl);
	REQUIRE(symlink("slow", at("toslow")) == 0);
	CHECK_INT(resolve("toslow/x", &out, NULL), -EXDEV);
	CHECK_INT(resolve("real/../slow/x", &out, NULL), -EXDEV);
	CHECK_INT(trusted_open_dir(at("toslow"), &out, NULL), -EXDEV);
	CHECK_INT(resolve("real/sub", &out, NULL), 0);
	CHECK_INT(trusted_parent(at("toslow/x"), &out, NULL), -EXDEV);
	/* host reads: nothing stat'ed through the link either (a stat of the
	 * path said ENOENT before) */
	CHECK_INT(host_open(AT_FDCWD, at("toslow/x"), 0, NULL, NULL), -EREMOTE);
	CHECK_INT(opendir_errno(at("toslow/x")), EREMOTE);
	/* a probe of a path from a record ("../slow/x" in a utmp line, a home
	 * in /etc/passwd): never a stat there, through a link or a ".." */
	struct statx sx;
	CHECK_INT(host_stat_path(at("toslow/x"), STATX_TYPE, &sx), -EREMOTE);
	CHECK_INT(host_stat_path(at("slow/x"), STATX_TYPE, &sx), -EREMOTE);
	CHECK_INT(host_stat_path(at("real/../slow/x"), STATX_TYPE, &sx), -EREMOTE);
	slowmounts_free();
	CHECK_INT(host_stat_path(at("real/../slow/x"), STATX_TYPE, &sx), -ENOENT);
	CHECK_INT(host_stat_path(at("rel/sub"), STATX_TYPE, &sx), 0);
	CHECK(S_ISDIR(sx.stx_mode));
	CHECK_INT(host_stat_path(at("abs"), STATX_TYPE, &sx), 0);
	CHECK(S_ISLNK(sx.stx_mode));
	CHECK_INT(host_stat_path("relative", STATX_TYPE, &sx), -EINVAL);
	CHECK_INT(resolve("toslow/x", &out, NULL), -ENOENT);

	/* every component but the last resolved; a link at the end kept */
	CHECK_INT(trusted_parent(at("rel/sub"), &out, NULL), 0);
	CHECK_STR(out.buf, want);
	CHECK_INT(trusted_parent(at("abs"), &out, NULL), 0);
	CHECK_STR(out.buf, at("abs"));
	CHECK_INT(trusted_parent("/x", &out, NULL), 0);
	CHECK_STR(out.buf, "/x");
	CHECK_INT(trusted_parent(at("real/.."), &out, NULL), -EINVAL);
	/* host_open through a folder's link: -ELOOP where the file is there,
	 * -ENOENT where it is not, as before; host_opendir follows root's
	 * folder links, not a link at the end */
	int ff = open(at("real/sub/f"), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	REQUIRE(ff >= 0);
	close(ff);
	CHECK_INT(host_open(AT_FDCWD, at("rel/sub/f"), 0, NULL, NULL), -ELOOP);
	CHECK_INT(host_open(AT_FDCWD, at("rel/sub/none"), 0, NULL, NULL), -ENOENT);
	fd = host_open(AT_FDCWD, at("real/sub/f"), 0, NULL, NULL);
	CHECK(fd >= 0);
	if (fd >= 0)
		close(fd);
	CHECK_INT(opendir_errno(at("rel/sub")), 0);
	int de = opendir_errno(at("abs"));
	CHECK(de == ELOOP || de == ENOTDIR);

	if (geteuid() == 0 && lchown(at("user"), 65534, 65534) == 0) {
		/* a user's link, named directly or reached through root's */
		CHECK_INT(resolve("user/sub", &out, &bad), -ELOOP);
		CHECK_STR(bad.path, at("user"));
		CHECK_INT(bad.uid, 65534);
		memset(&bad, 0, sizeof(bad));
		CHECK_INT(resolve("real/via/sub", &out, &bad), -ELOOP);
		CHECK_STR(bad.path, at("user"));
		CHECK_INT(trusted_open_dir(at("user/sub"), &out, &bad), -ELOOP);
		/* host_opendir followed a user's folder link before */
		CHECK_INT(opendir_errno(at("user/sub")), ELOOP);
		CHECK_INT(host_stat_path(at("user/sub"), STATX_TYPE, &sx), -ELOOP);
	} else {
		printf("# skipped: the user's link needs root to chown it\n");
	}
	capbuf_release(&out);
	const char *rm[] = { "real/sub/f", "toslow", "real/via", "user", "loop1", "loop2", "chain", "up", "abs", "rel",
			     "real/sub", "real" };
	for (size_t i = 0; i < sizeof(rm) / sizeof(rm[0]); i++)
		if (unlink(at(rm[i])) < 0)
			rmdir(at(rm[i]));
	rmdir(base);
	return tap_done("trustpath");
}
