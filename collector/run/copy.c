/* copy.c - raw copies of host files into the bundle as artifacts (copy.h). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle.h"
#include "jsonx.h"
#include "copy.h"
#include "slowmounts.h"
#include "textutil.h"
#include "banned.h"


static const char *type_word(unsigned mode)
{
	switch (mode & S_IFMT) {
	case S_IFIFO: return "a FIFO";
	case S_IFSOCK: return "a socket";
	case S_IFCHR: return "a character device";
	case S_IFBLK: return "a block device";
	case S_IFDIR: return "a directory";
	default: return "not a regular file";
	}
}

/* Describe why host_open() refused, with the target of a symlink. */
static void explain_refusal(struct artifact *a, int err, int dirfd, const char *path,
			    enum copy_policy policy)
{
	struct statx st;

	char *link = NULL;
	/* a folder's link first: a readlink of the path would follow it (and
	 * no stat at all where the path names a slow mount itself) */
	bool via_link = err == -ELOOP ||
			(err == -EREMOTE && path[0] == '/' && !slowmounts_path(path, NULL, 0));
	if (via_link && host_link_in_path(dirfd, path, &link) == 0) {
		/* a folder of the path is a link: recorded with its target,
		 * never followed (openat2 RESOLVE_NO_SYMLINKS) */
		char *target = NULL;
		size_t tlen = 0;
		host_readlink(dirfd, link, &target, &tlen);
		a->kind = "symlink";
		a->link_target = target;
		a->link_len = tlen;
		char shown_link[400];
		text_escape_fixed(shown_link, sizeof(shown_link), link, strlen(link));
		if (err == -EREMOTE)
			artifact_fail(a, ART_ERROR, EREMOTE, "not read: '%s', a folder of the path, "
				      "is a symbolic link onto a file system that answers through a "
				      "server, which may never answer", shown_link);
		else if (policy != COPY_STRICT)
			snprintf(a->message, sizeof(a->message), "'%s', a folder of the path, is "
				 "a symbolic link: recorded, not followed", shown_link);
		else
			artifact_fail(a, ART_ERROR, ELOOP, "refused: '%s', a folder of the path, is "
				      "a symbolic link (target recorded): never followed", shown_link);
		free(link);
		return;
	}
	if (err == -ELOOP) {
		if (a->link_target || host_readlink(dirfd, path, &a->link_target,
						     &a->link_len) == 0) {
			a->kind = "symlink";
			if (statx(dirfd, path, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, STATX_BASIC_STATS |
				  STATX_BTIME, &st) == 0) {
				a->st = st;
				a->has_stat = true;
			}
		}
		if (policy != COPY_STRICT) {
			snprintf(a->message, sizeof(a->message),
				 "symbolic link recorded, not followed");
			return;
		}
		artifact_fail(a, ART_ERROR, ELOOP,
			      "refused: a symbolic link is never followed (target recorded)");
		return;
	}
	if (err == -EFTYPE_NOT_REGULAR &&
	    statx(dirfd, path, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, STATX_BASIC_STATS | STATX_BTIME,
		  &st) == 0) {
		a->st = st;
		a->has_stat = true;
		if (policy == COPY_OPTIONAL) {   /* found while listing: noted, not failed */
			a->kind = "special";
			snprintf(a->message, sizeof(a->message), "%s: recorded, never opened",
				 type_word(st.stx_mode));
			return;
		}
		artifact_fail(a, ART_ERROR, EINVAL, "refused: %s is never opened",
			      type_word(st.stx_mode));
		return;
	}
	char type[48];
	if (err == -EREMOTE && slowmounts_path(a->source ? a->source : path, type, sizeof(type))) {
		artifact_fail(a, ART_ERROR, EREMOTE, "not read: on fs %s, a file system that "
			      "answers through a server, which may never answer", type);
		return;
	}
	int e = err == -EFTYPE_NOT_REGULAR ? EINVAL : -err;
	if (e == ENOENT && policy == COPY_OPTIONAL) {
		a->kind = "absent";
		snprintf(a->message, sizeof(a->message), "does not exist on this host");
		return;
	}
	artifact_fail(a, ART_ERROR, e, "cannot open: %s", strerror(e));
}

/* Stream fd into the open member: at most `want` bytes. */
static int copy_stream(struct run *r, struct artifact *a, int fd, uint64_t want,
		       uint64_t *ret_read)
{
	uint64_t done = 0;
	int ret = 0;

	/* read straight into the bundle's block: no copy between the
	 * file and the output (bundle.h) */
	while (done < want) {
		if (run_should_stop(r)) {
			artifact_fail(a, ART_PARTIAL, EINTR,
				      "interrupted after %" PRIu64 " of %" PRIu64 " bytes",
				      done, want);
			break;
		}
		size_t room;
		char *buf = bundle_space(r->bundle, &room);
		if (!buf) {
			ret = bundle_wrote(r->bundle, 0);   /* the bundle's fatal error */
			if (ret == 0)
				ret = -EBADF;
			break;
		}
		size_t n = want - done < room ? (size_t)(want - done) : room;
		ssize_t got = read(fd, buf, n);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			artifact_fail(a, ART_PARTIAL, errno, "read failed after %" PRIu64
				      " bytes: %s", done, strerror(errno));
			break;
		}
		if (got == 0) {
			artifact_fail(a, ART_PARTIAL, 0,
				      "file shrank while read: %" PRIu64 " of %" PRIu64 " bytes",
				      done, want);
			break;
		}
		ret = bundle_wrote(r->bundle, (size_t)got);
		if (ret < 0)
			break;
		done += (uint64_t)got;
	}
	*ret_read = done;
	return ret;
}

