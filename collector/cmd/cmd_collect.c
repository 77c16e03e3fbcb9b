/*
 * cmd_collect.c - `irsnap collect`: lock down, open the output, run the
 * sources in order of volatility, record, seal, report.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <openssl/evp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "fsguard.h"
#include "hostfile.h"
#include "findings.h"
#include "isolate.h"
#include "lockdown.h"
#include "output.h"
#include "procfs.h"
#include "plan.h"
#include "progress.h"
#include "rootmode.h"
#include "proctable.h"
#include "pscan.h"
#include "run_json.h"
#include "sign.h"
#include "source.h"
#include "textutil.h"
#include "bundle.h"
#include "zwrite.h"
#include "hashthread.h"
#include "agecrypt.h"
#include "banned.h"

#define WORKLOG_CAP (64u << 20)
#define INDEX_CAP (512u << 20)

/* The one piece of state a signal handler may touch. */
static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
	stop_signal = sig;
}

static void make_id(struct run *r)
{
	char host[sizeof(r->host.hostname)], when[COMPACT_TIME_LEN];
	size_t i;

	for (i = 0; r->host.hostname[i] && i + 1 < sizeof(host); i++) {
		char ch = r->host.hostname[i];
		bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
			  (ch >= '0' && ch <= '9') || ch == '.' || ch == '-';
		host[i] = ok ? ch : '_';
	}
	host[i] = '\0';
	if (!host[0] || strcmp(host, ".") == 0 || strcmp(host, "..") == 0)
		snprintf(host, sizeof(host), "unknown");
	fmt_compact_time(when, r->start.realtime.tv_sec);
	snprintf(r->id, sizeof(r->id), "irsnap-%s-%s", host, when);
}

static int load_key(const char *path, EVP_PKEY **key)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	int r;

	if (fd < 0) {
		r = -errno;
		say("cannot open key '%s': %s", shown(path).s, strerror(-r));
		return r;
	}
	r = key_load_private_fd(fd, key);
	close(fd);
	if (r < 0)
		say("cannot load key '%s': not an Ed25519 private key in PEM form", shown(path).s);
	return r;
}

/* fsguard's question while it waits on a file system: stop now? */
static bool stop_run(void *r)
{
	return run_should_stop(r);
}

static void log_line(void *r, const char *line)
{
	run_log(r, "%s", line);
}

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;   /* no SA_RESTART: a blocked read or write returns */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);   /* a closed pipe is a write error, not a death */
}

/* The plan, then the responder's files if the profile did not say when. */
static int run_plan(struct run *r, const struct profile *p)
{
	int ret = plan_run(r, p);
	bool has_files_step = false;

	for (size_t i = 0; i < p->nsteps; i++)
		has_files_step |= p->steps[i].kind == STEP_SOURCE &&
				  strcmp(p->steps[i].arg, "responder-files") == 0;
	if (ret == 0 && !has_files_step && r->opt->nfiles && !run_should_stop(r)) {
		run_log(r, "step responder-files (added: --file was given) begins");
		ret = src_userfiles_collect(r);
		run_log(r, "step responder-files ends");
	}
	return ret;
}

int cmd_collect(int argc, char **argv)
{
	/* main hands us argv + 1; record the command line from the program name */
	return collect_main(argc, argv, NULL, argc + 1, argv - 1);
}

