/* cmd_keygen.c - `irsnap keygen -o PREFIX`: a lab signing key pair. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "sign.h"
#include "textutil.h"
#include "banned.h"

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
