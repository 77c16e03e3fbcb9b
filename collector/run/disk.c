/*
 * disk.c - a block device or an image file read whole into the bundle
 * (issue 22, item 2): the profile's `disk PATH` step, and `irsnap image`.
 *
 * disk/<name>.raw holds every byte from the first to the last, in order;
 * its SHA-256 is the manifest's like any member's, and its MD5 and SHA-1
 * (what courts and older tools still ask for) are in its index record.
 * disk/<name>.json beside it: the device's identity (sysfs and ioctls:
 * model, vendor, serial, WWN, size, sector sizes, read-only flag, the
 * kernel's partition table), how it was read, and every range that could
 * not be read. A chunk that fails is read again sector by sector, each
 * sector up to three times; a sector that never reads is zero-filled and
 * its range recorded (as dc3dd's error log does), and the reading goes on;
 * the artifact is then partial and the run ends with exit 1.
 *
 * A block device is read with O_DIRECT (aligned 1 MiB reads), so that the
 * host's page cache is not flushed by the image; an image file, or a
 * device that refuses O_DIRECT, is read through the cache with each chunk
 * dropped again (POSIX_FADV_DONTNEED). The device holding the output (or
 * a disk one of its partitions or slaves is) is refused.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "bundle.h"
#include "capbuf.h"
#include "digests.h"
#include "disk.h"
#include "hostfile.h"
#include "jsonx.h"
#include "parttable.h"
#include "progress.h"
#include "textutil.h"
#include "banned.h"

#define CHUNK (1u << 20)
#define TRIES 3
#define MAX_RANGES 100000u     /* recorded one by one; beyond, only counted */
#define LOG_EVERY (1ull << 30)

struct image {
	int fd;
	bool direct;
	uint64_t size;
	unsigned sector;
	struct digests *dg;
	json_t *ranges;
	uint64_t nranges, bad_bytes, bad_chunks, last_bad_end;
};

static ssize_t pread_all(int fd, unsigned char *buf, size_t n, uint64_t off)
{
	size_t got = 0;
	while (got < n) {
		ssize_t k = pread(fd, buf + got, n - got, (off_t)(off + got));
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return got ? (ssize_t)got : k;
		got += (size_t)k;
	}
	return (ssize_t)got;
}

static void bad_range(struct image *im, uint64_t off, uint64_t len)
{
	im->bad_bytes += len;
	json_t *last = json_array_size(im->ranges) ?
		       json_array_get(im->ranges, json_array_size(im->ranges) - 1) : NULL;
	if (last && im->last_bad_end == off) {   /* adjacent: one range */
		json_int_t l = json_integer_value(json_object_get(last, "bytes"));
		json_object_set_new(last, "bytes", json_integer(l + (json_int_t)len));
	} else if (im->nranges < MAX_RANGES) {
		json_t *o = json_object();
		json_set_new(o, "offset", json_integer((json_int_t)off));
		json_set_new(o, "bytes", json_integer((json_int_t)len));
		json_array_append_new(im->ranges, o);
		im->nranges++;
	} else {
		im->nranges++;
	}
	im->last_bad_end = off + len;
}

/* One chunk into buf: whole, or sector by sector with the bad ones zeroed. */
static void read_chunk(struct image *im, unsigned char *buf, uint64_t off, size_t n)
{
	if (pread_all(im->fd, buf, n, off) == (ssize_t)n)
		return;
	im->bad_chunks++;
	for (size_t s = 0; s < n; s += im->sector) {
		size_t k = n - s < im->sector ? n - s : im->sector;
		bool ok = false;
		for (int t = 0; t < TRIES && !ok; t++)
			ok = pread_all(im->fd, buf + s, k, off + s) == (ssize_t)k;
		if (!ok) {
			memset(buf + s, 0, k);
			bad_range(im, off + s, k);
		}
	}
}

/* A small sysfs attribute under `key`, its trailing newline and spaces
 * dropped; whether it was there. */
static bool put_attr(json_t *o, const char *key, int dir, const char *name)
{
	char buf[512];
	int fd = openat(dir, name, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (fd >= 0)
		close(fd);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' ' || buf[n - 1] == '\0'))
		n--;
	return n > 0 && json_set_bytes(o, key, buf, (size_t)n) == 0;
}

