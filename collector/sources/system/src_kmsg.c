/*
 * src_kmsg.c - the kernel's log, every record the ring buffer still holds
 * (issue 18, item 2): system/kmsg.jsonl and the raw bytes, system/kmsg.raw.
 *
 * Read from /dev/kmsg as dmesg(1) does, without clearing anything: opened
 * O_NONBLOCK, one record per read(2) until EAGAIN; a read that fails with
 * EPIPE means the ring overwrote records since the last one (counted, and
 * the sequence numbers show where). /dev is the host's: a regular file, a
 * FIFO or another device put at /dev/kmsg is refused (the kernel's log is
 * character device 1:11) and the log is read with syslog(2)'s READ_ALL
 * instead (system/kmsg.syslog: the text of the whole ring, without
 * sequence numbers or dictionaries). Nothing here can block: a /dev/kmsg
 * on a file system that may wait on a server (a FUSE file bound there) is
 * not opened, the device is non-blocking, and the syscall copies what is
 * in memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "jsonw.h"
#include "kmsg.h"
#include "slowmounts.h"
#include "source.h"
#include "textutil.h"
#include "banned.h"

#define KMSG_RAW_CAP (64u << 20)     /* the ring is at most 32 MiB of text */
#define KMSG_JSON_CAP (256u << 20)
#define KMSG_REC_MAX 16384           /* one record: text and dictionary */

struct kstate {
	struct run *r;
	struct capbuf raw, json;
	int64_t boot_ns;
	unsigned long nrec, nbad, overwritten;
	uint64_t last_seq;
	bool have_seq;
	unsigned long gaps;              /* records missing between two read */
	char *msg;                       /* unescaped message, KMSG_REC_MAX */
};

/* Whether every dictionary line is KEY=VALUE with a key of [A-Za-z0-9_]
 * (at most 63 bytes) met once: only then are the keys JSON keys. */
static bool dict_plain(const char *d, size_t n)
{
	const char *keys[64];
	size_t lens[64], nk = 0;

	for (const char *p = d, *end = d + n; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		const char *eq = memchr(p, '=', (size_t)(le - p));
		if (!eq || eq == p || eq - p > 63 || nk == 64)
			return false;
		for (const char *c = p; c < eq; c++)
			if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
			      (*c >= '0' && *c <= '9') || *c == '_'))
				return false;
		for (size_t i = 0; i < nk; i++)
			if (lens[i] == (size_t)(eq - p) && memcmp(keys[i], p, lens[i]) == 0)
				return false;
		keys[nk] = p;
		lens[nk++] = (size_t)(eq - p);
		if (nl && (nl + 1 >= end || nl[1] != ' '))
			return false;
		p = nl ? nl + 2 : end;
	}
	return true;
}

/* The dictionary ("KEY=VALUE" lines) as an object of byte strings, or
 * its bytes as they are (dict_raw) when its keys cannot be JSON keys. */
static void dict_json(struct jw *w, const char *d, size_t n)
{
	struct jw sub;

	if (!dict_plain(d, n)) {
		jw_bytes(w, "dict_raw", d, n);
		return;
	}
	jw_object(w, "dict", &sub);
	for (const char *p = d, *end = d + n; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		const char *eq = memchr(p, '=', (size_t)(le - p));
		if (eq && eq > p) {
			char key[64];
			size_t kl = (size_t)(eq - p) < sizeof(key) - 1 ? (size_t)(eq - p) : sizeof(key) - 1;
			memcpy(key, p, kl);
			key[kl] = '\0';
			jw_bytes(&sub, key, eq + 1, (size_t)(le - eq - 1));
		}
		p = nl ? nl + 2 : end;   /* the next line starts with a space */
	}
	jw_object_end(&sub);
}

static void one_record(struct kstate *k, const char *rec, size_t n)
{
	struct kmsg_rec m;
	struct jw w;

	capbuf_add(&k->raw, rec, n);
	if (kmsg_parse(rec, n, &m) < 0) {   /* kept in kmsg.raw; said here */
		k->nbad++;
		jw_begin(&w, &k->json);
		jw_bool(&w, "malformed", true);
		jw_bytes(&w, "record", rec, n);
		jw_end(&w);
		return;
	}
	if (k->have_seq && m.seq > k->last_seq + 1)
		k->gaps += (unsigned long)(m.seq - k->last_seq - 1);
	k->last_seq = m.seq;
	k->have_seq = true;
	char when[RFC3339_LEN], mono[48];
	int64_t ns = k->boot_ns + (int64_t)(m.usec * 1000);
	fmt_rfc3339_ns(when, ns / 1000000000, (long)(ns % 1000000000));
	snprintf(mono, sizeof(mono), "%llu.%06llu", (unsigned long long)(m.usec / 1000000),
		 (unsigned long long)(m.usec % 1000000));
	size_t ml = kmsg_unescape(m.msg, m.msg_len, k->msg);
	jw_begin(&w, &k->json);
	jw_int(&w, "seq", (int64_t)m.seq);
	jw_int(&w, "priority", (int64_t)(m.facility * 8 + m.level));
	jw_int(&w, "facility", m.facility);
	jw_str(&w, "facility_name", kmsg_facility_name(m.facility));
	jw_int(&w, "level", m.level);
	jw_str(&w, "level_name", kmsg_level_name(m.level));
	jw_int(&w, "usec", (int64_t)m.usec);
	jw_ascii(&w, "monotonic", mono, strlen(mono));
	jw_ascii(&w, "time", when, strlen(when));
	jw_bool(&w, "continuation", m.flag == 'c');
	jw_bytes(&w, "msg", k->msg, ml);
	if (m.dict_len)
		dict_json(&w, m.dict, m.dict_len);
	jw_end(&w);
	k->nrec++;
}

