/* run_json.c - run.json, the record of who ran what, where and when. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "build_info.h"
#include "commands.h"
#include "run_json.h"
#include "fsguard.h"
#include "textutil.h"
#include "bundle.h"
#include "banned.h"

/* argv as an array of strings, plus "argv_b64" when any is not UTF-8. */
static void set_argv(json_t *o, int argc, char **argv)
{
	const char **items = calloc((size_t)argc + 1, sizeof(*items));
	size_t *lens = calloc((size_t)argc + 1, sizeof(*lens));

	if (items && lens) {
		for (int i = 0; i < argc; i++) {
			items[i] = argv[i];
			lens[i] = strlen(argv[i]);
		}
		json_set_bytes_array(o, "argv", items, lens, (size_t)argc);
	}
	free(items);
	free(lens);
}

json_t *run_json(const struct run *r, const struct run_identity *id)
{
	json_t *o = json_object(), *t = json_object(), *c = json_object(),
	       *h = json_object(), *k = json_object(), *clk = json_object(),
	       *n = json_object(), *s = json_object();

	if (!o || !t || !c || !h || !k || !clk || !n || !s) {
		json_decref(o); json_decref(t); json_decref(c); json_decref(h);
		json_decref(k); json_decref(clk); json_decref(n); json_decref(s);
		return NULL;
	}
	json_set_str(o, "format", BUNDLE_FORMAT);
	json_set_str(o, "id", r->id);

	json_set_str(t, "name", "irsnap");
	json_set_str(t, "version", IRSNAP_VERSION);
	json_set_str(t, "commit", IRSNAP_COMMIT);
	json_set_str(t, "source_sha256", IRSNAP_SOURCE_SHA256);
	json_set_str(t, "sha256", id->self_sha256[0] ? id->self_sha256 : NULL);
	json_set_new(o, "tool", t);

	json_set_str(c, "id", r->opt->case_id);
	json_set_str(c, "examiner", r->opt->examiner);
	json_set_str(c, "note", r->opt->note);
	json_set_new(o, "case", c);

	json_set_str(h, "hostname", r->host.hostname);
	json_set_str(h, "machine_id", r->host.machine_id[0] ? r->host.machine_id : NULL);
	json_set_str(h, "boot_id", r->host.boot_id[0] ? r->host.boot_id : NULL);
	json_set_str(k, "sysname", r->host.sysname);
	json_set_str(k, "release", r->host.release);
	json_set_str(k, "version", r->host.version);
	json_set_str(k, "machine", r->host.machine);
	json_set_new(h, "kernel", k);
	json_set_new(o, "host", h);

	set_argv(o, r->opt->argc, r->opt->argv);
	json_set_str(o, "profile", r->profile ? r->profile : "triage");
	json_set_int(o, "skipped_steps", r->skipped_steps);
	/* how the run ended early: by what, in which step, which never began */
	if (r->interrupted || r->budget_spent) {
		json_t *st = json_object();
		json_set_str(st, "by", r->interrupted ? "signal" : "time budget");
		if (r->stopped_in[0]) {
			json_set_int(st, "in_step", r->stopped_in_step);
			json_set_str(st, "step", r->stopped_in);
		} else {
			json_set_new(st, "in_step", json_null());
			json_set_new(st, "step", json_null());
		}
		json_t *sk = json_object();
		json_set_int(sk, "count", (int64_t)r->skipped_n);
		if (r->skipped_n)
			json_set_int(sk, "first", (int64_t)r->skipped_first);
		else
			json_set_new(sk, "first", json_null());
		json_set_str(sk, "why", r->interrupted ? "the run was interrupted" :
			     "the time budget is spent");
		json_set_new(st, "skipped", sk);
		json_set_new(o, "stopped", st);
	} else {
		json_set_new(o, "stopped", json_null());
	}
	json_set_time(o, "started_at", &r->start.realtime);
	json_set_time(o, "finished_at", &r->end.realtime);
	json_set_new(clk, "start", clocks_json(&r->start));
	json_set_new(clk, "end", clocks_json(&r->end));
	json_set_new(o, "clocks", clk);
	json_set_str(o, "status", r->interrupted || r->budget_spent || r->unreadable_bytes ?
		     "partial" : "complete");
	if (r->unreadable_bytes)
		json_set_int(o, "unreadable_bytes", (int64_t)r->unreadable_bytes);
	if (r->target_root)
		json_object_set(o, "target_root", r->target_root);
	json_set_new(o, "stopped_by", r->interrupted ? json_string("signal") :
		     r->budget_spent ? json_string("time budget") : json_null());
	if (r->budget_seconds)
		json_set_int(o, "budget_seconds", r->budget_seconds);
	else
		json_set_new(o, "budget_seconds", json_null());
	/* the volatile snapshot: the core's window is its skew (snapshot.h),
	 * the details' window follows it; seconds since the run began */
	json_t *vs = json_object();
	if (r->snap.core_first >= 0) {
		json_t *core = json_object();
		json_set_new(core, "first", json_real(r->snap.core_first));
		json_set_new(core, "last", json_real(r->snap.core_last));
		json_set_new(core, "skew_seconds", json_real(r->snap.core_last - r->snap.core_first));
		json_set_new(vs, "core", core);
	} else {
		json_set_new(vs, "core", json_null());
	}
	if (r->volatile_first >= 0) {
		json_t *det = json_object();
		json_set_new(det, "first", json_real(r->volatile_first));
		json_set_new(det, "last", json_real(r->volatile_last));
		json_set_new(det, "seconds", json_real(r->volatile_last - r->volatile_first));
		json_set_new(vs, "details", det);
	} else {
		json_set_new(vs, "details", json_null());
	}
	json_set_new(o, "volatile_snapshot", vs);
	/* the process images kept, against their total (profile `images`) */
	json_t *img = json_object();
	json_set_int(img, "total_bytes", (int64_t)r->images_total);
	json_set_int(img, "copied_bytes", (int64_t)r->images_used);
	json_set_int(img, "left_out", r->images_skipped);
	json_set_new(img, "total_hit", json_boolean(r->images_skipped > 0));
	json_set_new(img, "seconds", json_real((double)r->images_ns_budget / 1e9));
	json_set_new(img, "seconds_used", json_real((double)r->images_ns_used / 1e9));
	json_set_int(img, "left_out_for_time", r->images_time_skipped);
	json_set_new(o, "process_images", img);
	/* the file systems that answer through a server (fsguard.h) */
	json_t *fsg = json_object();
	json_set_int(fsg, "deadline_ms", fsguard_deadline_ms());
	json_set_int(fsg, "calls_left_behind", deadline_abandoned());
	json_set_new(o, "slow_fs", fsg);
	json_set_int(n, "artifacts", r->artifacts);
	json_set_int(n, "failed", r->failed);
	json_set_int(n, "truncated", r->truncated);
	json_t *cut = json_object();
	json_set_int(cut, "cmdline", r->cut_cmdline);
	json_set_int(cut, "environ", r->cut_environ);
	json_set_int(cut, "exe_hash", r->cut_exe_hash);
	json_set_int(cut, "process_images", r->images_skipped);
	json_set_new(n, "truncated_records", cut);
	json_set_new(o, "counts", n);
	json_set_str(s, "algorithm", "ed25519");
	json_set_str(s, "fingerprint", id->fingerprint);
	json_set_str(s, "key_source", r->opt->key_path ? "file" : "ephemeral");
	json_set_new(o, "signer", s);
	json_set_str(o, "lockdown", id->lockdown);
	json_set_str(o, "footprint", id->footprint);
	if (id->findings_made) {
		static const char *const sev[4] = { "high", "medium", "low", "info" };
		json_t *fc = json_object();
		for (int i = 0; i < 4; i++)
			json_set_int(fc, sev[i], id->findings[i]);
		json_set_str(fc, "member", "findings.jsonl");
		json_set_int(fc, "window_days", r->findings_window_days);
		json_set_new(o, "findings", fc);
	} else {
		json_set_new(o, "findings", json_null());
	}
	json_t *v = json_object();
	json_set_str(v, "proc", id->proc_view ? id->proc_view : "host");
	json_set_str(v, "filesystems", id->fs_view ? id->fs_view : "host");
	/* the child that frees the private procfs after irsnap exits (isolate.c) */
	if (id->ns_holder > 0)
		json_set_int(v, "namespace_holder_pid", id->ns_holder);
	else
		json_set_new(v, "namespace_holder_pid", json_null());
	json_set_new(o, "views", v);
	return o;
}
