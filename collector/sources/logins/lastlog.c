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

#define LASTLOG_READ_CAP (1ull << 30)   /* data read, whatever the file's size */

int lastlog_records(struct login_ctx *c, int fd, uint64_t size, uint32_t *ret_newest)
{
	unsigned char *buf = malloc((size_t)CHUNK_RECORDS * LASTLOG_RECORD_SIZE);
	uint64_t whole = size - size % LASTLOG_RECORD_SIZE;
	uint32_t newest = 0;
	int r = 0;

	if (!buf)
		return -ENOMEM;
	/* lastlog is indexed by uid and sparse: a uid of 4294967294 (AD, SSSD)
	 * lies 1.25 TB in. Only its data extents are read (SEEK_DATA and
	 * SEEK_HOLE, lseek(2)), each from a record boundary; where the file
	 * system cannot say, every byte is read, up to LASTLOG_READ_CAP. */
	uint64_t end = 0, read_total = 0;
	for (uint64_t off = 0; off < whole;) {
		if (off >= end) {
			off_t d = lseek(fd, (off_t)off, SEEK_DATA);
			if (d < 0 && errno == ENXIO)
				break;                       /* only a hole is left */
			if (d < 0) {
				end = whole;                 /* no SEEK_DATA: read on */
			} else {
				off_t h = lseek(fd, d, SEEK_HOLE);
				end = h < 0 || (uint64_t)h > whole ? whole : (uint64_t)h;
				off = (uint64_t)d - (uint64_t)d % LASTLOG_RECORD_SIZE;
			}
			if (end % LASTLOG_RECORD_SIZE)
				end += LASTLOG_RECORD_SIZE - end % LASTLOG_RECORD_SIZE;
			if (end > whole)
				end = whole;
		}
		if (read_total >= LASTLOG_READ_CAP) {
			r = -E2BIG;
			break;
		}
		size_t want = (size_t)CHUNK_RECORDS * LASTLOG_RECORD_SIZE;
		if (end - off < want)
			want = (size_t)(end - off);
		if (want == 0)
			continue;
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
		read_total += (uint64_t)got;
	}
	*ret_newest = newest;
	free(buf);
	return r;
}
