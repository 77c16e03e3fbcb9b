/*
 * collect_opts.c - `irsnap collect`'s command line: its usage, its options,
 * and --encrypt-to's recipients.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agecrypt.h"
#include "capbuf.h"
#include "commands.h"
#include "hostfile.h"
#include "pscan.h"
#include "run.h"
#include "textutil.h"
#include "zwrite.h"
#include "banned.h"

static const char collect_usage[] =
	"usage: irsnap collect -o PATH|- [options]\n"
	"\n"
	"Take a forensic snapshot of this host into one signed tar bundle.\n"
	"\n"
	"  -o, --output PATH|-     where to write the bundle (a new file on other media,\n"
	"                          or - for stdout); an existing file is never replaced\n"
	"      --case ID           case identifier, recorded in run.json\n"
	"      --examiner NAME     who runs the collection\n"
	"      --note TEXT         free text for the record\n"
	"      --key FILE          sign with this Ed25519 private key (PEM, from\n"
	"                          `irsnap keygen`) instead of a fresh per-run key\n"
	"      --profile NAME|FILE the plan: triage (default), full, minimal, or a file\n"
	"                          (see `irsnap list --profile X` and manifests/README.md)\n"
	"      --file PATH         also copy this absolute path (repeatable); symlinks,\n"
	"                          FIFOs and devices are recorded and refused\n"
	"      --allow-host-output accept an output on a file system that holds evidence\n"
	"      --stats             print how long each step took, on stderr\n"
	"      --compress zstd|gzip|none\n"
	"                          compress the bundle as it is written (default: by\n"
	"                          the output's name, .tar.zst zstd, .tar.gz gzip, any\n"
	"                          other name and stdout none): `tar -xf`, `zstd -dc`,\n"
	"                          `gzip -dc` read it; the printed SHA-256 and size are\n"
	"                          of the bytes written\n"
	"      --encrypt-to RECIPIENT\n"
	"                          encrypt the bundle (after --compress) to this age\n"
	"                          recipient (age1...), or to each in a file of them;\n"
	"                          repeatable. `age -d -i IDENTITY` decrypts it\n"
	"      --root DIR          read a target's disk mounted at DIR (a host booted\n"
	"                          from the responder's media, an attached disk, a\n"
	"                          mounted image) as if DIR were /: its /etc, logs,\n"
	"                          logins, packages and files; symlinks resolve\n"
	"                          inside DIR; sources of the running system are\n"
	"                          skipped and say so\n"
	"      --budget SECONDS    stop after this long as at a signal: the step under\n"
	"                          way keeps what it read, later steps are skipped,\n"
	"                          the bundle is sealed (exit 1); overrides the\n"
	"                          profile's budget\n"
	"  -q, --quiet             nothing on stderr but errors and the final lines\n"
	"                          (default: a status line on a terminal, one line a\n"
	"                          step otherwise)\n"
	"  -v, --verbose           every line of the work log on stderr as it is written\n"
	"      --threads N         read processes and login records on N threads (1-8;\n"
	"                          default: the CPUs this process may use, at most 4);\n"
	"                          1 is the gentlest on a busy server, more shortens\n"
	"                          the snapshot\n"
	"  -h, --help              this text\n"
	"\n"
	"Exit status: 0 complete, 1 sealed but some artifacts failed or were truncated\n"
	"(or the run was interrupted, or its time budget ran out), 2 usage error, 3 the\n"
	"bundle could not be written.\n"
	"The last lines on stderr are the ones to copy into the paper log.\n";

enum { OPT_CASE = 256, OPT_EXAMINER, OPT_NOTE, OPT_KEY, OPT_FILE, OPT_ALLOW_HOST, OPT_PROFILE,
       OPT_STATS, OPT_THREADS, OPT_COMPRESS, OPT_ENCRYPT, OPT_BUDGET, OPT_ROOT };

/* --encrypt-to: an age1 recipient, or a file of them (one a line, # for
 * comments), as age -R reads. */
static int add_recipients(struct options *o, const char *arg)
{
	struct capbuf cb;
	int r = 0;

	capbuf_init(&cb, 1u << 20);
	if (strncmp(arg, "age1", 4) == 0) {
		capbuf_addstr(&cb, arg);
	} else if ((r = host_read_small(AT_FDCWD, arg, &cb)) < 0) {
		say("--encrypt-to: neither an age1 recipient nor a readable file: '%s': %s",
		    shown(arg).s, strerror(-r));
		capbuf_release(&cb);
		return r;
	}
	for (char *l = cb.buf, *nl; r == 0 && l && *l; l = nl ? nl + 1 : l + strlen(l)) {
		nl = strchr(l, '\n');
		if (nl)
			*nl = '\0';
		l += strspn(l, " \t");
		l[strcspn(l, " \t\r")] = '\0';
		if (!*l || *l == '#')
			continue;
		unsigned char (*v)[32] = o->nage < 64 ? realloc(o->age, (o->nage + 1) * 32) : NULL;
		if (!v) {
			say("--encrypt-to: at most 64 recipients");
			r = -E2BIG;
			break;
		}
		o->age = v;
		if (age_parse_recipient(l, o->age[o->nage]) < 0) {
			say("--encrypt-to: not an age X25519 recipient: '%s'", shown(l).s);
			r = -EINVAL;
			break;
		}
		o->nage++;
	}
	capbuf_release(&cb);
	if (r == 0 && !o->nage) {
		say("--encrypt-to: no recipient in '%s'", shown(arg).s);
		r = -EINVAL;
	}
	return r;
}

