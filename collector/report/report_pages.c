/*
 * report_pages.c - the summary, findings, timeline and work-log sections
 * (report_int.h). Values from run.json are shown as it has them.
 */
#include <stdlib.h>
#include <string.h>

#include "report_int.h"
#include "banned.h"

static const char *rs(const struct page *p, const char *a, const char *b)
{
	json_t *v = json_object_get(p->b->run, a);
	return jstr(b ? v : p->b->run, b ? b : a);
}

static void kv(struct page *p, const char *k, const char *v)
{
	h_fmt(p, "<tr><th>%s</th>", k);
	h_td(p, v ? v : "(none)");
	h_raw(p, "</tr>\n");
}

/* A clock since boot in seconds: <name>_ns (irsnap-bundle/3) or the
 * "seconds.nanoseconds" text of /1 and /2. */
double clock_s(json_t *clocks, const char *name)
{
	char key[32];
	snprintf(key, sizeof(key), "%s_ns", name);
	json_t *ns = json_object_get(clocks, key);
	if (json_is_integer(ns))
		return (double)json_integer_value(ns) / 1e9;
	return jstr(clocks, name) ? strtod(jstr(clocks, name), NULL) : 0;
}

void sec_summary(struct page *p)
{
	const struct rbundle *b = p->b;
	json_t *run = b->run, *k = json_object_get(json_object_get(run, "host"), "kernel");
	json_t *cs = json_object_get(json_object_get(run, "clocks"), "start");
	char buf[512];

	h_section(p, "summary", "Summary");
	if (b->fails == 0)
		h_raw(p, "<div class=\"valid\">VALID: every member matches the signed manifest</div>\n");
	h_raw(p, "<table>\n");
	kv(p, "bundle file", b->path);
	kv(p, "bundle id", b->res.id);
	kv(p, "bundle sha256", b->res.bundle_sha256);
	snprintf(buf, sizeof(buf), "%llu", b->res.bundle_bytes);
	kv(p, "bundle bytes", buf);
	kv(p, "format", rs(p, "format", NULL));
	json_t *tr = json_object_get(run, "target_root");
	if (json_is_object(tr)) {   /* collect --root: the disk read, not this host */
		json_t *m = json_object_get(tr, "mount");
		kv(p, "target root", jstr(tr, "path"));
		kv(p, "target hostname", jstr(tr, "hostname"));
		kv(p, "target machine id", jstr(tr, "machine_id"));
		snprintf(buf, sizeof(buf), "%s %s (%s)", jstr(m, "fstype") ? jstr(m, "fstype") : "?",
			 jstr(m, "source") ? jstr(m, "source") : "?",
			 jstr(m, "options") ? jstr(m, "options") : "?");
		kv(p, "target mount", buf);
		if (json_is_true(json_object_get(tr, "read_write")))
			kv(p, "target WARNING", "mounted read-write while collected");
		kv(p, "collecting host", "the host, machine id, boot id and kernel below are the "
		   "collecting system's; its running-system steps were skipped");
	}
	kv(p, "host", rs(p, "host", "hostname"));
	kv(p, "machine id", rs(p, "host", "machine_id"));
	kv(p, "boot id", rs(p, "host", "boot_id"));
	snprintf(buf, sizeof(buf), "%s %s %s", jstr(k, "sysname") ? jstr(k, "sysname") : "?",
		 jstr(k, "release") ? jstr(k, "release") : "?",
		 jstr(k, "machine") ? jstr(k, "machine") : "?");
	kv(p, "kernel", buf);
	kv(p, "case", rs(p, "case", "id"));
	kv(p, "examiner", rs(p, "case", "examiner"));
	kv(p, "note", rs(p, "case", "note"));
	kv(p, "collection started", rs(p, "started_at", NULL));
	kv(p, "collection finished", rs(p, "finished_at", NULL));
	kv(p, "status", rs(p, "status", NULL));
	kv(p, "clock realtime at start", jstr(cs, "realtime"));
	double mono = clock_s(cs, "monotonic"), boot = clock_s(cs, "boottime");
	snprintf(buf, sizeof(buf), "%.9f s", mono);
	kv(p, "clock monotonic at start", buf);
	snprintf(buf, sizeof(buf), "%.9f s", boot);
	kv(p, "clock boottime at start", buf);
	int64_t rt = rfc3339_secs(jstr(cs, "realtime"));
	h_raw(p, "<tr><th>clocks' skew</th><td>");
	if (rt != INT64_MIN && boot > 0) {
		h_raw(p, "booted at ");
		h_time(p, rt - (int64_t)boot);
		h_fmt(p, " by the realtime clock (realtime - boottime); suspended %.3f s "
		      "(boottime - monotonic)", boot - mono);
	} else {
		h_raw(p, "(not in run.json)");
	}
	h_raw(p, "</td></tr>\n");
	snprintf(buf, sizeof(buf), "%s %s", rs(p, "tool", "name") ? rs(p, "tool", "name") : "?",
		 rs(p, "tool", "version") ? rs(p, "tool", "version") : "?");
	kv(p, "collector", buf);
	kv(p, "collector sha256", rs(p, "tool", "sha256"));
	snprintf(buf, sizeof(buf), "%s (%s)", b->res.fingerprint[0] ? b->res.fingerprint : "?",
		 b->res.key_pinned ? "pinned by the investigator" :
		 "key taken from the bundle: pin it with --fingerprint");
	kv(p, "signer", buf);
	kv(p, "profile", rs(p, "profile", NULL));
	json_t *c = json_object_get(run, "counts");
	snprintf(buf, sizeof(buf), "%lld artifacts, %lld failed, %lld truncated; %lld steps skipped",
		 (long long)jint(c, "artifacts", 0), (long long)jint(c, "failed", 0),
		 (long long)jint(c, "truncated", 0), (long long)jint(run, "skipped_steps", 0));
	kv(p, "what failed or was truncated", buf);
	kv(p, "stopped by", rs(p, "stopped_by", NULL));
	h_raw(p, "</table>\n");
	h_section_end(p);
}