/* Close the member a copy streamed (`ret`: the copy's own result) and fill
 * the artifact: member, bytes, and the zero padding of a short read. */
static int end_member(struct run *r, struct artifact *a, const char *member, int ret,
		      uint64_t bytes, uint64_t size)
{
	uint64_t padded = 0;
	int ret2 = bundle_end(r->bundle, a->sha256, &padded);

	if (ret == 0)
		ret = ret2;
	if (ret < 0) {
		artifact_fail(a, ART_ERROR, -ret, "cannot archive: %s", strerror(-ret));
		return ret;
	}
	a->member = strdup(member);
	a->bytes = bytes;
	if (padded) {
		a->truncated = true;
		a->original_size = size;
		artifact_fail(a, ART_PARTIAL, 0, "last %" PRIu64 " bytes of the member are "
			      "zero padding", padded);
	}
	return 0;
}

#define SPARSE_MIN (1u << 20)     /* smaller files are copied whole */
#define MAX_EXTENTS 4096

struct extent {
	uint64_t off, len;
};

/* The data extents of fd in [0, size), by lseek(2) SEEK_DATA/SEEK_HOLE:
 * their count (0: only holes), -EOPNOTSUPP when the file system cannot
 * say, -E2BIG beyond MAX_EXTENTS (then the file is copied as it reads). */
static int data_extents(int fd, uint64_t size, struct extent *ext)
{
	int n = 0;

	for (uint64_t off = 0; off < size;) {
		off_t d = lseek(fd, (off_t)off, SEEK_DATA);
		if (d < 0)
			return errno == ENXIO ? n : -EOPNOTSUPP;   /* ENXIO: only a hole left */
		off_t h = lseek(fd, d, SEEK_HOLE);
		uint64_t end = h < 0 || (uint64_t)h > size ? size : (uint64_t)h;
		if ((uint64_t)d >= end)
			break;
		if (n == MAX_EXTENTS)
			return -E2BIG;
		ext[n++] = (struct extent){ (uint64_t)d, end - (uint64_t)d };
		off = end;
	}
	return n;
}

/* A sparse file: its data extents only, one after the other, and where
 * each lies in the index ("sparse"): a hole of terabytes (a lastlog with
 * a uid of 4294967294) is not copied as zeros. */
static int copy_sparse(struct run *r, struct artifact *a, int fd, const char *member,
		       uint64_t size, uint64_t cap, const struct extent *ext, int n)
{
	uint64_t total = 0, got = 0;
	int ret = 0, kept = 0;

	for (int i = 0; i < n && total < cap; i++, kept++)
		total += ext[i].len < cap - total ? ext[i].len : cap - total;
	json_t *list = json_array(), *sp = json_object();
	for (int i = 0; i < kept; i++) {
		json_t *e = json_array();
		json_array_append_new(e, json_integer((json_int_t)ext[i].off));
		json_array_append_new(e, json_integer((json_int_t)ext[i].len));
		json_array_append_new(list, e);
	}
	json_set_int(sp, "size", (int64_t)size);
	json_set_int(sp, "data_bytes", (int64_t)total);
	json_set_new(sp, "extents", list);
	if (!a->extra)
		a->extra = json_object();
	json_set_new(a->extra, "sparse", sp);
	uint64_t data = 0;
	for (int i = 0; i < n; i++)
		data += ext[i].len;
	if (total < data) {
		a->truncated = true;
		a->original_size = size;
		artifact_fail(a, ART_PARTIAL, 0, "data copied up to the cap of %" PRIu64 " bytes",
			      cap);
	}
	ret = bundle_begin(r->bundle, member, total);
	if (ret < 0) {
		artifact_fail(a, ART_ERROR, -ret, "cannot archive: %s", strerror(-ret));
		return ret;
	}
	for (int i = 0; i < kept && ret == 0; i++) {
		uint64_t want = ext[i].len < total - got ? ext[i].len : total - got, done = 0;
		if (lseek(fd, (off_t)ext[i].off, SEEK_SET) < 0) {
			artifact_fail(a, ART_PARTIAL, errno, "cannot seek to a data extent");
			break;
		}
		ret = copy_stream(r, a, fd, want, &done);
		got += done;
		if (done < want)
			break;
	}
	ret = end_member(r, a, member, ret, total, size);
	if (ret < 0)
		return ret;
	if (!a->message[0])
		snprintf(a->message, sizeof(a->message), "sparse: %d data extents (%" PRIu64
			 " of %" PRIu64 " bytes) copied, the holes not (index: sparse)", kept,
			 total, size);
	return 0;
}

