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
#include "report.h"
#include "textutil.h"
#include "verify.h"
#include "banned.h"

static const char report_usage[] =
	"usage: irsnap report (-o FILE|- | --text) [--days N]\n"
	"                     [--pubkey FILE | --fingerprint sha256:HEX]\n"
	"                     [--identity FILE] BUNDLE...\n"
	"\n"
	"For each bundle: its verdict first (each is verified as `irsnap verify`\n"
	"does, in the same pass that reads it; an invalid bundle is marked INVALID\n"
	"in every section or on every line of its report: it is not evidence).\n"
	"\n"
	"  -o FILE|-     one self-contained HTML page (no external URL, font or\n"
	"                script; a Content-Security-Policy allows only its own\n"
	"                inlined style and script): summary, findings with their\n"
	"                evidence one click away, the process tree, the network\n"
	"                joined with the owners, the logins timeline, persistence\n"
	"                parsed, the recent changes of the file timeline, the work\n"
	"                log and an incident-report draft; with several bundles a\n"
	"                fleet overview and pivots across hosts first. FILE is made\n"
	"                new: an existing file is never replaced\n"
	"  --text        the summary and the findings, for a terminal\n"
	"  --days N      the recent changes: N days before the collection (7)\n"
	"  --identity FILE  the lab's age identity: encrypted bundles are read\n"
	"                with it (as `irsnap verify --identity`)\n"
	"\n"
	"Every string from a bundle is escaped. Large tables are capped, and\n"
	"what was left out is counted on the page.\n"
	"\n"
	"Exit status: 0 every bundle valid, 1 one is invalid, 2 usage error,\n"
	"3 one could not be read or the page could not be written.\n";

enum { OPT_TEXT = 256, OPT_PUBKEY, OPT_FPR, OPT_DAYS, OPT_IDENTITY };

/* The page's file: new, never replacing one (-: stdout). */
static FILE *open_page(const char *path)
{
	if (strcmp(path, "-") == 0)
		return stdout;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		say("cannot make '%s': %s", shown(path).s, errno == EEXIST ?
		    "it exists: a report is never replaced" : strerror(errno));
		return NULL;
	}
	FILE *f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(path);
	}
	return f;
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
static void line(const struct rbundle *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void line(const struct rbundle *o, const char *fmt, ...)
{
	va_list ap;
	if (o->fails != 0)
		fputs("INVALID | ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
}

static void summary(const struct rbundle *o)
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
	json_t *tr = json_object_get(r, "target_root");
	if (json_is_object(tr)) {   /* collect --root: the disk read, not this host */
		json_t *m = json_object_get(tr, "mount");
		line(o, "target:    %s (hostname %s, machine-id %s; %s %s, %s)%s%s",
		     shown(str(tr, "path", NULL)).s, shown(str(tr, "hostname", NULL)).s,
		     shown(str(tr, "machine_id", NULL)).s, shown(str(m, "fstype", NULL)).s,
		     shown(str(m, "source", NULL)).s, shown(str(m, "options", NULL)).s,
		     json_is_true(json_object_get(tr, "read_write")) ? "; WARNING: " : "",
		     json_is_true(json_object_get(tr, "read_write")) ?
		     "mounted read-write while collected" : "");
		line(o, "           the host line above is the collecting system's; the running "
		     "system's steps were skipped");
	}
	line(o, "case:      %s, examiner %s, note %s", shown(str(r, "case", "id")).s,
	     shown(str(r, "case", "examiner")).s, shown(str(r, "case", "note")).s);
	line(o, "collected: %s to %s, status %s", shown(str(r, "started_at", NULL)).s,
	     shown(str(r, "finished_at", NULL)).s, shown(str(r, "status", NULL)).s);
	json_t *cs = json_object_get(json_object_get(r, "clocks"), "start");
	line(o, "clocks:    realtime %s, monotonic %.9f s, boottime %.9f s (at the start)",
	     shown(str(cs, "realtime", NULL)).s, clock_s(cs, "monotonic"), clock_s(cs, "boottime"));
	line(o, "collector: %s %s (sha256 %s), profile %s", shown(str(r, "tool", "name")).s,
	     shown(str(r, "tool", "version")).s, shown(str(r, "tool", "sha256")).s,
	     shown(str(r, "profile", NULL)).s);
	line(o, "signer:    %s (%s)", o->res.fingerprint[0] ? o->res.fingerprint : "?",
	     o->res.key_pinned ? "pinned" : "key taken from the bundle: pin it with --fingerprint");
	line(o, "counts:    %lld artifacts, %lld failed, %lld truncated; %lld steps skipped",
	     num(r, "counts", "artifacts"), num(r, "counts", "failed"),
	     num(r, "counts", "truncated"), num(r, "skipped_steps", NULL));
}

static void findings(const struct rbundle *o)
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
		line(o, "  (findings.jsonl is larger than %zu bytes: the rest is not shown)",
		     o->findings.max);
	if (!count)
		line(o, "  (no finding in findings.jsonl)");
}