/* What sysfs says of a block device, and its partitions. */
static void sysfs_identity(json_t *o, unsigned maj, unsigned min)
{
	char path[64];
	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u", maj, min);
	int dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0) {
		json_set_new(o, "sysfs_error", json_string(strerror(errno)));
		return;
	}
	static const char *const names[][2] = {
		{ "model", "device/model" }, { "vendor", "device/vendor" },
		{ "serial", "device/serial" }, { "serial_vpd", "serial" },
		{ "wwid", "wwid" }, { "device_wwid", "device/wwid" }, { "revision", "device/rev" },
		{ "firmware", "device/firmware_rev" }, { "removable", "removable" },
		{ "rotational", "queue/rotational" }, { "ro", "ro" }, { "size_sectors", "size" },
		{ "dm_name", "dm/name" }, { "dm_uuid", "dm/uuid" },
		{ "loop_backing_file", "loop/backing_file" }, { "partition", "partition" },
	};
	json_t *sys = json_object();
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		put_attr(sys, names[i][0], dir, names[i][1]);
	json_set_new(o, "sysfs", sys);

	json_t *parts = json_array();
	int d2 = dup(dir);
	DIR *d = d2 >= 0 ? fdopendir(d2) : NULL;
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		int pd = openat(dir, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (pd < 0)
			continue;
		json_t *p = json_object();
		if (p && put_attr(p, "number", pd, "partition")) {
			json_set_bytes(p, "name", de->d_name, strlen(de->d_name));
			put_attr(p, "start_sectors", pd, "start");
			put_attr(p, "size_sectors", pd, "size");
			json_array_append_new(parts, p);
		} else {
			json_decref(p);
		}
		close(pd);
	}
	if (d)
		closedir(d);
	else if (d2 >= 0)
		close(d2);
	json_set_new(o, "partitions", parts);
	close(dir);
}

/* Whether the file system of `out` lies on the block device `dev` (the
 * same, a partition of it, or stacked on it through slaves). */
static bool output_on(uint64_t out, dev_t dev, int depth)
{
	char a[64], b[64], ra[PATH_MAX], rb[PATH_MAX];
	if (!out || depth > 8)
		return false;
	if (out == dev)
		return true;
	snprintf(a, sizeof(a), "/sys/dev/block/%u:%u", major(out), minor(out));
	snprintf(b, sizeof(b), "/sys/dev/block/%u:%u", major(dev), minor(dev));
	if (!realpath(a, ra) || !realpath(b, rb))
		return false;
	size_t lb = strlen(rb);
	if (strncmp(ra, rb, lb) == 0 && ra[lb] == '/')
		return true;   /* a partition of the disk */
	char sl[PATH_MAX + 8];
	snprintf(sl, sizeof(sl), "%s/slaves", ra);
	DIR *d = opendir(sl);
	struct dirent *de;
	bool hit = false;
	while (d && !hit && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char dv[PATH_MAX + 300], num[32];
		snprintf(dv, sizeof(dv), "%s/%s/dev", sl, de->d_name);
		int fd = open(dv, O_RDONLY | O_CLOEXEC);
		ssize_t n = fd >= 0 ? read(fd, num, sizeof(num) - 1) : -1;
		if (fd >= 0)
			close(fd);
		unsigned ma, mi;
		if (n > 0 && (num[n] = '\0', sscanf(num, "%u:%u", &ma, &mi) == 2))
			hit = output_on(makedev(ma, mi), dev, depth + 1);
	}
	if (d)
		closedir(d);
	return hit;
}