static const char *const sev[] = { "high", "medium", "low", "info" };

static void evidence(struct page *p, json_t *ev)
{
	json_t *keys = json_object_get(ev, "keys");
	const char *m = jstr(ev, "member");
	int64_t pid = jint(keys, "pid", -1), ticks = jint(keys, "start_ticks", -1);
	int64_t ns = jint(keys, "netns", -1), ino = jint(keys, "inode", -1);
	char *k = json_dumps(keys, JSON_COMPACT);

	int64_t x = pid >= 0 ? rproc_find(p->b, pid) : -1;
	const struct rproc *pr = p->b->procs.v;
	if (x >= 0 && (ticks < 0 || pr[x].ticks == ticks))   /* the process the keys name */
		h_fmt(p, "<a href=\"#%s-p-%lld-%lld\">", p->bp, (long long)pid,
		      (long long)pr[x].ticks);
	else if (m && strcmp(m, "volatile/sockets.jsonl") == 0 && ns >= 0 && ino >= 0)
		h_fmt(p, "<a href=\"#%s-s-%lld-%lld\">", p->bp, (long long)ns, (long long)ino);
	else
		m = NULL;
	h_text(p, jstr(ev, "member"));
	h_raw(p, " ");
	h_text(p, k);
	h_raw(p, m ? "</a><br>" : "<br>");
	free(k);
}

void sec_findings(struct page *p)
{
	json_t *found = p->b->found, *f, *ev;
	size_t i, j, n = 0;
	json_t *fc = json_object_get(p->b->run, "findings");

	h_section(p, "findings", "Findings");
	h_fmt(p, "<p>%lld high, %lld medium, %lld low, %lld info (findings.jsonl; README "
	      "\"Findings\" says what each check means and its benign causes).</p>\n",
	      (long long)jint(fc, "high", 0), (long long)jint(fc, "medium", 0),
	      (long long)jint(fc, "low", 0), (long long)jint(fc, "info", 0));
	h_fmt(p, "<table id=\"%s-findings-t\"><thead><tr><th>severity</th><th>check</th>"
	      "<th>title</th><th>technique</th><th>evidence</th></tr></thead><tbody>\n", p->bp);
	for (int s = 0; s < 4; s++)
		json_array_foreach(found, i, f) {
			if (!jstr(f, "severity") || strcmp(jstr(f, "severity"), sev[s]) != 0)
				continue;
			n++;
			h_fmt(p, "<tr class=\"%s\"><td>%s</td>", sev[s], sev[s]);
			h_td(p, jstr(f, "check"));
			h_td(p, jstr(f, "title"));
			h_td(p, jstr(f, "technique"));
			h_raw(p, "<td class=\"m\">");
			json_array_foreach(json_object_get(f, "evidence"), j, ev) {
				evidence(p, ev);
			}
			h_raw(p, "</td></tr>\n");
		}
	h_raw(p, "</tbody></table>\n");
	if (!n)
		h_raw(p, "<p>No finding in findings.jsonl.</p>\n");
	if (p->b->findings.truncated)
		h_raw(p, "<p class=\"over\">findings.jsonl is larger than the report reads: the "
		      "rest is not shown</p>\n");
	h_section_end(p);
}

