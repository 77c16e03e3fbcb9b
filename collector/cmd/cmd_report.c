/* cmd_report.c - `irsnap report --text BUNDLE...`: the verdict, the summary
 * and the findings of each bundle, for a terminal (issue 16; the HTML
 * report is not built yet). Every string from a bundle is escaped. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "lockdown.h"
#include "textutil.h"
#include "verify.h"
#include "banned.h"

static const char report_usage[] =
	"usage: irsnap report --text [--pubkey FILE | --fingerprint sha256:HEX] BUNDLE...\n"
	"\n"
	"For each bundle: its verdict first (each is verified as `irsnap verify`\n"
	"does, in the same pass that reads it; an invalid bundle is marked INVALID\n"
	"on every line of its report: it is not evidence), then the summary (host,\n"
	"case, examiner, collection window, clocks, collector, signer, profile, what\n"
	"failed or was truncated) and the findings, most severe first, each with\n"
	"its evidence (member and record keys). With several bundles, an overview\n"
	"line per bundle comes first. Every string from a bundle is escaped.\n"
	"\n"
	"Exit status: 0 every bundle valid, 1 one is invalid, 2 usage error,\n"
	"3 one could not be read.\n";

enum { OPT_TEXT = 256, OPT_PUBKEY, OPT_FPR };

#define FINDINGS_CAP (16u << 20)

struct one {
	const char *path;
	struct verify_result res;
	int fails;                 /* < 0: unreadable */
	struct capbuf findings;    /* findings.jsonl, kept as verify reads it */
	bool in_findings;
	json_t *run;
};

static int tap_member(void *ctx, const char *top, const char *rel)
{
	struct one *o = ctx;
	(void)top;
	o->in_findings = strcmp(rel, "findings.jsonl") == 0;
	return 0;
}

static int tap_data(void *ctx, const void *buf, size_t n)
{
	struct one *o = ctx;
	if (o->in_findings)
		capbuf_add(&o->findings, buf, n);
	return 0;
}

static int tap_end(void *ctx, const char *rel)
{
	struct one *o = ctx;
	(void)rel;
	o->in_findings = false;
	return 0;
}

static void read_one(struct one *o, const struct capbuf *pub, const char *fpr)
{
	struct capbuf report;
	struct stat st;
	int fd = open(o->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	capbuf_init(&o->findings, FINDINGS_CAP);
	memset(&o->res, 0, sizeof(o->res));
	o->fails = -EIO;
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		say("cannot read '%s': %s", shown(o->path).s, fd < 0 ? strerror(errno) :
		    "not a regular file");
		if (fd >= 0)
			close(fd);
		return;
	}
	const struct verify_tap tap = { .member = tap_member, .data = tap_data,
					.member_end = tap_end, .ctx = o };
	capbuf_init(&report, 1u << 20);
	o->fails = verify_bundle_tapped(fd, pub->len ? pub->buf : NULL, pub->len, fpr, &o->res,
					&report, &tap);
	close(fd);
	capbuf_release(&report);
	o->run = o->res.run_json ? json_loadb(o->res.run_json, o->res.run_json_len, 0, NULL) : NULL;
}

static const char *str(json_t *o, const char *a, const char *b)
{
	json_t *v = json_object_get(o, a);
	json_t *w = b ? json_object_get(v, b) : v;
	const char *s = json_string_value(w);
	return s ? s : json_is_null(w) ? "(none)" : "?";
}

static long long num(json_t *o, const char *a, const char *b)
{
	json_t *v = json_object_get(o, a);
	return (long long)json_integer_value(b ? json_object_get(v, b) : v);
}

