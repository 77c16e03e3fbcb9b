/*
 * timesketch.c - a bundle's events as Timesketch reads them (export.h):
 * one JSON object per line with message, datetime, timestamp (µs) and
 * timestamp_desc, plus the fields: every file time of the timeline's
 * bodyfile (equal times of one file are one event, their names joined),
 * every process start, every login record. A bundle's events go to a
 * file of their own (O_TMPFILE) and are appended to the output only when
 * the bundle is valid.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bodyfile.h"
#include "capbuf.h"
#include "export.h"
#include "jsonx.h"
#include "textutil.h"
#include "vec.h"
#include "banned.h"

#define LINE_CAP (64u << 20)

enum kind { K_NONE, K_BODY, K_SUMS, K_PROCS, K_WTMP, K_BTMP };

struct sum {                   /* a line of timeline/sha256.NNNN */
	char *name;
	char sha[65];
};

struct tsx {
	int out, part;             /* the output; this bundle's events */
	int dir;                   /* the output's folder: where the parts are */
	char id[256], host[256];
	char member[1024];
	enum kind kind;
	struct capbuf line, ev;
	struct sum *sums;          /* of the chunk the next bodyfile is, by name */
	size_t nsums, asums;
	long long events;
	int err;
};

static void forget_sums(struct tsx *t)
{
	for (size_t i = 0; i < t->nsums; i++)
		free(t->sums[i].name);
	t->nsums = 0;
}

int tsx_open(const char *path, struct tsx **ret, char *err, size_t errlen)
{
	struct tsx *t = calloc(1, sizeof(*t));

	*ret = NULL;
	if (!t)
		return snprintf(err, errlen, "out of memory"), -ENOMEM;
	t->out = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (t->out < 0) {
		int e = errno;
		snprintf(err, errlen, "%s", e == EEXIST ? "it exists: a timeline is never "
			 "appended to or replaced" : strerror(e));
		free(t);
		return -e;
	}
	char d[4096];
	snprintf(d, sizeof(d), "%s", path);
	char *slash = strrchr(d, '/');
	if (slash)
		slash[slash == d ? 1 : 0] = '\0';
	t->dir = open(slash ? d : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (t->dir < 0) {
		int e = errno;
		snprintf(err, errlen, "its folder: %s", strerror(e));
		close(t->out);
		unlink(path);
		free(t);
		return -e;
	}
	capbuf_init(&t->line, LINE_CAP);
	capbuf_init(&t->ev, 1u << 20);
	t->part = -1;
	*ret = t;
	return 0;
}

void tsx_close(struct tsx *t)
{
	if (!t)
		return;
	if (t->part >= 0)
		close(t->part);
	close(t->out);
	close(t->dir);
	capbuf_release(&t->line);
	capbuf_release(&t->ev);
	forget_sums(t);
	free(t->sums);
	free(t);
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;   /* no progress: never a silent cut */
		p += w, n -= (size_t)w;
	}
	return 0;
}

/* One event: o gets the common fields and goes to this bundle's part. */
static void event(struct tsx *t, json_t *o, int64_t sec, long nsec, const char *desc,
		  const char *type)
{
	char dt[RFC3339_LEN];
	fmt_rfc3339_ns(dt, sec, nsec);
	json_set_str(o, "datetime", dt);
	json_set_int(o, "timestamp", sec * 1000000 + nsec / 1000);
	json_set_str(o, "timestamp_desc", desc);
	json_set_str(o, "data_type", type);
	json_set_str(o, "hostname", t->host);
	json_set_str(o, "bundle", t->id);
	json_set_str(o, "member", t->member);
	capbuf_reset(&t->ev);
	if (json_append_line(&t->ev, o) == 0 && !t->ev.truncated && !t->err)
		t->err = write_all(t->part, t->ev.buf, t->ev.len);
	t->events++;
	json_decref(o);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct sum *)a)->name, ((const struct sum *)b)->name);
}

/* "<64 hex>  <name>": the SHA-256 of an executable of the next chunk. */
static void sum_line(struct tsx *t, const char *s, size_t n)
{
	if (n < 67 || s[64] != ' ' || s[65] != ' ' || memchr(s, '\0', n) ||
	    !vec_reserve((void **)&t->sums, &t->asums, t->nsums + 1, sizeof(*t->sums)))
		return;
	struct sum *e = &t->sums[t->nsums];
	e->name = strndup(s + 66, n - 66);
	if (!e->name)
		return;
	memcpy(e->sha, s, 64);
	e->sha[64] = '\0';
	t->nsums++;
}

static const char *sum_of(const struct tsx *t, const char *name, size_t n)
{
	char key[8192];
	if (!t->nsums || n >= sizeof(key))
		return NULL;
	memcpy(key, name, n);
	key[n] = '\0';
	const struct sum k = { .name = key };
	const struct sum *e = bsearch(&k, t->sums, t->nsums, sizeof(*t->sums), by_name);
	return e ? e->sha : NULL;
}

