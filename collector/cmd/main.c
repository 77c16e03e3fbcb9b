/*
 * main.c - irsnap's entry point: a small dispatcher over verbs.
 *
 * Before any verb runs, fds 0-2 are made valid (so an output can never land
 * on them) and nothing else happens: each verb narrows the process itself,
 * in plain sight, as soon as it knows what it needs.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "capbuf.h"
#include "commands.h"
#include "jsonx.h"
#include "run.h"
#include "sign.h"
#include "textutil.h"
#include "banned.h"

static const char main_usage[] =
	"usage: irsnap <command> [options]\n"
	"\n"
	"irsnap takes a forensic snapshot of a live Linux host without running any of\n"
	"its programs, and seals it into one signed tar bundle.\n"
	"\n"
	"commands:\n"
	"  collect -o PATH|-   take the snapshot (see `irsnap collect --help`)\n"
	"  image DEVICE -o PATH|-  a disk or image file, whole, into a signed bundle\n"
	"  verify BUNDLE       check a bundle's hashes, manifest and signature\n"
	"  keygen -o PREFIX    make a lab signing key pair (PREFIX.key, PREFIX.pub)\n"
	"  report --text BUNDLE...  the verdict, summary and findings of bundles\n"
	"  export --sqlite DB BUNDLE...  every record of verified bundles in SQLite\n"
	"  list                show what collect would do, in order\n"
	"  selfcheck           the binary's SHA-256, version, architecture, media: the\n"
	"                      paper log's first lines\n"
	"  version             show the version, commit, source hash and libraries\n"
	"\n"
	"Run `irsnap <command> --help` for the options of a command.\n";

/* SQLite's rule: never let a file we open become fd 0, 1 or 2. */
static int guard_stdio(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0)
			continue;
		int n = open("/dev/null", (fd == 0 ? O_RDONLY : O_WRONLY) | O_CLOEXEC);
		if (n != fd)
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} verbs[] = {
		{ "collect", cmd_collect },
		{ "image", cmd_image },
		{ "selfcheck", cmd_selfcheck },
		{ "verify", cmd_verify },
		{ "keygen", cmd_keygen },
		{ "list", cmd_list },
		{ "export", cmd_export },
		{ "report", cmd_report },
		{ "version", cmd_version },
		{ "--version", cmd_version },
	};

	if (guard_stdio() < 0)
		return EXIT_FATAL;
	/* before any other OpenSSL or jansson call: no openssl.cnf, no urandom */
	if (crypto_init() < 0) {
		say("cannot initialise OpenSSL");
		return EXIT_FATAL;
	}
	jsonx_init();
	if (argc < 2) {
		fputs(main_usage, stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		fputs(main_usage, stdout);
		return EXIT_COMPLETE;
	}
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(argv[1], verbs[i].name) == 0)
			return verbs[i].fn(argc - 1, argv + 1);
	say("unknown command '%s'", shown(argv[1]).s);
	fputs(main_usage, stderr);
	return EXIT_USAGE;
}