void sec_timeline(struct page *p)
{
	const struct rbundle *b = p->b;
	const struct rbody *r = b->body.v;

	h_section(p, "timeline", "Recent changes");
	h_fmt(p, "<p>The file timeline's rows with a time from ");
	h_time(p, b->window_from);
	h_raw(p, " to ");
	h_time(p, b->window_to);
	h_fmt(p, " (%d days before the collection), newest first: %zu of %lld rows of the "
	      "bodyfile. m a c b: which of the file's times fall in the window.</p>\n",
	      b->window_days, b->body.n, b->body_rows);
	h_filter(p, "timeline-t");
	h_fmt(p, "<table id=\"%s-timeline-t\"><thead><tr><th>time (UTC)</th><th>macb</th>"
	      "<th>mode</th><th>uid</th><th>size</th><th>name</th></tr></thead><tbody>\n", p->bp);
	for (size_t i = 0; i < b->body.n; i++) {
		h_raw(p, "<tr><td>");
		h_time(p, r[i].t);
		h_raw(p, "</td>");
		h_td(p, r[i].macb);
		h_td(p, r[i].mode);
		h_tdi(p, (long long)r[i].uid);
		h_tdi(p, (long long)r[i].size);
		h_raw(p, "<td class=\"m\">");
		h_text(p, r[i].name);
		h_raw(p, "</td></tr>\n");
	}
	h_raw(p, "</tbody></table>\n");
	h_over(p, b->body.over, "rows in the window");
	h_section_end(p);
}

/* A work-log line: "TIME  +SECONDS  text". */
static bool step_line(const char *s, size_t n, double *ret_off, const char **ret_text)
{
	const char *plus = memchr(s, '+', n < 48 ? n : 48);
	if (!plus)
		return false;
	char num[32];
	size_t k = 0;
	for (const char *q = plus + 1; q < s + n && k + 1 < sizeof(num) && *q != ' '; q++)
		num[k++] = *q;
	num[k] = '\0';
	*ret_off = strtod(num, NULL);
	*ret_text = plus + 1 + k;
	return true;
}

void sec_worklog(struct page *p)
{
	const struct capbuf *w = &p->b->worklog;
	const char *t = w->buf ? w->buf : "", *end = t + w->len;
	const char *prev = NULL;
	size_t prevn = 0, errors = 0;
	double prev_off = 0, off = 0;

	h_section(p, "worklog", "Work log");
	h_raw(p, "<h3>Steps</h3><table><thead><tr><th>step</th><th>seconds</th></tr></thead>"
	      "<tbody>\n");
	for (const char *l = t; l < end;) {
		const char *nl = memchr(l, '\n', (size_t)(end - l)), *text;
		size_t n = (size_t)((nl ? nl : end) - l);
		if (step_line(l, n, &off, &text) && memmem(text, (size_t)(l + n - text), ": step '", 8)) {
			if (prev) {
				h_raw(p, "<tr>");
				h_raw(p, "<td class=\"m\">");
				h_textn(p, prev, prevn);
				h_fmt(p, "</td><td>%.3f</td></tr>\n", off - prev_off);
			}
			prev = text;
			prevn = (size_t)(l + n - text);
			prev_off = off;
		}
		l += n + 1;
	}
	h_raw(p, "</tbody></table>\n<h3>Errors and warnings</h3><pre>");
	for (const char *l = t; l < end;) {
		const char *nl = memchr(l, '\n', (size_t)(end - l));
		size_t n = (size_t)((nl ? nl : end) - l);
		if ((memmem(l, n, "error", 5) || memmem(l, n, "fail", 4) || memmem(l, n, "warning", 7) ||
		     memmem(l, n, "truncat", 7) || memmem(l, n, "slow", 4)) && errors++ < 500) {
			h_textn(p, l, n);
			h_raw(p, "\n");
		}
		l += n + 1;
	}
	h_raw(p, "</pre>\n");
	h_over(p, errors > 500 ? errors - 500 : 0, "error lines");
	h_fmt(p, "<details><summary>the whole work log (%zu bytes%s)</summary><pre>", w->len,
	      w->truncated ? ", the report's cap cut it: acquisition.log has it all" : "");
	h_textn(p, t, w->len);
	h_raw(p, "</pre></details>\n");
	h_section_end(p);
}
