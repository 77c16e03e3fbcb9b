/* deadline.c and fsguard.c: a call that never returns is left behind on its
 * own thread, in time, and never touches the caller's memory afterwards;
 * mount tables say which files may wait on a server. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "deadline.h"
#include "fsguard.h"
#include "tap.h"

struct job {
	int fd;            /* read end: the call blocks until it is written */
	int value;
	char got;
};

static atomic_int ran;

static void add_one(void *v)
{
	struct job *j = v;
	j->value++;
	atomic_fetch_add(&ran, 1);
}

static void block_read(void *v)
{
	struct job *j = v;
	atomic_fetch_add(&ran, 1);
	if (read(j->fd, &j->got, 1) == 1)
		j->value = 42;   /* its own copy: the caller's is left alone */
	close(j->fd);
}

static bool stop_now(void *ctx)
{
	return *(bool *)ctx;
}

static int stop_calls;

static bool stop_third(void *ctx)   /* no at the start, yes on the third ask */
{
	(void)ctx;
	return ++stop_calls >= 3;
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static void put(const char *dir, const char *name, const char *text)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	REQUIRE(f);
	fputs(text, f);
	fclose(f);
}

int main(void)
{
	/* a read made to fail (tests/fault) ends a call early and closes its
	 * pipe: the test's write then gets EPIPE, not a SIGPIPE */
	signal(SIGPIPE, SIG_IGN);
	struct job j = { .value = 1 };
	unsigned waited;
	bool stop = false;
	int p[2];

	/* a call that returns: its result comes back */
	CHECK(deadline_run(add_one, &j, sizeof(j), 1000, NULL, NULL, &waited) == 0);
	CHECK(j.value == 2);

	/* a call that never returns: left behind at the deadline */
	REQUIRE(pipe(p) == 0);
	j = (struct job){ .fd = p[0], .value = 7 };
	double t0 = now();
	CHECK(deadline_run(block_read, &j, sizeof(j), 200, NULL, NULL, &waited) == -ETIMEDOUT);
	double dt = now() - t0;
	CHECK(dt >= 0.19 && dt < 2.0);
	CHECK(waited >= 190);
	CHECK(j.value == 7);   /* untouched */
	CHECK(deadline_abandoned() == 1);
	/* it ends late, on its own copy (ASan would see a write to freed memory) */
	CHECK(write(p[1], "x", 1) == 1);
	usleep(100 * 1000);
	CHECK(j.value == 7);

	/* a stop while waiting: -EINTR, soon, the call left behind */
	REQUIRE(pipe(p) == 0);
	j = (struct job){ .fd = p[0], .value = 3 };
	t0 = now();
	CHECK(deadline_run(block_read, &j, sizeof(j), 5000, stop_third, NULL, &waited) == -EINTR);
	CHECK(now() - t0 < 1.0);
	CHECK(j.value == 3 && deadline_abandoned() == 2);
	CHECK(write(p[1], "x", 1) == 1);

	REQUIRE(pipe(p) == 0);
	struct job k = { .fd = p[0] };
	t0 = now();
	/* stop says yes at once: nothing runs, the fd is still ours */
	stop = true;
	int before = atomic_load(&ran);
	int e = deadline_run(block_read, &k, sizeof(k), 5000, stop_now, &stop, NULL);
	CHECK(e == -ECANCELED && deadline_not_run(e));
	usleep(50 * 1000);
	CHECK(atomic_load(&ran) == before);
	CHECK(now() - t0 < 1.0);
	close(p[1]);   /* ends nothing: the call never started; p[0] is ours */
	close(p[0]);

	/* fsguard: the mount tables of two namespaces */
	char dir[] = "/tmp/unit_deadline.XXXXXX", sub[600];
	REQUIRE(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/a", dir);
	REQUIRE(mkdir(sub, 0700) == 0);
	snprintf(sub, sizeof(sub), "%s/a/ns", dir);
	REQUIRE(mkdir(sub, 0700) == 0);
	snprintf(sub, sizeof(sub), "%s/a", dir);
	put(sub, "mountinfo",
	    "21 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n"
	    "30 21 0:50 / /home/x\\040y rw,nosuid shared:7 master:2 - fuse.sshfs u@h:/ rw\n"
	    "31 21 0:51 / /mnt rw - nfs4 srv:/e rw\n");
	snprintf(sub, sizeof(sub), "%s/a/ns/mnt", dir);
	REQUIRE(symlink("mnt:[4026531841]", sub) == 0);
	snprintf(sub, sizeof(sub), "%s/b", dir);
	REQUIRE(mkdir(sub, 0700) == 0);
	snprintf(sub, sizeof(sub), "%s/b/ns", dir);
	REQUIRE(mkdir(sub, 0700) == 0);
	snprintf(sub, sizeof(sub), "%s/b", dir);
	put(sub, "mountinfo", "40 1 254:0 / / rw - ext4 /dev/vda1 rw\n");
	snprintf(sub, sizeof(sub), "%s/b/ns/mnt", dir);
	REQUIRE(symlink("mnt:[4026532000]", sub) == 0);
	snprintf(sub, sizeof(sub), "%s/a", dir);
	int a = open(sub, O_RDONLY | O_DIRECTORY);
	snprintf(sub, sizeof(sub), "%s/b", dir);
	int b = open(sub, O_RDONLY | O_DIRECTORY);
	REQUIRE(a >= 0 && b >= 0);

	fsguard_init(-1, 200, NULL, NULL, NULL);
	struct fs_where w;
	fsguard_where(a, 21, &w);
	CHECK(w.known && !strcmp(w.type, "ext4") && !w.guarded);
	fsguard_where(a, 30, &w);
	CHECK(w.known && !strcmp(w.type, "fuse.sshfs") && w.guarded);
	fsguard_where(a, 31, &w);
	CHECK(w.known && !strcmp(w.type, "nfs4") && w.guarded);
	fsguard_where(a, 99, &w);   /* detached (umount -l): in no table */
	CHECK(!w.known && w.guarded);
	fsguard_where(a, -1, &w);
	CHECK(!w.known && w.guarded);
	CHECK(fsguard_ns_guarded(a));
	CHECK(!fsguard_ns_guarded(b));
	fsguard_where(b, 40, &w);
	CHECK(w.known && !w.guarded);
	CHECK(slowmounts_type_slow("fuse") && slowmounts_type_slow("fuse.rclone") &&
	      slowmounts_type_slow("cifs") && slowmounts_type_slow("9p"));
	CHECK(!slowmounts_type_slow("ext4") && !slowmounts_type_slow("proc") &&
	      !slowmounts_type_slow("tmpfs") && !slowmounts_type_slow("fusectl"));

	/* the host-file side: mount points of slow file systems by path */
	static const char own[] =
		"21 1 254:0 / / rw - ext4 /dev/vda1 rw\n"
		"30 21 0:50 / /home/x\\040y rw shared:7 - fuse.sshfs u@h:/ rw\n"
		"31 21 0:51 / /mnt/nfs rw - nfs4 srv:/e rw\n";
	char ty[48] = "";
	slowmounts_set(own, sizeof(own) - 1);
	CHECK(slowmounts_path("/home/x y", ty, sizeof(ty)) && !strcmp(ty, "fuse.sshfs"));
	CHECK(slowmounts_path("/home/x y/.bash_history", NULL, 0));
	CHECK(slowmounts_path("/mnt/nfs/a/b", ty, sizeof(ty)) && !strcmp(ty, "nfs4"));
	CHECK(!slowmounts_path("/mnt/nfs2/a", NULL, 0));   /* a sibling, not under it */
	CHECK(!slowmounts_path("/home/x", NULL, 0) && !slowmounts_path("/etc/passwd", NULL, 0));
	CHECK(!slowmounts_path("relative/path", NULL, 0));
	slowmounts_set("5 1 0:9 / / rw - fuse.rootfs x rw\n", 34);
	CHECK(slowmounts_path("/etc/passwd", NULL, 0));   /* a FUSE root: everything */
	slowmounts_free();
	CHECK(!slowmounts_path("/etc/passwd", NULL, 0));

	/* a mount that timed out is not asked again */
	REQUIRE(pipe(p) == 0);
	j = (struct job){ .fd = p[0] };
	CHECK(fsguard_run(30, block_read, &j, sizeof(j), &waited) == -ETIMEDOUT);
	before = atomic_load(&ran);
	REQUIRE(pipe(p + 0) == 0);
	k = (struct job){ .fd = p[0] };
	e = fsguard_run(30, block_read, &k, sizeof(k), &waited);
	CHECK(e == -EDEADLK && fsguard_not_run(e));
	CHECK(atomic_load(&ran) == before);
	close(k.fd);
	j = (struct job){ .value = 5 };
	CHECK(fsguard_run(31, add_one, &j, sizeof(j), NULL) == 0 && j.value == 6);
	char why[160];
	fsguard_where(a, 30, &w);
	fsguard_reason(-ETIMEDOUT, &w, 2003, why, sizeof(why));
	CHECK(!strcmp(why, "no answer within 2003 ms (fs fuse.sshfs)"));
	fsguard_reason(-EDEADLK, &w, 0, why, sizeof(why));
	CHECK(!strcmp(why, "not asked: fs fuse.sshfs stalled earlier in this run"));
	fsguard_free();
	close(a);
	close(b);
	char cmd[700];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CHECK(system(cmd) == 0);
	printf("1..%d\n", tap_checks);
	return tap_fails != 0;
}