static bool ends(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);
	return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

/* The compression an output's name asks for: "zstd", "gzip" or NULL (after
 * an ".age" the encryption adds). */
static const char *compress_by_name(const char *path, bool encrypting)
{
	size_t n = strlen(path);
	if (encrypting && ends(path, n, ".age"))
		n -= 4;
	if (ends(path, n, ".zst") || ends(path, n, ".tzst"))
		return "zstd";
	if (ends(path, n, ".gz") || ends(path, n, ".tgz"))
		return "gzip";
	return NULL;
}

/* No --compress: the name decides; --compress against the name's suffix,
 * or a ".age" name without --encrypt-to, is refused, so that a file never
 * says one thing and holds another. */
static int compress_default(struct options *o, bool given)
{
	if (!strcmp(o->output, "-"))
		return 0;
	/* a name that says encrypted must be: an investigator trusts it */
	size_t n = strlen(o->output);
	if (!o->nage && ends(o->output, n, ".age")) {
		say("the output '%s' is named for age encryption, but no --encrypt-to was given",
		    shown(o->output).s);
		return -EINVAL;
	}
	const char *by_name = compress_by_name(o->output, o->nage > 0);
	if (!given) {
		o->compress = by_name;
		return 0;
	}
	if (by_name && (!o->compress || strcmp(by_name, o->compress) != 0)) {
		say("the output '%s' is named for %s, but --compress says %s", shown(o->output).s,
		    by_name, o->compress ? o->compress : "none");
		return -EINVAL;
	}
	return 0;
}

int parse_collect(int argc, char **argv, struct options *o)
{
	bool compress_given = false;
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "case", required_argument, NULL, OPT_CASE },
		{ "examiner", required_argument, NULL, OPT_EXAMINER },
		{ "note", required_argument, NULL, OPT_NOTE },
		{ "key", required_argument, NULL, OPT_KEY },
		{ "file", required_argument, NULL, OPT_FILE },
		{ "allow-host-output", no_argument, NULL, OPT_ALLOW_HOST },
		{ "profile", required_argument, NULL, OPT_PROFILE },
		{ "stats", no_argument, NULL, OPT_STATS },
		{ "threads", required_argument, NULL, OPT_THREADS },
		{ "budget", required_argument, NULL, OPT_BUDGET },
		{ "root", required_argument, NULL, OPT_ROOT },
		{ "compress", required_argument, NULL, OPT_COMPRESS },
		{ "encrypt-to", required_argument, NULL, OPT_ENCRYPT },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+o:qvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': o->output = optarg; break;
		case 'q': o->speech = SPEECH_QUIET; break;
		case 'v': o->speech = SPEECH_VERBOSE; break;
		case OPT_CASE: o->case_id = optarg; break;
		case OPT_EXAMINER: o->examiner = optarg; break;
		case OPT_NOTE: o->note = optarg; break;
		case OPT_KEY: o->key_path = optarg; break;
		case OPT_ALLOW_HOST: o->allow_host_output = true; break;
		case OPT_PROFILE: o->profile = optarg; break;
		case OPT_STATS: o->stats = true; break;
		case OPT_COMPRESS:
			if (strcmp(optarg, "none") != 0 && !zwriter_known(optarg)) {
				say("--compress takes zstd, gzip or none: '%s'", shown(optarg).s);
				return -EINVAL;
			}
			o->compress = strcmp(optarg, "none") ? optarg : NULL;
			compress_given = true;
			break;
		case OPT_ENCRYPT:
			if (add_recipients(o, optarg) < 0)
				return -EINVAL;
			break;
		case OPT_ROOT:
			if (optarg[0] != '/' || strcmp(optarg, "/") == 0) {
				say("--root needs the absolute path of a target's root folder (not /): "
				    "'%s'", shown(optarg).s);
				return -EINVAL;
			}
			if (geteuid() != 0) {
				say("--root needs root (irsnap enters the folder with chroot)");
				return -EINVAL;
			}
			o->root = optarg;
			break;
		case OPT_BUDGET: {
			char *end;
			unsigned long n = strtoul(optarg, &end, 10);
			if (*optarg < '1' || *optarg > '9' || *end || n > 7u * 24 * 3600) {
				say("--budget needs a number of seconds from 1 to 604800: '%s'",
				    shown(optarg).s);
				return -EINVAL;
			}
			o->budget = (unsigned)n;
			break;
		}
		case OPT_THREADS: {
			char *end;
			unsigned long n = strtoul(optarg, &end, 10);
			if (*optarg < '1' || *optarg > '9' || *end || n < 1 || n > PSCAN_MAX_THREADS) {
				say("--threads needs a number from 1 to %d: '%s'", PSCAN_MAX_THREADS,
				    shown(optarg).s);
				return -EINVAL;
			}
			o->threads = (unsigned)n;
			break;
		}
		case OPT_FILE:
			if (optarg[0] != '/') {
				say("--file needs an absolute path: '%s'", shown(optarg).s);
				return -EINVAL;
			}
			o->files[o->nfiles++] = optarg;
			break;
		case 'h':
			fputs(collect_usage, stdout);
			return 1;
		default:
			fputs(collect_usage, stderr);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		say("unexpected argument '%s'", shown(argv[optind]).s);
		return -EINVAL;
	}
	if (!o->output) {
		say("collect needs -o PATH (or -o - for stdout)");
		fputs(collect_usage, stderr);
		return -EINVAL;
	}
	return compress_default(o, compress_given);
}