/* /dev/kmsg, if it is the kernel's device: 0, or -errno (-ENODEV: something
 * else is there). */
static int read_kmsg(struct kstate *k)
{
	struct stat st;
	char *buf, type[48];

	/* a FUSE file bound over it would make even the open wait on its server */
	if (slowmounts_path("/dev/kmsg", type, sizeof(type)))
		return -ENODEV;
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode) || major(st.st_rdev) != 1 ||
	    minor(st.st_rdev) != 11) {
		close(fd);
		return -ENODEV;
	}
	buf = malloc(KMSG_REC_MAX);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	int ret = 0;
	for (;;) {
		if (run_should_stop(k->r)) {
			ret = -EINTR;
			break;
		}
		ssize_t n = read(fd, buf, KMSG_REC_MAX);
		if (n > 0) {
			one_record(k, buf, (size_t)n);
			if (k->raw.truncated || k->json.truncated)
				break;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EPIPE) {   /* overwritten since the last read */
			k->overwritten++;
			continue;
		}
		if (n < 0 && errno != EAGAIN)
			ret = -errno;
		break;   /* EAGAIN (the end), or 0 */
	}
	free(buf);
	close(fd);
	return ret;
}

/* syslog(2) READ_ALL: the ring as text, for when /dev/kmsg is not the
 * kernel's. */
static int read_syslog(struct run *r)
{
	struct capbuf cb;
	int size = klogctl(10, NULL, 0);   /* SYSLOG_ACTION_SIZE_BUFFER */

	if (size <= 0)
		return size < 0 ? -errno : -ENODATA;
	capbuf_init(&cb, (size_t)size + 1);
	if (capbuf_reserve(&cb, (size_t)size) < 0) {
		capbuf_release(&cb);
		return -ENOMEM;
	}
	int n = klogctl(3, cb.buf, size);   /* SYSLOG_ACTION_READ_ALL */
	if (n < 0) {
		int e = -errno;
		capbuf_release(&cb);
		return e;
	}
	cb.len = (size_t)n;
	int ret = run_emit_copy(r, "kmsg", "system/kmsg.syslog", "syslog(2) READ_ALL", &cb);
	capbuf_release(&cb);
	return ret;
}

int src_kmsg_collect(struct run *r)
{
	struct kstate k = { .r = r, .boot_ns = run_boot_ns(r) };
	int ret = 0;

	capbuf_init(&k.raw, KMSG_RAW_CAP);
	capbuf_init(&k.json, KMSG_JSON_CAP);
	k.msg = malloc(KMSG_REC_MAX);
	int e = k.msg ? read_kmsg(&k) : -ENOMEM;
	if (e == -ENODEV || e == -ENOENT || e == -EACCES || e == -EPERM) {
		run_log(r, "kmsg: /dev/kmsg %s: the ring read with syslog(2) instead",
			e == -ENODEV ? "is not the kernel's log device (1:11)" : strerror(-e));
		int s = read_syslog(r);
		if (s < 0 && s != -ENOSPC)
			run_source_failed(r, "kmsg", "syslog(2) READ_ALL", -s,
					  "the kernel's log could not be read");
		else
			ret = s;
		goto out;
	}
	if (e < 0 && e != -EINTR)
		run_log(r, "kmsg: reading /dev/kmsg ended early: %s", strerror(-e));
	run_log(r, "kmsg: %lu records (%lu malformed, kept raw), %lu lost to the ring between "
		"reads, %lu overwritten while read", k.nrec, k.nbad, k.gaps, k.overwritten);
	ret = run_emit_copy(r, "kmsg", "system/kmsg.raw", "/dev/kmsg", &k.raw);
	if (ret == 0)
		ret = run_emit(r, "kmsg", "system/kmsg.jsonl", &k.json);
out:
	free(k.msg);
	capbuf_release(&k.raw);
	capbuf_release(&k.json);
	return ret;
}