/* Each line of an invalid bundle's report says so. */
static void line(const struct one *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void line(const struct one *o, const char *fmt, ...)
{
	va_list ap;
	if (o->fails != 0)
		fputs("INVALID | ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
}

static void summary(const struct one *o)
{
	json_t *r = o->run;
	line(o, "== %s", shown(o->path).s);
	if (o->fails < 0) {
		line(o, "verdict:   UNREADABLE: not a bundle, or it could not be read");
		return;
	}
	line(o, "verdict:   %s (bundle-sha256 %s, %llu bytes)", o->fails == 0 ?
	     "VALID: every member matches the signed manifest" : "INVALID: not evidence",
	     o->res.bundle_sha256, o->res.bundle_bytes);
	line(o, "bundle:    %s (%s)", shown(o->res.id).s, shown(str(r, "format", NULL)).s);
	json_t *k = json_object_get(json_object_get(r, "host"), "kernel");
	line(o, "host:      %s (machine-id %s, boot %s, kernel %s %s %s)",
	     shown(str(r, "host", "hostname")).s, shown(str(r, "host", "machine_id")).s,
	     shown(str(r, "host", "boot_id")).s, shown(str(k, "sysname", NULL)).s,
	     shown(str(k, "release", NULL)).s, shown(str(k, "machine", NULL)).s);
	line(o, "case:      %s, examiner %s, note %s", shown(str(r, "case", "id")).s,
	     shown(str(r, "case", "examiner")).s, shown(str(r, "case", "note")).s);
	line(o, "collected: %s to %s, status %s", shown(str(r, "started_at", NULL)).s,
	     shown(str(r, "finished_at", NULL)).s, shown(str(r, "status", NULL)).s);
	json_t *cs = json_object_get(json_object_get(r, "clocks"), "start");
	line(o, "clocks:    realtime %s, monotonic %s, boottime %s (at the start)",
	     shown(str(cs, "realtime", NULL)).s, shown(str(cs, "monotonic", NULL)).s,
	     shown(str(cs, "boottime", NULL)).s);
	line(o, "collector: %s %s (sha256 %s), profile %s", shown(str(r, "tool", "name")).s,
	     shown(str(r, "tool", "version")).s, shown(str(r, "tool", "sha256")).s,
	     shown(str(r, "profile", NULL)).s);
	line(o, "signer:    %s (%s)", o->res.fingerprint[0] ? o->res.fingerprint : "?",
	     o->res.key_pinned ? "pinned" : "key taken from the bundle: pin it with --fingerprint");
	line(o, "counts:    %lld artifacts, %lld failed, %lld truncated; %lld steps skipped",
	     num(r, "counts", "artifacts"), num(r, "counts", "failed"),
	     num(r, "counts", "truncated"), num(r, "skipped_steps", NULL));
}

static void findings(const struct one *o)
{
	static const char *const sev[] = { "high", "medium", "low", "info" };
	const char *t = o->findings.buf ? o->findings.buf : "";
	size_t n = o->findings.len, count = 0;

	if (o->fails < 0)
		return;
	line(o, "findings:  %lld high, %lld medium, %lld low, %lld info", num(o->run, "findings",
	     "high"), num(o->run, "findings", "medium"), num(o->run, "findings", "low"),
	     num(o->run, "findings", "info"));
	for (int s = 0; s < 4; s++) {
		for (const char *l = t; l < t + n;) {
			const char *nl = memchr(l, '\n', (size_t)(t + n - l));
			size_t len = (size_t)((nl ? nl : t + n) - l);
			json_t *f = json_loadb(l, len, 0, NULL);
			l = nl ? nl + 1 : t + n;
			if (!f || strcmp(str(f, "severity", NULL), sev[s]) != 0) {
				json_decref(f);
				continue;
			}
			count++;
			json_t *ev = json_array_get(json_object_get(f, "evidence"), 0);
			char *keys = json_dumps(json_object_get(ev, "keys"), JSON_COMPACT);
			line(o, "  %-6s %s: %s", sev[s], shown(str(f, "check", NULL)).s,
			     shown(str(f, "title", NULL)).s);
			line(o, "         evidence: %s %s", shown(str(ev, "member", NULL)).s,
			     shown(keys ? keys : "").s);
			free(keys);
			json_decref(f);
		}
	}
	if (o->findings.truncated)
		line(o, "  (findings.jsonl is larger than %u bytes: the rest is not shown)",
		     FINDINGS_CAP);
	if (!count)
		line(o, "  (no finding in findings.jsonl)");
}

int cmd_report(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "text", no_argument, NULL, OPT_TEXT },
		{ "pubkey", required_argument, NULL, OPT_PUBKEY },
		{ "fingerprint", required_argument, NULL, OPT_FPR },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *pubkey = NULL, *fpr = NULL;
	bool text = false;
	int c;

	if (want_help(argc, argv, report_usage))
		return EXIT_COMPLETE;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		if (c == OPT_TEXT)
			text = true;
		else if (c == OPT_PUBKEY)
			pubkey = optarg;
		else if (c == OPT_FPR)
			fpr = optarg;
		else {
			fputs(report_usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (!text || optind >= argc || (pubkey && fpr)) {
		say(!text ? "report needs --text (the HTML report is not built yet)" :
		    optind >= argc ? "report needs at least one BUNDLE" :
		    "give --pubkey or --fingerprint, not both");
		return EXIT_USAGE;
	}
	char fpr_lower[FPR_ARG_LEN];
	if (fpr && fingerprint_arg(fpr, fpr_lower) < 0)
		return EXIT_USAGE;
	if (fpr)
		fpr = fpr_lower;
	struct capbuf pub;
	capbuf_init(&pub, 64u << 10);
	if (pubkey && read_pubkey(pubkey, &pub) < 0) {
		capbuf_release(&pub);
		return EXIT_USAGE;
	}
	char lock[256];
	if (lockdown_seccomp(lock, sizeof(lock)) < 0)   /* bundles are hostile input */
		say("warning: %s", lock);
	size_t nb = (size_t)(argc - optind);
	struct one *b = calloc(nb, sizeof(*b));
	if (!b) {
		capbuf_release(&pub);
		return EXIT_FATAL;
	}
	int status = EXIT_COMPLETE;
	for (size_t i = 0; i < nb; i++) {
		b[i].path = argv[optind + (int)i];
		read_one(&b[i], &pub, fpr);
		int s = b[i].fails < 0 ? EXIT_FATAL : b[i].fails ? EXIT_PARTIAL : EXIT_COMPLETE;
		status = s > status ? s : status;
	}
	if (nb > 1) {   /* the fleet first */
		printf("%zu bundles:\n", nb);
		for (size_t i = 0; i < nb; i++)
			line(&b[i], "  %-8s %s  host %s  %s  findings %lld high %lld medium",
			     b[i].fails == 0 ? "VALID" : b[i].fails < 0 ? "UNREAD" : "INVALID",
			     shown(b[i].path).s, shown(str(b[i].run, "host", "hostname")).s,
			     shown(str(b[i].run, "started_at", NULL)).s,
			     num(b[i].run, "findings", "high"), num(b[i].run, "findings", "medium"));
	}
	for (size_t i = 0; i < nb; i++) {
		summary(&b[i]);
		findings(&b[i]);
		json_decref(b[i].run);
		capbuf_release(&b[i].findings);
		verify_result_free(&b[i].res);
	}
	free(b);
	capbuf_release(&pub);
	return status;
}