static void body_events(struct tsx *t, const char *s, size_t n)
{
	struct body b;
	static const char *const names[4] = { "Modification Time", "Access Time",
		"Metadata Change Time", "Creation Time" };
	if (!body_parse(s, n, &b))
		return;
	int64_t tm[4] = { b.mtime, b.atime, b.ctime, b.btime };
	for (int i = 0; i < 4; i++) {
		bool first = tm[i] > 0;
		for (int j = 0; j < i && first; j++)
			first = tm[j] != tm[i];
		if (!first)
			continue;   /* none, or said with an earlier name */
		char desc[128] = "";
		for (int j = i; j < 4; j++)
			if (tm[j] == tm[i])
				snprintf(desc + strlen(desc), sizeof(desc) - strlen(desc), "%s%s",
					 desc[0] ? " / " : "", names[j]);
		json_t *o = json_object();
		json_set_bytes(o, "message", b.name, b.nlen);
		json_set_bytes(o, "path", b.name, b.nlen);
		json_set_int(o, "inode", b.ino);
		json_set_str(o, "mode", b.mode);
		json_set_int(o, "uid", b.uid);
		json_set_int(o, "gid", b.gid);
		json_set_int(o, "size", b.size);
		const char *sha = sum_of(t, b.name, b.nlen);
		if (sha)   /* irsnap-bundle/3: beside the chunk */
			json_set_str(o, "sha256", sha);
		else if (b.hlen == 64)   /* /1 and /2: in the MD5 column */
			json_set_bytes(o, "sha256", b.hash, b.hlen);
		event(t, o, tm[i], 0, desc, "fs:stat");
	}
}

