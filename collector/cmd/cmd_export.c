/* cmd_export.c - `irsnap export --sqlite CASE.db --timesketch T.jsonl
 * BUNDLE...` (export.h). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "export.h"
#include "lockdown.h"
#include "textutil.h"
#include "verify.h"
#include "banned.h"

static const char export_usage[] =
	"usage: irsnap export [--sqlite CASE.db] [--timesketch TIMELINE.jsonl]\n"
	"                     [--pubkey FILE | --fingerprint sha256:HEX] BUNDLE...\n"
	"\n"
	"Put every record of each bundle into an SQLite database an investigator\n"
	"queries with sqlite3 or any SQL tool: a table per member kind\n"
	"(volatile_processes, volatile_sockets, logins_wtmp, listing, ...), every row\n"
	"with _bundle, _host, _case, _member and _line; numbers as numbers, times\n"
	"also as <key>_epoch; indexes on pid + start_ticks, socket inode, path and\n"
	"SHA-256; views socket_owners, process_tree, process_ancestry and\n"
	"logins_with_failures. JSON members (run.json, host.json, ...) are in\n"
	"`documents`, each bundle in `bundles`.\n"
	"\n"
	"--timesketch writes a new file of Timesketch's JSON Lines (message, datetime,\n"
	"timestamp, timestamp_desc and the fields): every file time of the timeline's\n"
	"bodyfile (equal times of a file are one event), every process start and\n"
	"every wtmp and btmp record; an existing file is refused.\n"
	"\n"
	"Each bundle is verified as it is read (as `irsnap verify` does, with the\n"
	"same --pubkey and --fingerprint) and its rows are kept only when it is\n"
	"valid: what is exported is exactly what was verified. More bundles append\n"
	"to the same database; a bundle already in it is refused.\n"
	"\n"
	"Exit status: 0 every bundle exported, 1 one was refused (invalid or already\n"
	"there), 2 usage error, 3 the database could not be written.\n";

enum { OPT_SQLITE = 256, OPT_TIMESKETCH, OPT_PUBKEY, OPT_FPR };

/* The two readers of one pass: either may be absent. */
struct both {
	struct sqlx *x;
	struct tsx *t;
};

static int both_member(void *ctx, const char *top, const char *rel)
{
	struct both *b = ctx;
	int r = b->x ? sqlx_member(b->x, top, rel) : 0;
	return r < 0 ? r : b->t ? tsx_member(b->t, top, rel) : 0;
}

static int both_data(void *ctx, const void *buf, size_t n)
{
	struct both *b = ctx;
	int r = b->x ? sqlx_data(b->x, buf, n) : 0;
	return r < 0 ? r : b->t ? tsx_data(b->t, buf, n) : 0;
}

static int both_end(void *ctx, const char *rel)
{
	struct both *b = ctx;
	int r = b->x ? sqlx_member_end(b->x, rel) : 0;
	return r < 0 ? r : b->t ? tsx_member_end(b->t, rel) : 0;
}

static int export_one(struct both *bo, const char *path, const struct capbuf *pub,
		      const char *fpr)
{
	struct verify_result res;
	struct capbuf report;
	char err[512];
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		say("cannot read '%s': %s", shown(path).s, fd < 0 ? strerror(errno) :
		    "not a regular file");
		if (fd >= 0)
			close(fd);
		return EXIT_PARTIAL;
	}
	const struct verify_tap tap = { .member = both_member, .data = both_data,
					.member_end = both_end, .ctx = bo };
	capbuf_init(&report, 1u << 20);
	int fails = verify_bundle_tapped(fd, pub->len ? pub->buf : NULL, pub->len, fpr, &res,
					 &report, &tap);
	close(fd);
	bool valid = fails == 0;
	long long rows = bo->x ? sqlx_bundle_end(bo->x, valid, res.bundle_sha256, res.run_json,
						 res.run_json_len, err, sizeof(err)) : 0;
	char terr[256] = "";
	long long events = bo->t ? tsx_bundle_end(bo->t, valid && rows >= 0, terr, sizeof(terr)) : 0;
	int status = EXIT_COMPLETE;
	if (rows >= 0 && events >= 0) {
		char what[96];
		snprintf(what, sizeof(what), bo->x && bo->t ? "%lld rows, %lld timeline events" :
			 bo->x ? "%lld rows" : "%.0lld%lld timeline events", bo->x ? rows : 0, events);
		printf("exported: %s: %s (bundle %s, sha256 %s)\n", shown(path).s, what,
		       shown(res.id).s, res.bundle_sha256);
	} else {
		if (report.len)
			fwrite(report.buf, 1, report.len, stderr);
		say("not exported: '%s': %s", shown(path).s, shown(rows < 0 ? err : terr).s);
		status = rows == -EIO || (rows >= 0 && events != -EINVAL) ? EXIT_FATAL :
			 EXIT_PARTIAL;
	}
	capbuf_release(&report);
	verify_result_free(&res);
	return status;
}

int cmd_export(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "sqlite", required_argument, NULL, OPT_SQLITE },
		{ "timesketch", required_argument, NULL, OPT_TIMESKETCH },
		{ "pubkey", required_argument, NULL, OPT_PUBKEY },
		{ "fingerprint", required_argument, NULL, OPT_FPR },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db = NULL, *ts = NULL, *pubkey = NULL, *fpr = NULL;
	int c;

	if (want_help(argc, argv, export_usage))
		return EXIT_COMPLETE;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		if (c == OPT_SQLITE)
			db = optarg;
		else if (c == OPT_TIMESKETCH)
			ts = optarg;
		else if (c == OPT_PUBKEY)
			pubkey = optarg;
		else if (c == OPT_FPR)
			fpr = optarg;
		else {
			fputs(export_usage, stderr);
			return EXIT_USAGE;
		}
	}
	if ((!db && !ts) || optind >= argc || (pubkey && fpr)) {
		say(!db && !ts ? "export needs --sqlite CASE.db or --timesketch FILE" : optind >= argc ?
		    "export needs at least one BUNDLE" : "give --pubkey or --fingerprint, not both");
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
	struct both bo = { NULL, NULL };
	char err[512];
	if (db && sqlx_open(db, &bo.x, err, sizeof(err)) < 0) {
		say("cannot use '%s' as the export database: %s", shown(db).s, shown(err).s);
		capbuf_release(&pub);
		return EXIT_FATAL;
	}
	if (ts && tsx_open(ts, &bo.t, err, sizeof(err)) < 0) {
		say("cannot write the timeline '%s': %s", shown(ts).s, shown(err).s);
		sqlx_close(bo.x);
		capbuf_release(&pub);
		return EXIT_FATAL;
	}
	/* the bundles are hostile input: no exec, no executable mappings */
	char lock[256];
	if (lockdown_seccomp(lock, sizeof(lock)) < 0)
		say("warning: %s", lock);
	int status = EXIT_COMPLETE;
	for (int i = optind; i < argc; i++) {
		int s = export_one(&bo, argv[i], &pub, fpr);
		if (s > status)
			status = s;
	}
	sqlx_close(bo.x);
	tsx_close(bo.t);
	capbuf_release(&pub);
	return status;
}
