/* jsonx.c - JSON helpers for evidence records (jsonx.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "jsonx.h"
#include "textutil.h"
#include "banned.h"

void jsonx_init(void)
{
	/* a fixed seed: jansson would otherwise open /dev/urandom; the records
	 * are ours, so hash flooding is not a concern */
	json_object_seed(0x69727370);
}

int json_set_new(json_t *obj, const char *key, json_t *v)
{
	if (!v)
		return -ENOMEM;
	return json_object_set_new(obj, key, v) == 0 ? 0 : -ENOMEM;
}

int json_set_str(json_t *obj, const char *key, const char *s)
{
	if (!s)
		return json_set_new(obj, key, json_null());
	return json_set_bytes(obj, key, s, strlen(s));
}

/* Replace every invalid byte with U+FFFD, keep the rest. */
static char *utf8_repair(const char *s, size_t n, size_t *ret_len)
{
	size_t cap;
	if (__builtin_mul_overflow(n, 3, &cap))
		return NULL;
	char *out = malloc(cap + 1);
	size_t o = 0;

	if (!out)
		return NULL;
	for (size_t i = 0; i < n;) {
		size_t k = utf8_seq_len((const unsigned char *)s + i, n - i);
		if (k) {
			memcpy(out + o, s + i, k);
			o += k;
			i += k;
		} else {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
		}
	}
	out[o] = '\0';
	*ret_len = o;
	return out;
}

int json_set_bytes(json_t *obj, const char *key, const char *data, size_t n)
{
	if (utf8_valid(data, n))
		return json_set_new(obj, key, json_stringn(data, n));

	size_t rl = 0;
	char *fixed = utf8_repair(data, n, &rl);
	if (!fixed)
		return -ENOMEM;
	int r = json_set_new(obj, key, json_stringn(fixed, rl));
	free(fixed);
	if (r < 0)
		return r;

	size_t klen = strlen(key) + 5;
	char *k64 = malloc(klen);
	char *b64 = malloc(BASE64_LEN(n));
	if (!k64 || !b64) {
		free(k64);
		free(b64);
		return -ENOMEM;
	}
	snprintf(k64, klen, "%s_b64", key);
	base64_encode(b64, (const unsigned char *)data, n);
	r = json_set_new(obj, k64, json_string(b64));
	free(k64);
	free(b64);
	return r;
}

int json_set_bytes_array(json_t *obj, const char *key, const char *const *items,
			 const size_t *lens, size_t n)
{
	json_t *arr = json_array(), *b64 = json_array(), *tmp = json_object();
	bool need_b64 = false;
	int r = 0;

	if (!arr || !b64 || !tmp) {
		json_decref(arr);
		json_decref(b64);
		json_decref(tmp);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n && r == 0; i++) {
		json_object_clear(tmp);
		r = json_set_bytes(tmp, "a", items[i], lens[i]);
		if (r < 0)
			break;
		json_t *bb = json_object_get(tmp, "a_b64");
		if (bb)
			need_b64 = true;
		if (json_array_append(arr, json_object_get(tmp, "a")) < 0 ||
		    json_array_append(b64, bb ? bb : json_null()) < 0)
			r = -ENOMEM;
	}
	json_decref(tmp);
	if (r < 0) {
		json_decref(arr);
		json_decref(b64);
		return r;
	}
	r = json_set_new(obj, key, arr);
	if (r == 0 && need_b64) {
		size_t klen = strlen(key) + 5;
		char *k64 = malloc(klen);
		if (!k64) {
			json_decref(b64);
			return -ENOMEM;
		}
		snprintf(k64, klen, "%s_b64", key);
		r = json_set_new(obj, k64, b64);
		free(k64);
	} else {
		json_decref(b64);
	}
	return r;
}

int json_set_int(json_t *obj, const char *key, int64_t v)
{
	return json_set_new(obj, key, json_integer((json_int_t)v));
}

int json_set_bool(json_t *obj, const char *key, int v)
{
	return json_set_new(obj, key, json_boolean(v));
}

int json_set_time(json_t *obj, const char *key, const struct timespec *ts)
{
	char buf[RFC3339_LEN];

	fmt_rfc3339(buf, ts);
	return json_set_new(obj, key, json_string(buf));
}

const char *file_type_name(unsigned mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return "file";
	case S_IFDIR: return "directory";
	case S_IFLNK: return "symlink";
	case S_IFIFO: return "fifo";
	case S_IFSOCK: return "socket";
	case S_IFCHR: return "char-device";
	case S_IFBLK: return "block-device";
	default: return "unknown";
	}
}

static int set_stx_time(json_t *o, const char *key, const struct statx_timestamp *t)
{
	char buf[RFC3339_LEN];

	fmt_rfc3339_ns(buf, t->tv_sec, (long)t->tv_nsec);
	return json_set_new(o, key, json_string(buf));
}

json_t *json_statx(const struct statx *st)
{
	json_t *o = json_object();
	char buf[32];
	int r = 0;

	if (!o)
		return NULL;
	snprintf(buf, sizeof(buf), "%u:%u", st->stx_dev_major, st->stx_dev_minor);
	r |= json_set_str(o, "dev", buf);
	r |= json_set_int(o, "ino", (int64_t)st->stx_ino);
	snprintf(buf, sizeof(buf), "%04o", st->stx_mode & 07777);
	r |= json_set_str(o, "mode", buf);
	r |= json_set_str(o, "type", file_type_name(st->stx_mode));
	r |= json_set_int(o, "nlink", st->stx_nlink);
	r |= json_set_int(o, "uid", st->stx_uid);
	r |= json_set_int(o, "gid", st->stx_gid);
	r |= json_set_int(o, "size", (int64_t)st->stx_size);
	r |= json_set_int(o, "blocks", (int64_t)st->stx_blocks);
	if (S_ISCHR(st->stx_mode) || S_ISBLK(st->stx_mode)) {
		snprintf(buf, sizeof(buf), "%u:%u", st->stx_rdev_major, st->stx_rdev_minor);
		r |= json_set_str(o, "rdev", buf);
	}
	r |= set_stx_time(o, "atime", &st->stx_atime);
	r |= set_stx_time(o, "mtime", &st->stx_mtime);
	r |= set_stx_time(o, "ctime", &st->stx_ctime);
	if (st->stx_mask & STATX_BTIME)
		r |= set_stx_time(o, "btime", &st->stx_btime);
	else
		r |= json_set_new(o, "btime", json_null());
	if (r) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static int append_dump(struct capbuf *cb, const json_t *obj, size_t flags)
{
	char *s = json_dumps(obj, flags | JSON_PRESERVE_ORDER);
	int r;

	if (!s)
		return -ENOMEM;
	r = capbuf_addstr(cb, s);
	if (r == 0)
		r = capbuf_add(cb, "\n", 1);
	free(s);
	return r;
}

int json_append_line(struct capbuf *cb, const json_t *obj)
{
	return append_dump(cb, obj, JSON_COMPACT);
}

int json_append_pretty(struct capbuf *cb, const json_t *obj)
{
	return append_dump(cb, obj, JSON_INDENT(2));
}
