/* cmd_verify.c - `irsnap verify BUNDLE`: the report around verify_bundle(). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agecrypt.h"
#include "commands.h"
#include "jsonx.h"
#include "lockdown.h"
#include "sign.h"
#include "tarread.h"
#include "textutil.h"
#include "verify.h"
#include "banned.h"

static const char verify_usage[] =
	"usage: irsnap verify BUNDLE [--pubkey FILE | --fingerprint sha256:HEX]\n"
	"                            [--sha256 HEX] [--identity FILE]\n"
	"\n"
	"Check a bundle without extracting it. First its SHA-256 and size (compare\n"
	"them with the paper log's bundle-sha256 and bundle-bytes lines); then the\n"
	"tar itself, block by block: exactly the headers, names, padding and end\n"
	"that collect writes, nothing else (a rewritten tar that another tar\n"
	"program would extract differently is INVALID, naming the rule); every\n"
	"member's SHA-256 against MANIFEST.sha256, members missing from the\n"
	"manifest or the bundle, and the Ed25519 signature over the manifest.\n"
	"BUNDLE is a regular file, or - for stdin.\n"
	"\n"
	"  --sha256 HEX           require the whole bundle to have this SHA-256\n"
	"                         (the paper log's bundle-sha256 line)\n"
	"  --pubkey FILE          check the signature with this public key (PEM)\n"
	"  --fingerprint sha256:HEX  require the bundle's signer to have this\n"
	"                         fingerprint (as printed by collect or keygen)\n"
	"  --identity FILE        the lab's age identity (age-keygen's file): a\n"
	"                         bundle collect --encrypt-to wrote is decrypted as\n"
	"                         it is read (compressed ones need nothing)\n"
	"\n"
	"Without either, the signature is checked with the key inside the bundle:\n"
	"that proves integrity since sealing, not who sealed it.\n"
	"Exit status: 0 valid, 1 invalid, 2 usage error, 3 unreadable.\n";

enum { OPT_PUBKEY = 256, OPT_FPR, OPT_SHA256, OPT_IDENTITY };

/* 64 hex digits (either case) into lower case; else -EINVAL (commands.h). */
int hex64_lower(const char *in, char out[65])
{
	if (strlen(in) != 64)
		return -EINVAL;
	for (int i = 0; i < 64; i++) {
		int d = hex_digit(in[i]);
		if (d < 0)
			return -EINVAL;
		out[i] = "0123456789abcdef"[d];
	}
	out[64] = '\0';
	return 0;
}

/* --fingerprint sha256:HEX (either case) as verify_bundle wants it
 * (commands.h). */
int fingerprint_arg(const char *in, char out[FPR_ARG_LEN])
{
	char hex[65];
	if (strncasecmp(in, "sha256:", 7) != 0 || hex64_lower(in + 7, hex) < 0) {
		say("--fingerprint wants sha256: and 64 hex digits, not '%s'", shown(in).s);
		return -EINVAL;
	}
	snprintf(out, FPR_ARG_LEN, "sha256:%s", hex);
	return 0;
}

/* The --pubkey file: a regular file of at most 64 KiB (commands.h). */
int read_pubkey(const char *path, struct capbuf *pub)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0) {
		say("cannot read '%s': %s", shown(path).s, strerror(errno));
		return -errno;
	}
	int r = fstat(fd, &st) < 0 ? -errno : 0;
	if (r == 0 && !S_ISREG(st.st_mode)) {
		say("cannot read '%s': not a regular file (a PEM public key is wanted)",
		    shown(path).s);
		r = -EINVAL;
	} else if (r == 0 && (r = capbuf_read_fd(pub, fd)) < 0) {
		if (r == -E2BIG)
			say("cannot read '%s': larger than %zu bytes, not a public key",
			    shown(path).s, pub->max);
		else
			say("cannot read '%s': %s", shown(path).s, strerror(-r));
	} else if (r < 0) {
		say("cannot read '%s': %s", shown(path).s, strerror(-r));
	}
	close(fd);
	return r;
}

static void print_summary(const struct verify_result *res)
{
	json_error_t jerr;
	json_t *o = res->run_json ? json_loadb(res->run_json, res->run_json_len, 0, &jerr) : NULL;
	const char *host = json_string_value(json_object_get(json_object_get(o, "host"), "hostname"));
	const char *started = json_string_value(json_object_get(o, "started_at"));
	const char *status = json_string_value(json_object_get(o, "status"));
	const char *case_id = json_string_value(json_object_get(json_object_get(o, "case"), "id"));
	json_t *counts = json_object_get(o, "counts");

	printf("  bundle:    %s\n", shown(res->id).s);
	printf("  members:   %u files, %u directories\n", res->members, res->dirs);
	if (o) {
		printf("  host:      %s\n", shown(host ? host : "?").s);
		printf("  case:      %s\n", shown(case_id ? case_id : "(none)").s);
		printf("  started:   %s\n", shown(started ? started : "?").s);
		printf("  status:    %s (%lld artifacts, %lld failed, %lld truncated)\n",
		       shown(status ? status : "?").s,
		       (long long)json_integer_value(json_object_get(counts, "artifacts")),
		       (long long)json_integer_value(json_object_get(counts, "failed")),
		       (long long)json_integer_value(json_object_get(counts, "truncated")));
	}
	printf("  signer:    %s (%s)\n", res->fingerprint[0] ? res->fingerprint : "?",
	       res->key_pinned ? "pinned by --pubkey/--fingerprint" :
	       "key taken from the bundle: pin it with --fingerprint");
	json_decref(o);
}

