/* cmd_misc.c - `irsnap keygen`, `irsnap list` and `irsnap version`. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <sqlite3.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "plan.h"
#include "sign.h"
#include "source.h"
#include "textutil.h"
#include "banned.h"

static bool want_help(int argc, char **argv, const char *usage)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			fputs(usage, stdout);
			return true;
		}
	return false;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Create `path` (never replacing anything) and write `cb` to it. */
static int write_new_file(const char *path, mode_t mode, const struct capbuf *cb)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	int r;

	if (fd < 0) {
		r = -errno;
		say("cannot create '%s': %s", shown(path).s, strerror(-r));
		return r;
	}
	r = write_all(fd, cb->buf, cb->len);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r < 0)
		say("cannot write '%s': %s", shown(path).s, strerror(-r));
	return r;
}

static const char keygen_usage[] =
	"usage: irsnap keygen -o PREFIX\n"
	"\n"
	"Make an Ed25519 key pair on the lab workstation: PREFIX.key (private, PEM,\n"
	"mode 0600) for `irsnap collect --key`, and PREFIX.pub (public, PEM) for\n"
	"`irsnap verify --pubkey`. Existing files are never replaced. The signer\n"
	"fingerprint is printed: record it, and check bundles with --fingerprint.\n";

int cmd_keygen(int argc, char **argv)
{
	const char *prefix = NULL;
	struct capbuf priv, pub;
	char fp[FINGERPRINT_LEN];
	EVP_PKEY *key = NULL;
	int c, status = EXIT_FATAL;

	if (want_help(argc, argv, keygen_usage))
		return EXIT_COMPLETE;
	optind = 1;
	while ((c = getopt(argc, argv, "+o:")) != -1) {
		if (c != 'o') {
			fputs(keygen_usage, stderr);
			return EXIT_USAGE;
		}
		prefix = optarg;
	}
	if (!prefix || optind < argc) {
		fputs(keygen_usage, stderr);
		return EXIT_USAGE;
	}
	size_t n = strlen(prefix) + 5;
	char *kpath = malloc(n), *ppath = malloc(n);
	capbuf_init(&priv, 64u << 10);
	capbuf_init(&pub, 64u << 10);
	if (!kpath || !ppath || key_generate(&key) < 0 ||
	    key_private_pem(key, &priv) < 0 || key_public_pem(key, &pub) < 0 ||
	    key_fingerprint(key, fp) < 0) {
		say("cannot generate an Ed25519 key");
		goto out;
	}
	snprintf(kpath, n, "%s.key", prefix);
	snprintf(ppath, n, "%s.pub", prefix);
	if (write_new_file(kpath, 0600, &priv) < 0)
		goto out;
	if (write_new_file(ppath, 0644, &pub) < 0) {
		unlink(kpath);
		goto out;
	}
	printf("private key: %s\npublic key: %s\nfingerprint: %s\n", shown(kpath).s,
	       shown(ppath).s, fp);
	status = EXIT_COMPLETE;
out:
	if (priv.buf)
		OPENSSL_cleanse(priv.buf, priv.alloc);
	capbuf_release(&priv);
	capbuf_release(&pub);
	key_free(key);
	free(kpath);
	free(ppath);
	return status;
}

static const char list_usage[] =
	"usage: irsnap list [--profile NAME|FILE]\n"
	"\n"
	"Print the steps `irsnap collect` takes with that profile (default: triage),\n"
	"in the order it takes them: most volatile first (RFC 3227). A profile with an\n"
	"error is reported with its file, line and reason. Then the built-in sources.\n";

int cmd_list(int argc, char **argv)
{
	const char *name = "triage";
	struct profile p;
	char err[512];

	if (want_help(argc, argv, list_usage))
		return EXIT_COMPLETE;
	if (argc == 3 && strcmp(argv[1], "--profile") == 0)
		name = argv[2];
	else if (argc != 1) {
		fputs(list_usage, stderr);
		return EXIT_USAGE;
	}
	if (profile_load(name, &p, err, sizeof(err)) < 0) {
		say("%s", shown(err).s);   /* the file's name and words are the user's bytes */
		return EXIT_USAGE;
	}
	plan_print(&p, stdout);
	profile_free(&p);
	printf("\nbuilt-in sources:\n%-5s %-16s %s\n", "rank", "source", "collects");
	for (size_t i = 0; i < irsnap_nsources; i++)
		printf("%-5d %-16s %s\n", (int)irsnap_sources[i].rank, irsnap_sources[i].name,
		       irsnap_sources[i].what);
	return EXIT_COMPLETE;
}

int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("irsnap %s (bundle format irsnap-bundle/1)\n", IRSNAP_VERSION);
	printf("built with %s, jansson %s, SQLite %s; tar subset of its own\n",
	       OPENSSL_VERSION_TEXT, JANSSON_VERSION, SQLITE_VERSION);
	return EXIT_COMPLETE;
}
