/*
 * rotated.c - compressed rotations of wtmp and btmp (wtmp.2.gz, btmp.1.xz,
 * wtmp.3.zst; logins.h): copied raw like every file, then decompressed in
 * memory (unpack.h: no temporary file, no program) and parsed like the
 * plain ones. Records carry "stream" (the decompressor) and their offset
 * in the decompressed stream. A stream of up to ROTATED_WINDOW is held
 * whole and gets its last view too; a longer one is read window by window,
 * records only (the view walks backward: it would need it all), and the
 * view says so. A name that promises compression over plain content is
 * parsed as plain and is an anomaly.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "copy.h"
#include "logins.h"
#include "source.h"
#include "textutil.h"
#include "unpack.h"
#include "banned.h"

bool rotated_name(const char *name)
{
	static const char *const sfx[] = { ".gz", ".xz", ".zst", ".bz2", ".lz4", ".Z", ".lzma" };
	size_t n = strlen(name);

	for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		size_t k = strlen(sfx[i]);
		if (n > k && strcmp(name + n - k, sfx[i]) == 0)
			return true;
	}
	return false;
}

struct window {
	struct unpacker *u;
	unsigned char *buf;
	size_t len;
	int err;                 /* of the stream: -EIO, -E2BIG */
	bool end;                /* the stream ended (or failed) */
};

/* Fill the window from the stream: full, or up to the stream's end. */
static void fill(struct window *w)
{
	w->len = 0;
	while (!w->end && w->len < ROTATED_WINDOW) {
		ssize_t k = unpack_read(w->u, w->buf + w->len, ROTATED_WINDOW - w->len);
		if (k <= 0) {
			w->err = (int)k;
			w->end = true;
		} else {
			w->len += (size_t)k;
		}
	}
}

/* A stream longer than the window: its records, window after window. */
static void by_windows(struct logins *L, const struct login_file *f, struct window *w,
		       unsigned what, uint32_t *newest)
{
	struct capbuf scratch;
	struct login_ctx c;
	uint64_t base = 0;
	bool quiet = what & PARSE_QUIET;

	capbuf_init(&scratch, 1u << 20);
	login_ctx_init(L, "logins", f, quiet ? &scratch : &L->anomalies, &c);
	c.stream = unpack_filter(w->u);
	for (;;) {
		c.mem = w->buf;
		c.mem_len = w->len;
		c.base_off = base;
		if (w->len)
			utmp_records(&c, -1, w->len);
		base += w->len;
		if (w->end || run_should_stop(L->r))
			break;
		fill(w);
	}
	capbuf_release(&scratch);
	if (quiet)
		return;
	run_log(L->r, "logins: '%s': %s stream of %llu bytes, by windows of %zu: %llu records, "
		"%llu zeroed, %llu unknown type, %llu time reversals, %llu trailing bytes",
		shown(f->path).s, c.stream, (unsigned long long)base, ROTATED_WINDOW,
		(unsigned long long)c.nrecords, (unsigned long long)c.nzero,
		(unsigned long long)c.nunknown, (unsigned long long)c.nbackwards,
		(unsigned long long)c.trailing);
	if (newest && c.last_time > *newest)
		*newest = c.last_time;
}

int rotated_parse(struct logins *L, const struct login_file *f, int lastb, unsigned what,
		  uint32_t *newest)
{
	struct window w = { 0 };
	bool quiet = what & PARSE_QUIET;
	char detail[400];

	if (lseek(f->fd, 0, SEEK_SET) < 0)
		return -errno;
	int e = unpack_open(&w.u, f->fd, LOGIN_FILE_CAP);
	if (e == -ENOMSG) {   /* plain content under a compressed name */
		unpack_close(w.u);
		if (!quiet)
			login_anomaly(L, f->path, NULL, "compressed-name-plain-content",
				      "named as a compressed rotation, but not compressed: parsed "
				      "as a plain file");
		return parse_open(L, "logins", f, lastb, what, newest);
	}
	if (e < 0) {
		if (!quiet) {
			xsnprintf(detail, sizeof(detail), "not parsed: %s (the raw copy is in fs/)",
				  w.u ? unpack_error(w.u) : strerror(-e));
			login_anomaly(L, f->path, NULL, "compressed-rotation-unreadable", detail);
			run_log(L->r, "logins: '%s': %s", shown(f->path).s, detail);
		}
		unpack_close(w.u);
		return 0;
	}
	w.buf = malloc(ROTATED_WINDOW);
	if (!w.buf) {
		unpack_close(w.u);
		return -ENOMEM;
	}
	fill(&w);
	if (w.end) {   /* whole in the window: parsed like a plain file */
		struct login_file m = *f;
		m.mem = w.buf;
		m.size = w.len;
		m.stream = unpack_filter(w.u);
		parse_open(L, "logins", &m, lastb, what, newest);
	} else {
		if (what & PARSE_RECORDS)
			by_windows(L, f, &w, what, newest);
		if (lastb >= 0 && (what & PARSE_VIEW))
			capbuf_printf(&L->view.buf, "==> %s <==\nirsnap: no view: the %s stream is "
				      "longer than the %zu bytes a view is made from (the view "
				      "reads backward); its records are in the JSON Lines\n\n",
				      shown(f->path).s, unpack_filter(w.u), ROTATED_WINDOW);
	}
	if (w.err && !quiet) {
		xsnprintf(detail, sizeof(detail), "the %s stream ended in an error after %llu "
			  "bytes: %s", unpack_filter(w.u),
			  (unsigned long long)unpack_out_bytes(w.u), unpack_error(w.u));
		login_anomaly(L, f->path, NULL, w.err == -E2BIG ? "compressed-rotation-cut" :
			      "compressed-rotation-corrupt", detail);
		run_log(L->r, "logins: '%s': %s", shown(f->path).s, detail);
	}
	free(w.buf);
	unpack_close(w.u);
	return 0;
}

/* Copy raw, then parse (logins.h). */
int rotated_file(struct logins *L, const char *path, int lastb, uint32_t *newest)
{
	int ret = host_copy(L->r, "logins", path, LOGIN_FILE_CAP, COPY_OPTIONAL);
	struct login_file f;

	if (ret < 0)
		return ret;
	if (login_file_open(&f, path) < 0)
		return 0;   /* the copy's record already says why */
	f.rotated = true;
	ret = rotated_parse(L, &f, lastb, PARSE_RECORDS | PARSE_VIEW, newest);
	close(f.fd);
	return ret == -ENOMEM ? 0 : ret;
}
