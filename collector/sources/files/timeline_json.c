/*
 * timeline_json.c - the timeline's JSON Lines twin of the bodyfile
 * (timeline/files.NNNN.jsonl, cut every 16 MiB): every entry with its
 * times to the nanosecond, its set-id bits, its file capabilities
 * (security.capability, decoded and raw) and its immutable and append-only
 * attributes (statx), as `find -printf`, getcap and lsattr show them.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "filecaps.h"
#include "jsonw.h"
#include "walkctx.h"
#include "banned.h"

int emit_files_chunk(struct run *r, struct timeline_out *tl)
{
	char member[64];

	if (!tl->files.len)
		return 0;
	snprintf(member, sizeof(member), "timeline/files.%04u.jsonl", ++tl->files_seq);
	int e = run_emit(r, "timeline", member, &tl->files);
	capbuf_reset(&tl->files);
	return e;
}

static const char *type_name(unsigned mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return "file";
	case S_IFDIR: return "dir";
	case S_IFLNK: return "symlink";
	case S_IFCHR: return "char";
	case S_IFBLK: return "block";
	case S_IFIFO: return "fifo";
	case S_IFSOCK: return "socket";
	default: return "unknown";
	}
}

static void one_time(struct jw *w, const char *key, const char *key_ns,
		     const struct statx_timestamp *t)
{
	jw_int(w, key, t->tv_sec);
	jw_int(w, key_ns, t->tv_nsec);
}

static void attrs(struct jw *w, const struct statx *st)
{
	static const struct { uint64_t bit; const char *name; } a[] = {
		{ STATX_ATTR_IMMUTABLE, "immutable" }, { STATX_ATTR_APPEND, "append" },
		{ STATX_ATTR_NODUMP, "nodump" }, { STATX_ATTR_COMPRESSED, "compressed" },
		{ STATX_ATTR_ENCRYPTED, "encrypted" },
#ifdef STATX_ATTR_VERITY
		{ STATX_ATTR_VERITY, "verity" },
#endif
	};
	if (!(st->stx_attributes_mask & (STATX_ATTR_IMMUTABLE | STATX_ATTR_APPEND))) {
		jw_null(w, "attrs");   /* this file system does not say */
		return;
	}
	const char *set[sizeof(a) / sizeof(a[0])];
	size_t lens[sizeof(a) / sizeof(a[0])], n = 0;
	for (size_t i = 0; i < sizeof(a) / sizeof(a[0]); i++)
		if (st->stx_attributes & st->stx_attributes_mask & a[i].bit) {
			lens[n] = strlen(a[i].name);
			set[n++] = a[i].name;
		}
	jw_bytes_array(w, "attrs", set, lens, n);
}

static void caps(struct jw *w, const struct file_extra *x)
{
	struct filecaps fc;
	struct jw sub;

	jw_object(w, "caps", &sub);
	jw_hex(&sub, "raw", x->caps, x->caps_len);
	if (filecaps_decode(x->caps, x->caps_len, &fc) == 0) {
		struct capbuf text;
		capbuf_init(&text, 4096);
		filecaps_text(&fc, &text);
		jw_bytes(&sub, "text", text.buf ? text.buf : "", text.len);
		capbuf_release(&text);
		jw_int(&sub, "version", fc.version);
		jw_bool(&sub, "effective", fc.effective);
		if (fc.has_rootid)
			jw_int(&sub, "rootid", fc.rootid);
	} else {
		jw_str(&sub, "error", "not a vfs_cap_data of a known revision");
	}
	jw_object_end(&sub);
}

int timeline_json_add(struct plan_ctx *c, const struct walk_entry *e,
		      const struct file_extra *x)
{
	const struct statx *st = e->st;
	struct capbuf *out = &c->tl->files;
	struct jw w;
	char mode[8];

	jw_begin(&w, out);
	jw_bytes(&w, "path", e->path, e->path_len);
	jw_str(&w, "type", type_name(st->stx_mode));
	snprintf(mode, sizeof(mode), "%o", st->stx_mode & 07777u);
	jw_str(&w, "mode", mode);
	jw_int(&w, "uid", st->stx_uid);
	jw_int(&w, "gid", st->stx_gid);
	jw_int(&w, "size", (int64_t)st->stx_size);
	jw_int(&w, "ino", (int64_t)st->stx_ino);
	jw_int(&w, "nlink", st->stx_nlink);
	char dev[32];
	snprintf(dev, sizeof(dev), "%u:%u", st->stx_dev_major, st->stx_dev_minor);
	jw_str(&w, "dev", dev);
	one_time(&w, "atime", "atime_ns", &st->stx_atime);
	one_time(&w, "mtime", "mtime_ns", &st->stx_mtime);
	one_time(&w, "ctime", "ctime_ns", &st->stx_ctime);
	if (st->stx_mask & STATX_BTIME) {
		one_time(&w, "btime", "btime_ns", &st->stx_btime);
	} else {
		jw_null(&w, "btime");
		jw_null(&w, "btime_ns");
	}
	if (S_ISCHR(st->stx_mode) || S_ISBLK(st->stx_mode)) {
		snprintf(dev, sizeof(dev), "%u:%u", st->stx_rdev_major, st->stx_rdev_minor);
		jw_str(&w, "rdev", dev);
	}
	if (x->link)
		jw_bytes(&w, "target", x->link, x->link_len);
	attrs(&w, st);
	if (x->caps_len)
		caps(&w, x);
	if (x->sha[0])
		jw_str(&w, "sha256", x->sha);
	jw_end(&w);
	if (out->len > BODY_CHUNK - 65536)
		return emit_files_chunk(c->r, c->tl) < 0 ? -EIO : 0;
	return 0;
}