int copy_fd_to_member(struct run *r, struct artifact *a, int fd, const char *member,
		      uint64_t size, uint64_t cap)
{
	uint64_t want = size < cap ? size : cap, got = 0;
	int ret;

	if (size >= SPARSE_MIN && a->has_stat && a->st.stx_blocks * 512 < size) {
		struct extent *ext = calloc(MAX_EXTENTS, sizeof(*ext));
		int n = ext ? data_extents(fd, size, ext) : -ENOMEM;
		if (n >= 0)
			ret = copy_sparse(r, a, fd, member, size, cap, ext, n);
		free(ext);
		if (n >= 0)
			return ret;
		lseek(fd, 0, SEEK_SET);
	}

	if (size > cap) {
		a->truncated = true;
		a->original_size = size;
		artifact_fail(a, ART_PARTIAL, 0, "copied up to the cap of %" PRIu64 " bytes",
			      cap);
	}
	ret = bundle_begin(r->bundle, member, want);
	if (ret < 0) {
		artifact_fail(a, ART_ERROR, -ret, "cannot archive: %s", strerror(-ret));
		return ret;
	}
	ret = copy_stream(r, a, fd, want, &got);
	return end_member(r, a, member, ret, want, size);
}

int host_copy(struct run *r, const char *step, const char *path, uint64_t cap,
	      enum copy_policy policy)
{
	return host_copy_at(r, step, AT_FDCWD, path, path, cap, policy);
}

/* The outcome of a copy, from its artifact as it ends. */
static void told(struct copy_outcome *out, const struct artifact *a)
{
	if (!out)
		return;
	out->copied = a->member != NULL;
	snprintf(out->why, sizeof(out->why), "%s", out->copied ? "" :
		 a->message[0] ? a->message : a->kind ? a->kind : "not archived");
}

int host_copy_at(struct run *r, const char *step, int dirfd, const char *name,
		 const char *path, uint64_t cap, enum copy_policy policy)
{
	return host_copy_at_told(r, step, dirfd, name, path, cap, policy, NULL);
}

int host_copy_at_told(struct run *r, const char *step, int dirfd, const char *name,
		      const char *path, uint64_t cap, enum copy_policy policy,
		      struct copy_outcome *out)
{
	struct artifact a;
	struct capbuf mname;
	int fd, ret = 0;

	capbuf_init(&mname, 65536);
	capbuf_addstr(&mname, "fs/");
	if (member_encode(&mname, path, strlen(path)) < 0 || mname.len > MEMBER_NAME_MAX) {
		/* tar tools cannot extract a name beyond PATH_MAX: a path that long
		 * is archived under its SHA-256; the index keeps the path */
		char sha[65];
		sha256_hex(path, strlen(path), sha);
		capbuf_reset(&mname);
		capbuf_printf(&mname, "fs-long/%s", sha);
	}
	/* a file two steps name (copy /etc/shadow, then tree /etc) is archived
	 * and indexed once: one source, one record */
	if (bundle_has(r->bundle, mname.buf)) {
		capbuf_release(&mname);
		if (out)   /* its bytes are in the bundle, by the step that named it first */
			*out = (struct copy_outcome){ .copied = true };
		return 0;
	}
	artifact_begin(r, &a, step, "file", path);
	fd = host_open(dirfd, name, 0, &a.noatime, &a.st);
	if (fd < 0) {
		explain_refusal(&a, fd, dirfd, name, policy);
		capbuf_release(&mname);
		told(out, &a);
		if (a.status == ART_OK && (strcmp(a.kind, "symlink") == 0 ||
					   strcmp(a.kind, "special") == 0) &&
		    strset_add(&r->noted, path) == 0) {   /* named by a step before */
			free(a.link_target);
			return 0;
		}
		artifact_end(r, &a);
		return 0;
	}
	a.has_stat = true;
	uint64_t size = a.st.stx_size;
	ret = copy_fd_to_member(r, &a, fd, mname.buf, size, cap);
	if (ret < 0)
		goto out;
	/* did it change while we read it? */
	struct statx after;
	if (statx_fd(fd, &after) == 0) {
		if (after.stx_size != size)
			artifact_fail(&a, ART_PARTIAL, 0, "size changed while read: %" PRIu64
				      " -> %" PRIu64, size, (uint64_t)after.stx_size);
		else if (after.stx_mtime.tv_sec != a.st.stx_mtime.tv_sec ||
			 after.stx_mtime.tv_nsec != a.st.stx_mtime.tv_nsec)
			artifact_fail(&a, ART_PARTIAL, 0, "modified while read");
	}
out:
	close(fd);
	capbuf_release(&mname);
	told(out, &a);
	artifact_end(r, &a);
	/* only a fatal output error stops the caller */
	return bundle_dead(r->bundle) ? ret : 0;
}