int collect_main(int argc, char **argv, const char *profile_text, int rec_argc, char **rec_argv)
{
	struct options opt = { .argc = rec_argc, .argv = rec_argv };
	struct run r = { .opt = &opt, .stop = &stop_signal, .host_procfd = -1 };
	struct isolation iso = { .host_root = -1, .host_cwd = -1, .host_proc = -1, .host_ns = -1 };
	struct run_identity ident = { .self_sha256 = "" };
	struct profile prof = { 0 };
	EVP_PKEY *key = NULL;
	struct findings *fnd = NULL;
	char err[1024] = "", manifest_sha[SHA256_HEX_LEN] = "", total_sha[SHA256_HEX_LEN] = "";
	uint64_t total_bytes = 0;
	int fd = -1, guard_procfd = -1, ret, status = EXIT_FATAL;
	bool opened = false, said_unsealed = false;   /* the output, and what it holds */

	opt.files = calloc((size_t)argc + 1, sizeof(*opt.files));
	if (!opt.files) {
		say("out of memory");
		return EXIT_FATAL;
	}
	ret = parse_collect(argc, argv, &opt);
	if (ret != 0) {
		free(opt.files);
		free(opt.age);
		return ret > 0 ? EXIT_COMPLETE : EXIT_USAGE;
	}

	/* the plan is checked before anything is touched */
	if ((profile_text ? profile_parse(profile_text, strlen(profile_text), "irsnap image", &prof,
					  err, sizeof(err)) :
	     profile_load(opt.profile ? opt.profile : "triage", &prof, err, sizeof(err))) < 0) {
		say("%s", shown(err).s);   /* the file's name and words are the user's bytes */
		free(opt.files);
		free(opt.age);
		return EXIT_USAGE;
	}
	r.profile = prof.name, r.packages_root = prof.packages_root;
	r.findings_window_days = prof.findings_window_days ? prof.findings_window_days :
				 FINDINGS_WINDOW_DAYS;
	r.budget_seconds = opt.budget ? opt.budget : prof.budget_seconds;
	r.images_total = prof.images_total ? prof.images_total : DEFAULT_IMAGES_TOTAL;
	r.images_ns_budget = prof.images_ms ? (uint64_t)prof.images_ms * 1000000u :
			     (uint64_t)DEFAULT_IMAGES_SECONDS * 1000000000u;
	r.volatile_first = -1;
	r.maxtimings = prof.nsteps;
	r.timings = calloc(prof.nsteps + 1, sizeof(*r.timings));

	clocks_read(&r.start);
	r.prog = progress_start(opt.speech == SPEECH_QUIET ? PROGRESS_QUIET : opt.speech == SPEECH_VERBOSE ?
				PROGRESS_VERBOSE : isatty(STDERR_FILENO) ? PROGRESS_TTY : PROGRESS_LINES,
				STDERR_FILENO, prof.nsteps);
	r.stopped_in_step = -1;
	capbuf_init(&r.worklog, WORKLOG_CAP);
	if (zbuf_init(&r.index, INDEX_CAP) < 0) {
		say("cannot set up the index buffer");
		free(opt.files);
		return EXIT_FATAL;
	}
	snapshot_init(&r.snap);
	run_log(&r, "irsnap %s collect starts (pid %d, uid %d, euid %d)", IRSNAP_VERSION,
		(int)getpid(), (int)getuid(), (int)geteuid());
	sha256_self(ident.self_sha256);
	lockdown_footprint(ident.footprint, sizeof(ident.footprint));
	run_log(&r, "footprint: %s", ident.footprint);
	r.threads = opt.threads ? opt.threads : pscan_default_threads();
	run_log(&r, "threads: %u for processes and login records (%s)", r.threads,
		opt.threads ? "--threads" : "the CPUs this process may use, at most 4");

	if (opt.key_path) {
		if (load_key(opt.key_path, &key) < 0) {
			status = EXIT_USAGE;
			goto out;
		}
	} else if (key_generate(&key) < 0) {
		say("cannot generate an Ed25519 key");
		goto out;
	}
	if (key_fingerprint(key, ident.fingerprint) < 0) {
		say("cannot compute the signer fingerprint");
		goto out;
	}
	run_log(&r, "signer %s (%s key)", ident.fingerprint, opt.key_path ? "file" : "ephemeral");

	hostid_read(&r.host);
	make_id(&r);
	isolate_begin(&iso);   /* what only the host's namespace shows, kept first */
	if (opt.root) {   /* the target's mount as the host has it (rootmode.h) */
		if (!(r.target_root = root_probe(opt.root, err, sizeof(err)))) {
			say("%s", err);
			status = EXIT_USAGE;
			goto out;
		}
	}
	fd = output_open(opt.output, opt.allow_host_output, opt.files, opt.nfiles, err,
			 sizeof(err));
	if (fd < 0) {
		say("%s", err);
		status = (fd == -EXDEV || fd == -EEXIST || fd == -ENOTTY || fd == -ENXIO) ? EXIT_USAGE :
			 EXIT_FATAL;
		goto out;
	}
	opened = true;
	r.output_dev = output_other_dev(fd);
	{
		struct stat ost;
		r.output_fs_dev = fstat(fd, &ost) == 0 && S_ISREG(ost.st_mode) ? ost.st_dev : 0;
	}
	/* the output is open (through the host's mount): now irsnap's own
	 * namespace, procfs and read-only view, before any thread starts */
	isolate_views(&iso);
	ident.proc_view = iso.proc_view;
	ident.fs_view = iso.fs_view;
	ident.ns_holder = iso.holder;
	if (iso.private_proc) {
		r.host_procfd = iso.host_proc;
		r.host_proc_mounts = iso.proc_mounts;
	}
	if (iso.private_ns) {
		r.host_mountinfo = iso.mountinfo;
		r.host_mounts = iso.mounts;
		r.host_mountinfo_cut = iso.mountinfo_cut;
		r.host_mounts_cut = iso.mounts_cut;
	}
	const char *out_name = strcmp(opt.output, "-") == 0 ? "stdout" : opt.output;
	run_log(&r, "output '%s' opened; bundle folder '%s'", shown(out_name).s, r.id);
	run_log(&r, "views: /proc: %s; file systems: %s", iso.proc_view, iso.fs_view);
	if (iso.holder > 0)
		run_log(&r, "views: pid %d (irsnap-nshold, a child holding nothing but this "
			"mount namespace) ends with irsnap, and the kernel frees the private "
			"procfs in its exit, not in irsnap's", iso.holder);
	else if (iso.private_proc && !iso.proc_bound)
		run_log(&r, "views: no child to hold the mount namespace (fork: %s): the private "
			"procfs is freed in irsnap's own exit", strerror(iso.holder_err));
	install_signals();
	/* after the private /proc: the mounts named there are the kernel's */
	guard_procfd = proc_open_root();
	fsguard_init(guard_procfd, prof.fs_deadline_ms, stop_run, log_line, &r);
	if (opt.root) {   /* every path from here on resolves inside the target */
		if (root_enter(opt.root, r.target_root, err, sizeof(err)) < 0) {
			say("%s", err);
			goto out;
		}
		json_t *w = json_object_get(r.target_root, "warning");
		run_log(&r, "target root '%s' entered (chroot in irsnap's own mount namespace)%s%s",
			shown(opt.root).s, w ? ": " : "", w ? json_string_value(w) : "");
		if (w)
			say("warning: --root: %s", json_string_value(w));
	}

	if (lockdown_seccomp(ident.lockdown, sizeof(ident.lockdown)) < 0)
		say("warning: %s", ident.lockdown);
	run_log(&r, "lockdown: %s", ident.lockdown);
	collect_banner(&r, ident.self_sha256, prof.origin, prof.nsteps, r.budget_seconds, fd,
		       out_name);

	struct hash_out how = { .compress = opt.compress, .age = opt.age, .nage = opt.nage };
	ret = bundle_open_z(&r.bundle, fd, out_name, r.id, r.start.realtime.tv_sec, &how);
	if (ret < 0) {
		say("cannot start the bundle in '%s': %s", shown(out_name).s, strerror(-ret));
		goto out;
	}
	fnd = findings_new(r.start.realtime.tv_sec, r.findings_window_days);   /* reads every member as it is archived (findings.h) */
	if (fnd)   /* else none: run.json's findings is null */
		bundle_set_tap(r.bundle, findings_tap, fnd);
	ret = run_plan(&r, &prof);
	if (ret == 0 && fnd) {   /* after the last source, before the seal: signed */
		ret = findings_emit(fnd, &r);
		bundle_set_tap(r.bundle, NULL, NULL);
		findings_counts(fnd, ident.findings);
		ident.findings_made = ret == 0;
	}
	if (ret == 0)
		ret = collect_seal(&r, key, &ident, manifest_sha);
	int cret = bundle_close(r.bundle, total_sha, &total_bytes);
	if (ret == 0)
		ret = cret;
	if (ret < 0) {
		say("%s", bundle_error(r.bundle)[0] ? bundle_error(r.bundle) : strerror(-ret));
		say("the bundle at '%s' is incomplete and unsealed: it is not evidence",
		    shown(out_name).s);
		said_unsealed = true;
		goto out;
	}
	if (fd != STDOUT_FILENO && fsync(fd) < 0 && errno != EINVAL) {
		say("cannot write '%s': %s (fsync)", shown(out_name).s, strerror(errno));
		goto out;
	}
	if (output_still_there(opt.output, fd, iso.host_root, iso.host_cwd, err, sizeof(err)) < 0) {
		say("%s", err);
		goto out;
	}
	if (fd != STDOUT_FILENO && close(fd) < 0) {
		fd = -1;
		say("cannot write '%s': %s (close)", shown(out_name).s, strerror(errno));
		goto out;
	}
	fd = -1;

	progress_end(r.prog);   /* the paper-log lines below stand alone */
	r.prog = NULL;
	status = (r.failed || r.truncated || r.interrupted || r.budget_spent || r.unreadable_bytes ||
		  deadline_abandoned() || r.images_skipped || r.images_time_skipped) ?
		 EXIT_PARTIAL :
		 EXIT_COMPLETE;
	if (opt.stats)
		plan_stats(&r, &prof, stderr);
	fprintf(stderr, "irsnap: status: %s (%u artifacts, %u failed, %u truncated)\n",
		r.interrupted ? "partial (interrupted)" :
		r.budget_spent ? "partial (time budget spent)" :
		r.unreadable_bytes ? "partial (unreadable sectors zero-filled)" : "complete", r.artifacts,
		r.failed, r.truncated);
	if (ident.findings_made)
		fprintf(stderr, "irsnap: findings: %u high, %u medium, %u low, %u info "
			"(findings.jsonl)\n", ident.findings[SEV_HIGH], ident.findings[SEV_MEDIUM],
			ident.findings[SEV_LOW], ident.findings[SEV_INFO]);
	fprintf(stderr, "irsnap: bundle: %s\n", shown(out_name).s);
	fprintf(stderr, "irsnap: bundle-sha256: %s\n", total_sha);
	fprintf(stderr, "irsnap: bundle-bytes: %llu\n", (unsigned long long)total_bytes);
	fprintf(stderr, "irsnap: manifest-sha256: %s\n", manifest_sha);
	fprintf(stderr, "irsnap: signer: %s\n", ident.fingerprint);
out:
	progress_end(r.prog);
	r.prog = NULL;
	/* every failure after the output was opened says what it leaves there */
	if (opened && status == EXIT_FATAL && !said_unsealed)
		say("the output '%s' holds no sealed bundle: it is not evidence",
		    strcmp(opt.output, "-") == 0 ? "stdout" : shown(opt.output).s);
	if (fd > STDERR_FILENO)
		close(fd);
	bundle_free(r.bundle);
	findings_free(fnd);
	key_free(key);
	capbuf_release(&r.worklog);
	strset_free(&r.noted);
	strset_free(&r.walked_roots);
	zbuf_free(&r.index);
	snapshot_free(&r.snap);
	json_decref(r.target_root);
	profile_free(&prof);
	isolate_free(&iso);
	fsguard_free();
	if (guard_procfd >= 0)
		close(guard_procfd);
	free(r.timings);
	free(opt.files);
	free(opt.age);
	/* a call left behind on a stalled file system (fsguard.h) still holds a
	 * thread in the kernel; everything is sealed and closed: end here, and
	 * the exit's kill ends it (no exit handler waits on it: a leak check
	 * that stops every thread would wait for that one forever) */
	if (deadline_abandoned()) {
		fflush(NULL);
		_exit(status);
	}
	return status;
}