static int read_image(struct run *r, struct artifact *a, struct image *im, const char *member,
		      json_t *info)
{
	unsigned char *buf = NULL;
	if (posix_memalign((void **)&buf, 4096, CHUNK) != 0) {
		artifact_fail(a, ART_ERROR, ENOMEM, "out of memory");
		return 0;
	}
	int ret = bundle_begin(r->bundle, member, im->size);
	if (ret < 0) {
		free(buf);
		artifact_fail(a, ART_ERROR, -ret, "cannot archive: %s", strerror(-ret));
		return bundle_dead(r->bundle) ? ret : 0;
	}
	double t0 = run_elapsed(r);
	uint64_t off = 0, next_log = LOG_EVERY;
	while (off < im->size && !run_should_stop(r)) {
		size_t n = im->size - off < CHUNK ? (size_t)(im->size - off) : CHUNK;
		read_chunk(im, buf, off, n);
		if (off == 0)   /* the table as the disk's own bytes hold it */
			json_set_new(info, "partition_table", parttable_read(buf, n, im->sector,
									     im->size));
		if (!im->direct)
			(void)posix_fadvise(im->fd, (off_t)off, (off_t)n, POSIX_FADV_DONTNEED);
		digests_update(im->dg, buf, n);
		if ((ret = bundle_write(r->bundle, buf, n)) < 0)
			break;
		off += n;
		progress_bytes(r->prog, bundle_bytes(r->bundle));
		if (off >= next_log) {
			double dt = run_elapsed(r) - t0;
			run_log(r, "disk: %" PRIu64 " of %" PRIu64 " MiB read, %.0f MiB/s, %" PRIu64
				" bytes unreadable", off >> 20, im->size >> 20,
				dt > 0 ? (double)(off >> 20) / dt : 0.0, im->bad_bytes);
			next_log += LOG_EVERY;
		}
	}
	free(buf);
	double dt = run_elapsed(r) - t0;
	char sha[SHA256_HEX_LEN];
	uint64_t padded = 0;
	if (ret == 0)
		ret = bundle_end(r->bundle, sha, &padded);
	if (ret < 0) {
		artifact_fail(a, ART_ERROR, -ret, "cannot archive: %s", strerror(-ret));
		return bundle_dead(r->bundle) ? ret : 0;
	}
	free(a->member);
	a->member = strdup(member);
	a->bytes = im->size;
	memcpy(a->sha256, sha, sizeof(sha));
	if (!a->extra)
		a->extra = json_object();
	if (off == im->size) {   /* MD5 and SHA-1 only of a whole read */
		char md5[33], sha1[41];
		digests_final(im->dg, md5, sha1);
		if (md5[0]) {
			json_set_str(a->extra, "md5", md5);
			json_set_str(a->extra, "sha1", sha1);
		} else {
			run_log(r, "disk: %s: MD5 and SHA-1 could not be computed (OpenSSL)", member);
		}
	} else {
		a->truncated = true, a->original_size = im->size;
		artifact_fail(a, ART_PARTIAL, 0, "stopped after %" PRIu64 " of %" PRIu64 " bytes: the "
			      "rest of the member is zero padding, not the device's", off, im->size);
		json_set_new(info, "stopped_at", json_integer((json_int_t)off));
	}
	json_set_new(a->extra, "bad_bytes", json_integer((json_int_t)im->bad_bytes));
	r->unreadable_bytes += im->bad_bytes;
	if (im->bad_bytes)
		artifact_fail(a, ART_PARTIAL, EIO, "%" PRIu64 " bytes in %" PRIu64 " ranges could not "
			      "be read: zero-filled, the ranges are in the .json beside it",
			      im->bad_bytes, im->nranges);
	json_set_new(info, "seconds", json_real(dt));
	json_set_new(info, "mib_per_s", json_real(dt > 0 ? (double)(off >> 20) / dt : 0));
	run_log(r, "disk: %s: %" PRIu64 " bytes in %.1f s (%.0f MiB/s), %" PRIu64
		" unreadable in %" PRIu64 " ranges", member, off, dt,
		dt > 0 ? (double)(off >> 20) / dt : 0.0, im->bad_bytes, im->nranges);
	return 0;
}

