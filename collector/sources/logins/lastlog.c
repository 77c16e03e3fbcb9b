/*
 * lastlog.c - lastlog(8)'s 292-byte records indexed by uid (logins.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jsonw.h"
#include "jsonx.h"
#include "logins.h"
#include "pscan.h"
#include "spool.h"
#include "textutil.h"
#include "utmp_format.h"
#include "banned.h"

int lastlog_records(struct login_ctx *c, int fd, uint64_t size, uint32_t *ret_newest)
{
	unsigned char *buf = malloc((size_t)CHUNK_RECORDS * LASTLOG_RECORD_SIZE);
	uint64_t whole = size - size % LASTLOG_RECORD_SIZE;
	uint32_t newest = 0;
	int r = 0;

	if (!buf)
		return -ENOMEM;
	/* sparse file: SEEK_DATA would skip holes; reading zeros is simple
	 * and bounded by the cap the caller applied to size */
	for (uint64_t off = 0; off < whole;) {
		size_t want = (size_t)CHUNK_RECORDS * LASTLOG_RECORD_SIZE;
		if (whole - off < want)
			want = (size_t)(whole - off);
		ssize_t got = pread_full(fd, buf, want, off);
		if (got <= 0) {
			r = got < 0 ? (int)got : -EIO;
			break;
		}
		for (size_t i = 0; i + LASTLOG_RECORD_SIZE <= (size_t)got; i += LASTLOG_RECORD_SIZE) {
			struct lastlog_rec l;
			lastlog_decode(buf + i, &l);
			if (l.all_zero)
				continue;
			uint64_t uid = (off + i) / LASTLOG_RECORD_SIZE;
			json_t *o = json_object();
			json_set_str(o, "source", c->source);
			json_set_int(o, "offset", (int64_t)(off + i));
			json_set_int(o, "uid", (int64_t)uid);
			const struct account *a = c->acc ? accounts_user(c->acc, (unsigned)uid) : NULL;
			if (a)
				json_set_bytes(o, "user", a->name, a->len);
			else
				json_set_new(o, "user", json_null());
			char ts[RFC3339_LEN];
			fmt_rfc3339_ns(ts, l.time, 0);
			json_set_str(o, "time", ts);
			json_set_int(o, "time_epoch", l.time);
			json_set_bytes(o, "line", l.line.s, l.line.len);
			json_set_bytes(o, "host", l.host.s, l.host.len);
			json_append_line(c->records, o);
			json_decref(o);
			if (l.time > newest)
				newest = l.time;
		}
		off += (uint64_t)got;
	}
	*ret_newest = newest;
	free(buf);
	return r;
}
