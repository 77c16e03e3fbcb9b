/*
 * banner.c - the pre-flight banner of `irsnap collect` (issue 20, item 2):
 * what a responder writes on the paper log first, said before the first
 * read, on stderr and in the work log: the collector and its SHA-256, the
 * host and its kernel, the time zone and the time, the user and its
 * capabilities, the profile, the output and its free room, the threads.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "capbuf.h"
#include "commands.h"
#include "hostfile.h"
#include "hosttz.h"
#include "procfs.h"
#include "progress.h"
#include "run.h"
#include "textutil.h"
#include "banned.h"

/* The capabilities a collection needs most, and what missing one costs. */
static const struct { int bit; const char *name, *cost; } needed[] = {
	{ 21, "cap_sys_admin", "bpf, namespaces, private views" },
	{ 19, "cap_sys_ptrace", "other users' environ, maps, exe" },
	{ 2, "cap_dac_read_search", "files the user cannot read" },
	{ 12, "cap_net_admin", "firewall tables" },
};

static void caps(char *buf, size_t n)
{
	struct capbuf cb;
	size_t len;
	unsigned long long eff = 0;
	bool known = false;

	capbuf_init(&cb, 1u << 16);
	int procfd = proc_open_root();
	if (procfd >= 0 && proc_read_once(procfd, "self/status", &cb) == 0 && cb.buf) {
		const char *v = proc_status_field(cb.buf, "CapEff", &len);
		if (v) {
			eff = strtoull(v, NULL, 16);
			known = true;
		}
	}
	capbuf_release(&cb);
	if (procfd >= 0)
		close(procfd);
	if (!known) {
		snprintf(buf, n, "capabilities unknown (no /proc/self/status)");
		return;
	}
	int o = snprintf(buf, n, "CapEff %016llx", eff);
	bool all = true;
	for (size_t i = 0; i < sizeof(needed) / sizeof(*needed); i++)
		if (!(eff & (1ull << needed[i].bit))) {
			all = false;
			if (o > 0 && (size_t)o < n)
				o += snprintf(buf + o, n - (size_t)o, "; without %s: no %s",
					      needed[i].name, needed[i].cost);
		}
	if (all && o > 0 && (size_t)o < n)
		snprintf(buf + o, n - (size_t)o, " (all a collection needs)");
}

static void say_line(struct run *r, const char *line)
{
	run_log(r, "banner: %s", line);
	if (progress_mode(r->prog) != PROGRESS_VERBOSE)   /* verbose: the log said it */
		progress_note(r->prog, line);
}

void collect_banner(struct run *r, const char *self_sha256, const char *profile_origin,
		    size_t nsteps, unsigned budget, int fd, const char *out_name)
{
	char line[4608], when[RFC3339_LEN], cap[512];
	struct host_tz tz;
	struct timespec now;

	snprintf(line, sizeof(line), "irsnap %s, sha256 %s", IRSNAP_VERSION,
		 self_sha256[0] ? self_sha256 : "unknown (/proc/self/exe unreadable)");
	say_line(r, line);
	snprintf(line, sizeof(line), "host %s, kernel %s %s %s", shown(r->host.hostname).s,
		 shown(r->host.sysname).s, shown(r->host.release).s, shown(r->host.machine).s);
	say_line(r, line);
	host_tz_read(&tz);
	/* never strftime: glibc's calls tzset(), which reads TZ's file */
	clock_gettime(CLOCK_REALTIME, &now);
	fmt_rfc3339(when, &now);
	char zone[1200] = "unknown (no /etc/timezone, no zoneinfo link)";
	if (tz.name_len) {
		char *z = strndup(tz.name, tz.name_len);
		snprintf(zone, sizeof(zone), "%s (%s)", z ? shown(z).s : "?", tz.from);
		free(z);
	}
	host_tz_free(&tz);
	snprintf(line, sizeof(line), "time zone %s; now %s", zone, when);
	say_line(r, line);
	caps(cap, sizeof(cap));
	snprintf(line, sizeof(line), "user uid %d, euid %d; %s", (int)getuid(), (int)geteuid(), cap);
	say_line(r, line);
	char budget_s[48] = "no time budget";
	if (budget)
		snprintf(budget_s, sizeof(budget_s), "a time budget of %u s", budget);
	snprintf(line, sizeof(line), "profile %s (%s): %zu steps, %s", shown(r->profile).s,
		 shown(profile_origin).s, nsteps, budget_s);
	say_line(r, line);
	struct stat st;
	struct statvfs vs;
	if (fstat(fd, &st) == 0 && !S_ISREG(st.st_mode))
		snprintf(line, sizeof(line), "output %s (%s)", shown(out_name).s,
			 S_ISFIFO(st.st_mode) ? "a pipe" : S_ISCHR(st.st_mode) ? "a device" : "not a file");
	else if (fstatvfs(fd, &vs) == 0)
		snprintf(line, sizeof(line), "output %s: %" PRIu64 " MiB free of %" PRIu64 " MiB",
			 shown(out_name).s, (uint64_t)vs.f_bavail * vs.f_frsize >> 20,
			 (uint64_t)vs.f_blocks * vs.f_frsize >> 20);
	else
		snprintf(line, sizeof(line), "output %s", shown(out_name).s);
	say_line(r, line);
	snprintf(line, sizeof(line), "threads %u", r->threads);
	say_line(r, line);
}
