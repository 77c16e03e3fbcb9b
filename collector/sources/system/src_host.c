/*
 * src_host.c - system/host.json: who this host is and what its clocks say.
 *
 * Sources: uname(2); /proc/sys/kernel/hostname; /etc/machine-id
 * (machine-id(5)); /proc/sys/kernel/random/boot_id; /proc/uptime and the
 * btime line of /proc/stat (proc(5)); the three clocks read back to back.
 */
#include <errno.h>
#include <fcntl.h>
#include <libproc2/misc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "hostfile.h"
#include "hosttz.h"
#include "source.h"
#include "textutil.h"
#include "banned.h"

#define SMALL_CAP 4096
#define PROC_STAT_CAP (4u << 20)

/* First line of a small file, without the newline, into out. */
static int read_line(const char *path, char *out, size_t outlen)
{
	struct capbuf cb;
	int r;

	capbuf_init(&cb, SMALL_CAP);
	r = host_read_small(AT_FDCWD, path, &cb);
	if (r >= 0 || r == -E2BIG) {
		size_t n = strcspn(cb.buf ? cb.buf : "", "\n");
		if (n >= outlen)
			n = outlen - 1;
		memcpy(out, cb.buf ? cb.buf : "", n);
		out[n] = '\0';
		r = 0;
	} else {
		out[0] = '\0';
	}
	capbuf_release(&cb);
	return r;
}

static void copy_field(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src);
}

void hostid_read(struct hostid *h)
{
	struct utsname u;

	memset(h, 0, sizeof(*h));
	if (uname(&u) == 0) {
		copy_field(h->hostname, sizeof(h->hostname), u.nodename);
		copy_field(h->sysname, sizeof(h->sysname), u.sysname);
		copy_field(h->release, sizeof(h->release), u.release);
		copy_field(h->version, sizeof(h->version), u.version);
		copy_field(h->machine, sizeof(h->machine), u.machine);
	}
	if (!h->hostname[0])
		read_line("/proc/sys/kernel/hostname", h->hostname, sizeof(h->hostname));
	read_line("/etc/machine-id", h->machine_id, sizeof(h->machine_id));
	read_line("/proc/sys/kernel/random/boot_id", h->boot_id, sizeof(h->boot_id));
}

/* "btime <secs>" from /proc/stat: the boot time the kernel reports. */
static int proc_boot_time(int64_t *ret)
{
	struct capbuf cb;
	int r;

	capbuf_init(&cb, PROC_STAT_CAP);
	r = host_read_small(AT_FDCWD, "/proc/stat", &cb);
	if (r == 0 || r == -E2BIG) {
		const char *p = cb.buf ? strstr(cb.buf, "\nbtime ") : NULL;
		char *end;
		r = -ENOENT;
		if (p) {
			long long v = strtoll(p + 7, &end, 10);
			if (end != p + 7) {
				*ret = v;
				r = 0;
			}
		}
	}
	capbuf_release(&cb);
	return r;
}

/* The time zone's name (issue 18, item 9, hosttz.h), with the raw bytes
 * it came from. */
static json_t *timezone_json(void)
{
	json_t *tz = json_object();
	struct host_tz t;

	host_tz_read(&t);
	if (t.etc_timezone)
		json_set_bytes(tz, "etc_timezone", t.etc_timezone, t.etc_len);
	if (t.link)
		json_set_bytes(tz, "localtime_link", t.link, t.link_len);
	if (t.name_len) {
		json_set_bytes(tz, "name", t.name, t.name_len);
		json_set_str(tz, "name_from", t.from);
	} else {
		json_set_new(tz, "name", json_null());
	}
	host_tz_free(&t);
	return tz;
}

int src_host_collect(struct run *r)
{
	struct hostid h;
	struct capbuf out, raw;
	json_t *o = json_object(), *k = json_object();
	char buf[RFC3339_LEN];
	int ret;

	if (!o || !k) {
		json_decref(o);
		json_decref(k);
		return 0;
	}
	hostid_read(&h);
	json_set_str(o, "hostname", h.hostname);
	json_set_str(o, "machine_id", h.machine_id[0] ? h.machine_id : NULL);
	json_set_str(o, "boot_id", h.boot_id[0] ? h.boot_id : NULL);
	json_set_str(k, "sysname", h.sysname);
	json_set_str(k, "release", h.release);
	json_set_str(k, "version", h.version);
	json_set_str(k, "machine", h.machine);
	json_set_new(o, "kernel", k);

	capbuf_init(&raw, SMALL_CAP);
	if (host_read_small(AT_FDCWD, "/proc/uptime", &raw) == 0 && raw.buf) {
		char *end;
		double up = strtod(raw.buf, &end);
		json_set_bytes(o, "proc_uptime", raw.buf, strcspn(raw.buf, "\n"));
		if (end != raw.buf)
			json_set_new(o, "uptime_seconds", json_real(up));
	} else {
		run_log(r, "host: cannot read '/proc/uptime'");
		json_set_new(o, "uptime_seconds", json_null());
	}
	capbuf_release(&raw);

	int64_t btime;
	if (proc_boot_time(&btime) == 0 && fmt_rfc3339_ns(buf, btime, 0) == 0) {
		json_set_str(o, "boot_time", buf);
		json_set_int(o, "boot_time_epoch", btime);
	} else {
		run_log(r, "host: cannot read btime from '/proc/stat'");
		json_set_new(o, "boot_time", json_null());
	}
	json_set_int(o, "clock_ticks_per_second", procps_hertz_get());
	json_set_new(o, "timezone", timezone_json());
	struct clocks now;
	clocks_read(&now);
	json_set_new(o, "clocks", clocks_json(&now));

	capbuf_init(&out, 1u << 20);
	json_append_pretty(&out, o);
	json_decref(o);
	ret = run_emit(r, "host", "system/host.json", &out);
	capbuf_release(&out);
	return ret;
}