int disk_step(struct run *r, const char *path)
{
	struct artifact a;
	struct stat st;
	struct image im = { .fd = -1, .sector = 512 };
	char member[300], base[64];
	int ret = 0;

	artifact_begin(r, &a, "disk", "disk", path);
	const char *slash = strrchr(path, '/');
	size_t bl = strlen(slash ? slash + 1 : path);
	bool plain = bl > 0 && bl < sizeof(base);
	for (size_t i = 0; plain && i < bl; i++) {
		char c = (slash ? slash + 1 : path)[i];
		plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			c == '-' || c == '_' || (c == '.' && i > 0);
	}
	snprintf(base, sizeof(base), "%s", plain ? (slash ? slash + 1 : path) : "disk");
	snprintf(member, sizeof(member), "disk/%s.raw", base);
	for (int k = 2; run_has_member(r, member) && k < 1000; k++)
		snprintf(member, sizeof(member), "disk/%s-%d.raw", base, k);

	/* what it is, before any open: a FIFO's open would wait for a writer,
	 * and a tape's open rewinds it; O_NONBLOCK for the race between */
	struct stat pre;
	if (stat(path, &pre) < 0) {
		artifact_fail(&a, ART_ERROR, errno, "cannot open: %s", strerror(errno));
		goto out;
	}
	if (!S_ISBLK(pre.st_mode) && !S_ISREG(pre.st_mode)) {
		artifact_fail(&a, ART_ERROR, EINVAL, "neither a block device nor a regular file "
			      "(not opened)");
		goto out;
	}
	im.fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (im.fd < 0 || fstat(im.fd, &st) < 0) {
		artifact_fail(&a, ART_ERROR, errno, "cannot open: %s", strerror(errno));
		goto out;
	}
	if (st.st_dev != pre.st_dev || st.st_ino != pre.st_ino) {
		artifact_fail(&a, ART_ERROR, ESTALE, "replaced between its check and its open");
		goto out;
	}
	json_t *info = json_object();
	json_set_bytes(info, "path", path, strlen(path));
	if (S_ISBLK(st.st_mode)) {
		uint64_t sz = 0;
		int ss = 0, ps = 0, ro = 0;
		if (output_on(r->output_fs_dev, st.st_rdev, 0)) {
			artifact_fail(&a, ART_ERROR, EBUSY, "refused: the bundle is being written to this "
				      "device (or a partition or a volume on it)");
			json_decref(info);
			goto out;
		}
		if (ioctl(im.fd, BLKGETSIZE64, &sz) < 0) {
			artifact_fail(&a, ART_ERROR, errno, "BLKGETSIZE64: %s", strerror(errno));
			json_decref(info);
			goto out;
		}
		im.size = sz;
		if (ioctl(im.fd, BLKSSZGET, &ss) == 0 && ss >= 512 && ss <= 65536 && !(ss & (ss - 1)))
			im.sector = (unsigned)ss;
		(void)ioctl(im.fd, BLKPBSZGET, &ps);
		(void)ioctl(im.fd, BLKROGET, &ro);
		json_set_new(info, "kind", json_string("block device"));
		json_set_new(info, "major", json_integer(major(st.st_rdev)));
		json_set_new(info, "minor", json_integer(minor(st.st_rdev)));
		json_set_new(info, "logical_sector", json_integer(im.sector));
		json_set_new(info, "physical_sector", json_integer(ps));
		json_set_new(info, "read_only", json_boolean(ro));
		sysfs_identity(info, major(st.st_rdev), minor(st.st_rdev));
		/* the same device again, uncached */
		int dfd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_DIRECT);
		struct stat st2;
		if (dfd >= 0 && fstat(dfd, &st2) == 0 && st2.st_rdev == st.st_rdev) {
			close(im.fd);
			im.fd = dfd, im.direct = true;
		} else if (dfd >= 0) {
			close(dfd);
		}
	} else if (S_ISREG(st.st_mode)) {
		im.size = (uint64_t)st.st_size;
		json_set_new(info, "kind", json_string("image file"));
	} else {
		artifact_fail(&a, ART_ERROR, EINVAL, "neither a block device nor a regular file");
		json_decref(info);
		goto out;
	}
	json_set_new(info, "bytes", json_integer((json_int_t)im.size));
	json_set_new(info, "o_direct", json_boolean(im.direct));
	json_set_new(info, "member", json_string(member));
	im.dg = digests_new(), im.ranges = json_array();
	if (!im.dg || !im.ranges) {
		artifact_fail(&a, ART_ERROR, ENOMEM, "cannot start the digests");
		json_decref(info);
		goto out;
	}
	a.has_stat = statx_fd(im.fd, &a.st) == 0;
	ret = read_image(r, &a, &im, member, info);
	json_set_new(info, "unreadable_bytes", json_integer((json_int_t)im.bad_bytes));
	json_set_new(info, "unreadable_ranges", json_integer((json_int_t)im.nranges));
	json_set_new(info, "chunks_retried", json_integer((json_int_t)im.bad_chunks));
	json_set_new(info, "unreadable", json_incref(im.ranges));
	if (a.extra && json_object_get(a.extra, "md5")) {
		json_object_set(info, "md5", json_object_get(a.extra, "md5"));
		json_object_set(info, "sha1", json_object_get(a.extra, "sha1"));
	}
	json_set_new(info, "sha256", json_string(a.sha256));
	if (ret == 0) {
		struct capbuf cb;
		char *text = json_dumps(info, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
		char jm[320];
		snprintf(jm, sizeof(jm), "%.*s.json", (int)(strlen(member) - 4), member);
		capbuf_init(&cb, 64u << 20);
		if (text)
			capbuf_add(&cb, text, strlen(text)), capbuf_addstr(&cb, "\n");
		free(text);
		artifact_end(r, &a);
		json_decref(info);
		ret = run_emit(r, "disk", jm, &cb);
		capbuf_release(&cb);
		goto done;
	}
	json_decref(info);
out:
	artifact_end(r, &a);
done:
	if (im.fd >= 0)
		close(im.fd);
	digests_free(im.dg);
	json_decref(im.ranges);
	return bundle_dead(r->bundle) ? (ret ? ret : -EIO) : 0;
}