/* After a valid verification only: what the signed run.json counts. */
static void print_findings(const struct verify_result *res)
{
	json_t *o = res->run_json ? json_loadb(res->run_json, res->run_json_len, 0, NULL) : NULL;
	json_t *f = json_object_get(o, "findings");

	if (json_is_object(f))
		printf("findings: %lld high, %lld medium, %lld low, %lld info (findings.jsonl)\n",
		       (long long)json_integer_value(json_object_get(f, "high")),
		       (long long)json_integer_value(json_object_get(f, "medium")),
		       (long long)json_integer_value(json_object_get(f, "low")),
		       (long long)json_integer_value(json_object_get(f, "info")));
	else if (o)
		printf("findings: none in this bundle (made before findings, or none made)\n");
	json_decref(o);
}

/* An age identity file (age-keygen's): its first AGE-SECRET-KEY-1 line,
 * the key handed to the tar reader (commands.h). */
int use_identity(const char *path)
{
	struct capbuf cb;
	unsigned char sk[32];
	int r = read_pubkey(path, (capbuf_init(&cb, 64u << 10), &cb));

	for (char *l = cb.buf, *nl; r == 0 && l && *l; l = nl ? nl + 1 : l + strlen(l)) {
		nl = strchr(l, '\n');
		if (nl)
			*nl = '\0';
		l[strcspn(l, " \t\r")] = '\0';
		if (strncmp(l, "AGE-SECRET-KEY-1", 16) == 0) {
			r = age_parse_identity(l, sk) == 0 ? 1 : -EINVAL;
			break;
		}
	}
	if (cb.buf)
		explicit_bzero(cb.buf, cb.len);
	capbuf_release(&cb);
	if (r != 1) {
		if (r == 0 || r == -EINVAL)
			say("'%s' holds no age identity (an AGE-SECRET-KEY-1 line)", shown(path).s);
		return r ? r : -EINVAL;
	}
	tarread_identity(sk);
	explicit_bzero(sk, sizeof(sk));
	return 0;
}

int cmd_verify(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pubkey", required_argument, NULL, OPT_PUBKEY },
		{ "fingerprint", required_argument, NULL, OPT_FPR },
		{ "sha256", required_argument, NULL, OPT_SHA256 },
		{ "identity", required_argument, NULL, OPT_IDENTITY },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *pubkey_path = NULL, *fpr = NULL, *want_sha = NULL;
	char fpr_lower[FPR_ARG_LEN], sha_lower[65];
	struct capbuf pub, report;
	struct verify_result res;
	char lock[256];
	int c, fd, status = EXIT_FATAL;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_PUBKEY: pubkey_path = optarg; break;
		case OPT_FPR: fpr = optarg; break;
		case OPT_SHA256: want_sha = optarg; break;
		case OPT_IDENTITY:
			if (use_identity(optarg) < 0)
				return EXIT_USAGE;
			break;
		case 'h': fputs(verify_usage, stdout); return EXIT_COMPLETE;
		default: fputs(verify_usage, stderr); return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc || (pubkey_path && fpr)) {
		fputs(verify_usage, stderr);
		return EXIT_USAGE;
	}
	if (fpr && fingerprint_arg(fpr, fpr_lower) < 0)
		return EXIT_USAGE;
	if (fpr)
		fpr = fpr_lower;
	if (want_sha && hex64_lower(want_sha, sha_lower) < 0) {
		say("--sha256 wants 64 hex digits (the paper log's bundle-sha256), not '%s'",
		    shown(want_sha).s);
		return EXIT_USAGE;
	}
	const char *path = argv[optind];

	capbuf_init(&pub, 64u << 10);
	capbuf_init(&report, 16u << 20);
	if (pubkey_path && read_pubkey(pubkey_path, &pub) < 0) {
		capbuf_release(&pub);
		capbuf_release(&report);
		return EXIT_USAGE;
	}
	fd = strcmp(path, "-") == 0 ? STDIN_FILENO :
	     open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		say("cannot open '%s': %s", shown(path).s, strerror(errno));
		goto out;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode) ||
				    S_ISSOCK(st.st_mode))) {
		say("cannot read '%s': not a regular file or a pipe", shown(path).s);
		if (fd != STDIN_FILENO)
			close(fd);
		goto out;
	}
	/* the bundle is hostile input: no exec, no executable mappings */
	if (lockdown_seccomp(lock, sizeof(lock)) < 0)
		say("warning: %s", lock);

	int fails = verify_bundle(fd, pubkey_path ? pub.buf : NULL, pub.len, fpr, &res,
				  &report);
	if (fd != STDIN_FILENO)
		close(fd);
	printf("irsnap verify: %s\n", shown(path).s);
	printf("  bundle-sha256: %s\n", res.bundle_sha256);
	printf("  bundle-bytes:  %llu\n", res.bundle_bytes);
	if (fails < 0) {
		if (fails == -ENOKEY)
			say("'%s' is encrypted (age): give the lab's identity with --identity FILE "
			    "(this one, if given, is not among its recipients)", shown(path).s);
		else
			say("cannot read '%s' as a bundle: %s", shown(path).s,
			    fails == -EINVAL ? "not a tar archive (no ustar header at its start)" :
			    strerror(-fails));
		goto out;
	}
	if (want_sha && strcmp(sha_lower, res.bundle_sha256) != 0) {
		fails++;
		capbuf_addstr(&report, "FAIL: the bundle's SHA-256 is not the one expected "
			      "(--sha256): the bytes are not those collect wrote\n");
	}
	print_summary(&res);
	if (report.len)
		fputs(report.buf, stdout);
	if (report.truncated)   /* a cut is always marked, with what was cut */
		printf("(the report above is cut at %zu bytes: %llu bytes of findings not "
		       "shown; every one is counted below)\n", report.max,
		       (unsigned long long)(report.wanted - report.len));
	if (fails == 0) {
		printf("result: VALID: every member matches the signed manifest\n");
		print_findings(&res);
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