int cmd_report(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "text", no_argument, NULL, OPT_TEXT },
		{ "output", required_argument, NULL, 'o' },
		{ "days", required_argument, NULL, OPT_DAYS },
		{ "pubkey", required_argument, NULL, OPT_PUBKEY },
		{ "fingerprint", required_argument, NULL, OPT_FPR },
		{ "identity", required_argument, NULL, OPT_IDENTITY },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *pubkey = NULL, *fpr = NULL, *out = NULL;
	bool text = false;
	long days = 7;
	int c;

	if (want_help(argc, argv, report_usage))
		return EXIT_COMPLETE;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+ho:", longopts, NULL)) != -1) {
		char *end = NULL;
		if (c == OPT_TEXT) {
			text = true;
		} else if (c == 'o') {
			out = optarg;
		} else if (c == OPT_DAYS) {
			errno = 0;
			days = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || days < 1 || days > 36500) {
				say("--days wants a number of days, 1 to 36500");
				return EXIT_USAGE;
			}
		} else if (c == OPT_PUBKEY) {
			pubkey = optarg;
		} else if (c == OPT_FPR) {
			fpr = optarg;
		} else if (c == OPT_IDENTITY) {
			if (use_identity(optarg) < 0)
				return EXIT_USAGE;
		} else {
			fputs(report_usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (text == !!out || optind >= argc || (pubkey && fpr)) {
		say(text == !!out ? "report needs -o FILE (the HTML page) or --text, one of them" :
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
	FILE *page = out ? open_page(out) : NULL;
	if (out && !page) {
		capbuf_release(&pub);
		return EXIT_FATAL;
	}
	char lock[256];
	if (lockdown_seccomp(lock, sizeof(lock)) < 0)   /* bundles are hostile input */
		say("warning: %s", lock);
	size_t nb = (size_t)(argc - optind);
	struct rbundle *b = calloc(nb, sizeof(*b));
	int status = b ? EXIT_COMPLETE : EXIT_FATAL;
	for (size_t i = 0; b && i < nb; i++) {
		b[i].window_days = (int)days;
		report_read(&b[i], argv[optind + (int)i], &pub, fpr, !text);
		int s = b[i].fails < 0 ? EXIT_FATAL : b[i].fails ? EXIT_PARTIAL : EXIT_COMPLETE;
		status = s > status ? s : status;
	}
	if (b && text && nb > 1) {   /* the fleet first */
		printf("%zu bundles:\n", nb);
		for (size_t i = 0; i < nb; i++)
			line(&b[i], "  %-8s %s  host %s  %s  findings %lld high %lld medium",
			     b[i].fails == 0 ? "VALID" : b[i].fails < 0 ? "UNREAD" : "INVALID",
			     shown(b[i].path).s, shown(str(b[i].run, "host", "hostname")).s,
			     shown(str(b[i].run, "started_at", NULL)).s,
			     num(b[i].run, "findings", "high"), num(b[i].run, "findings", "medium"));
	}
	for (size_t i = 0; b && text && i < nb; i++) {
		summary(&b[i]);
		findings(&b[i]);
	}
	if (b && page) {
		int e = report_html(page, b, nb);
		if (page != stdout && fclose(page) != 0 && !e)
			e = -EIO;
		if (e < 0) {
			say("cannot write the report '%s': %s", shown(out).s, strerror(-e));
			if (page != stdout)
				unlink(out);
			status = EXIT_FATAL;
		}
	} else if (page && page != stdout) {
		fclose(page);
		unlink(out);
	}
	for (size_t i = 0; b && i < nb; i++)
		report_free(&b[i]);
	free(b);
	capbuf_release(&pub);
	return status;
}
