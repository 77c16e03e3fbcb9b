/* cmd_verify.c - `irsnap verify BUNDLE`: the report around verify_bundle(). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "jsonx.h"
#include "lockdown.h"
#include "sign.h"
#include "verify.h"
#include "banned.h"

static const char verify_usage[] =
	"usage: irsnap verify BUNDLE [--pubkey FILE | --fingerprint sha256:HEX]\n"
	"\n"
	"Check a bundle without extracting it: every member's SHA-256 against\n"
	"MANIFEST.sha256, members missing from the manifest or the bundle,\n"
	"duplicate or unsafe members, and the Ed25519 signature over the manifest.\n"
	"BUNDLE may be - for stdin.\n"
	"\n"
	"  --pubkey FILE          check the signature with this public key (PEM)\n"
	"  --fingerprint sha256:HEX  require the bundle's signer to have this\n"
	"                         fingerprint (as printed by collect or keygen)\n"
	"\n"
	"Without either, the signature is checked with the key inside the bundle:\n"
	"that proves integrity since sealing, not who sealed it.\n"
	"Exit status: 0 valid, 1 invalid, 2 usage error, 3 unreadable.\n";

enum { OPT_PUBKEY = 256, OPT_FPR };

static void print_summary(const struct verify_result *res)
{
	json_error_t jerr;
	json_t *o = res->run_json ? json_loadb(res->run_json, res->run_json_len, 0, &jerr) : NULL;
	const char *host = json_string_value(json_object_get(json_object_get(o, "host"), "hostname"));
	const char *started = json_string_value(json_object_get(o, "started_at"));
	const char *status = json_string_value(json_object_get(o, "status"));
	const char *case_id = json_string_value(json_object_get(json_object_get(o, "case"), "id"));
	json_t *counts = json_object_get(o, "counts");

	printf("  bundle:    %s\n", safe(res->id));
	printf("  members:   %u files, %u directories\n", res->members, res->dirs);
	if (o) {
		printf("  host:      %s\n", safe(host ? host : "?"));
		printf("  case:      %s\n", safe(case_id ? case_id : "(none)"));
		printf("  started:   %s\n", safe(started ? started : "?"));
		printf("  status:    %s (%lld artifacts, %lld failed, %lld truncated)\n",
		       safe(status ? status : "?"),
		       (long long)json_integer_value(json_object_get(counts, "artifacts")),
		       (long long)json_integer_value(json_object_get(counts, "failed")),
		       (long long)json_integer_value(json_object_get(counts, "truncated")));
	}
	printf("  signer:    %s (%s)\n", res->fingerprint[0] ? res->fingerprint : "?",
	       res->key_pinned ? "pinned by --pubkey/--fingerprint" :
	       "key taken from the bundle: pin it with --fingerprint");
	json_decref(o);
}

int cmd_verify(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pubkey", required_argument, NULL, OPT_PUBKEY },
		{ "fingerprint", required_argument, NULL, OPT_FPR },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *pubkey_path = NULL, *fpr = NULL;
	struct capbuf pub, report;
	struct verify_result res;
	char lock[256];
	int c, fd, status = EXIT_FATAL;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_PUBKEY: pubkey_path = optarg; break;
		case OPT_FPR: fpr = optarg; break;
		case 'h': fputs(verify_usage, stdout); return EXIT_COMPLETE;
		default: fputs(verify_usage, stderr); return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc || (pubkey_path && fpr)) {
		fputs(verify_usage, stderr);
		return EXIT_USAGE;
	}
	if (fpr && (strncmp(fpr, "sha256:", 7) != 0 || strlen(fpr) != 71)) {
		say("--fingerprint wants sha256: and 64 hex digits");
		return EXIT_USAGE;
	}
	const char *path = argv[optind];

	capbuf_init(&pub, 64u << 10);
	capbuf_init(&report, 16u << 20);
	if (pubkey_path) {
		int kfd = open(pubkey_path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (kfd < 0 || capbuf_read_fd(&pub, kfd) < 0) {
			say("cannot read '%s': %s", safe(pubkey_path), strerror(errno));
			if (kfd >= 0)
				close(kfd);
			capbuf_release(&pub);
			return EXIT_USAGE;
		}
		close(kfd);
	}
	fd = strcmp(path, "-") == 0 ? STDIN_FILENO :
	     open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		say("cannot open '%s': %s", safe(path), strerror(errno));
		goto out;
	}
	/* the bundle is hostile input: no exec, no executable mappings */
	if (lockdown_seccomp(lock, sizeof(lock)) < 0)
		say("warning: %s", lock);

	int fails = verify_bundle(fd, pubkey_path ? pub.buf : NULL, pub.len, fpr, &res,
				  &report);
	if (fd != STDIN_FILENO)
		close(fd);
	if (fails < 0) {
		say("cannot read '%s' as a tar bundle: %s", safe(path),
		    fails == -EINVAL ? "not a tar archive" : strerror(-fails));
		goto out;
	}
	printf("irsnap verify: %s\n", safe(path));
	print_summary(&res);
	if (report.len)
		fputs(report.buf, stdout);
	if (fails == 0) {
		printf("result: VALID: every member matches the signed manifest\n");
		status = EXIT_COMPLETE;
	} else {
		printf("result: INVALID: %d problem%s\n", fails, fails == 1 ? "" : "s");
		status = EXIT_PARTIAL;
	}
	verify_result_free(&res);
out:
	capbuf_release(&pub);
	capbuf_release(&report);
	return status;
}