static bool rfc3339(const char *s, int64_t *sec, long *nsec)
{
	struct tm tm = { 0 };
	const char *p = s ? strptime(s, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
	if (!p)
		return false;
	*sec = (int64_t)timegm(&tm);
	*nsec = 0;
	if (*p == '.') {   /* the digits as they are: no float rounding */
		long scale = 100000000;
		for (p++; *p >= '0' && *p <= '9' && scale; p++, scale /= 10)
			*nsec += (*p - '0') * scale;
	}
	return true;
}

static void proc_event(struct tsx *t, json_t *r)
{
	int64_t sec;
	long nsec;
	if (!rfc3339(json_string_value(json_object_get(r, "start_time")), &sec, &nsec))
		return;
	json_t *argv = json_object_get(r, "cmdline");
	struct capbuf cl;
	capbuf_init(&cl, 64u << 10);
	size_t i;
	json_t *a;
	json_array_foreach(argv, i, a) {
		if (i)
			capbuf_add(&cl, " ", 1);
		capbuf_addstr(&cl, json_string_value(a) ? json_string_value(a) : "");
	}
	json_t *o = json_object();
	char msg[512];
	snprintf(msg, sizeof(msg), "Process %lld (%s) started: %s",
		 (long long)json_integer_value(json_object_get(r, "pid")),
		 json_string_value(json_object_get(r, "comm")) ?
		 json_string_value(json_object_get(r, "comm")) : "?",
		 json_string_value(json_object_get(r, "exe")) ?
		 json_string_value(json_object_get(r, "exe")) : "(no exe)");
	json_set_bytes(o, "message", msg, strlen(msg));
	static const char *const keep[] = { "pid", "ppid", "comm", "exe", "exe_sha256", "uid",
		"start_ticks", NULL };
	for (int k = 0; keep[k]; k++)
		if (json_object_get(r, keep[k]))
			json_object_set(o, keep[k], json_object_get(r, keep[k]));
	json_set_bytes(o, "cmdline", cl.buf ? cl.buf : "", cl.len);
	capbuf_release(&cl);
	event(t, o, sec, nsec, "Process Start Time", "irsnap:process");
}

static void login_event(struct tsx *t, json_t *r, bool failed)
{
	int64_t type = json_integer_value(json_object_get(r, "type"));
	int64_t sec = json_integer_value(json_object_get(r, "time_epoch"));
	int64_t usec = json_integer_value(json_object_get(r, "time_usec"));
	const char *desc = failed ? "Failed Login Time" : type == 7 ? "Login Time" :
			   type == 8 ? "Logout Time" : type == 2 ? "Boot Time" :
			   type == 1 ? "Runlevel Change Time" : NULL;
	if (!desc || sec <= 0)
		return;
	const char *user = json_string_value(json_object_get(r, "user"));
	const char *host = json_string_value(json_object_get(r, "host"));
	char msg[512];
	snprintf(msg, sizeof(msg), "%s: %s on %s from %s", desc, user && *user ? user : "-",
		 json_string_value(json_object_get(r, "line")) ?
		 json_string_value(json_object_get(r, "line")) : "-", host && *host ? host : "-");
	json_t *o = json_object();
	json_set_bytes(o, "message", msg, strlen(msg));
	static const char *const keep[] = { "source", "offset", "type_name", "pid", "line", "user",
		"host", "addr", NULL };
	for (int k = 0; keep[k]; k++)
		if (json_object_get(r, keep[k]))
			json_object_set(o, keep[k], json_object_get(r, keep[k]));
	event(t, o, sec, usec >= 0 && usec < 1000000 ? (long)usec * 1000 : 0, desc,
	      failed ? "irsnap:login:failed" : "irsnap:login");
}

static void one_line(struct tsx *t, const char *s, size_t n)
{
	if (t->kind == K_BODY) {
		body_events(t, s, n);
		return;
	}
	if (t->kind == K_SUMS) {
		sum_line(t, s, n);
		return;
	}
	json_t *r = json_loadb(s, n, JSON_ALLOW_NUL, NULL);
	if (json_is_object(r)) {
		if (t->kind == K_PROCS)
			proc_event(t, r);
		else
			login_event(t, r, t->kind == K_BTMP);
	}
	json_decref(r);
}

int tsx_member(void *ctx, const char *top, const char *rel)
{
	struct tsx *t = ctx;

	if (t->err)
		return t->err;
	if (t->part < 0) {   /* a bundle's first member */
		t->part = openat(t->dir, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
		if (t->part < 0)
			return t->err = -errno;
		snprintf(t->id, sizeof(t->id), "%s", top);
		/* irsnap-<host>-<UTC time>: the host is what lies between */
		const char *h = strncmp(top, "irsnap-", 7) == 0 ? top + 7 : top;
		const char *dash = strrchr(h, '-');
		snprintf(t->host, sizeof(t->host), "%.*s", dash ? (int)(dash - h) : (int)strlen(h), h);
		t->events = 0;
	}
	snprintf(t->member, sizeof(t->member), "%s", rel);
	if (strncmp(rel, "timeline/sha256.", 16) == 0)
		forget_sums(t);   /* a new chunk's */
	t->kind = strncmp(rel, "timeline/bodyfile.", 18) == 0 ? K_BODY :
		  strncmp(rel, "timeline/sha256.", 16) == 0 ? K_SUMS :
		  strcmp(rel, "volatile/processes.jsonl") == 0 ? K_PROCS :
		  strcmp(rel, "logins/wtmp.jsonl") == 0 ? K_WTMP :
		  strcmp(rel, "logins/btmp.jsonl") == 0 ? K_BTMP : K_NONE;
	capbuf_reset(&t->line);
	t->line.truncated = false;
	return 0;
}

int tsx_data(void *ctx, const void *buf, size_t n)
{
	struct tsx *t = ctx;
	const char *p = buf, *end = p + n;

	if (t->kind == K_NONE || t->err)
		return t->err;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl) {
			capbuf_add(&t->line, p, (size_t)(end - p));
			break;
		}
		if (t->line.len || t->line.truncated) {
			capbuf_add(&t->line, p, (size_t)(nl - p));
			if (!t->line.truncated)
				one_line(t, t->line.buf, t->line.len);
			capbuf_reset(&t->line);
			t->line.truncated = false;
		} else {
			one_line(t, p, (size_t)(nl - p));
		}
		p = nl + 1;
	}
	return t->err;
}

int tsx_member_end(void *ctx, const char *rel)
{
	struct tsx *t = ctx;
	(void)rel;
	if (t->kind != K_NONE && t->line.len && !t->line.truncated && !t->err)
		one_line(t, t->line.buf, t->line.len);
	capbuf_reset(&t->line);
	if (t->kind == K_SUMS && t->nsums)
		qsort(t->sums, t->nsums, sizeof(*t->sums), by_name);
	if (t->kind == K_BODY)
		forget_sums(t);   /* they were this chunk's */
	t->kind = K_NONE;
	return t->err;
}

long long tsx_bundle_end(struct tsx *t, bool valid, char *err, size_t errlen)
{
	long long n = t->events;
	int r = t->err;

	if (!r && !valid)
		r = -EINVAL, snprintf(err, errlen, "the bundle is not valid: none of its events "
				      "were written");
	if (!r && t->part >= 0) {   /* this bundle's events, after the earlier ones' */
		off_t off = 0, size = lseek(t->part, 0, SEEK_END);
		char buf[65536];
		while (r == 0 && off < size) {   /* read and write: any kernel, any file system */
			ssize_t c = pread(t->part, buf, sizeof(buf), off);
			if (c <= 0)
				r = c < 0 ? -errno : -EIO;
			else
				r = write_all(t->out, buf, (size_t)c), off += c;
		}
	}
	if (r && r != -EINVAL)
		snprintf(err, errlen, "%s", strerror(-r));
	if (t->part >= 0)
		close(t->part);
	t->part = -1;
	t->err = 0;
	t->events = 0;
	return r ? r : n;
}
