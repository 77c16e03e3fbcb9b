/* Unit tests of bundle.c and verify.c: a bundle written to a memfd reads
 * back valid; member rules (size, duplicates, unsafe names, padding) hold;
 * an output error is fatal and sticky; a corrupted copy fails verification. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bundle.h"
#include "jsonx.h"
#include "sign.h"
#include "tap.h"
#include "verify.h"

static int write_sample(int fd, EVP_PKEY *key)
{
	struct bundle *b = NULL;
	char sha[SHA256_HEX_LEN], msha[SHA256_HEX_LEN], tsha[SHA256_HEX_LEN];
	unsigned char sig[ED25519_SIG_LEN];
	struct capbuf pem;
	uint64_t padded = 99, total = 0;

	REQUIRE(bundle_open(&b, fd, "memfd", "irsnap-test-20260101T000000Z", 0) == 0);
	CHECK(bundle_add_bytes(b, "a/one.txt", "one\n", 4, sha) == 0);
	CHECK(strcmp(sha, "2c8b08da5ce60398e1f19af0e5dccc744df274b826abe585eaba68c525434806") == 0);
	CHECK(bundle_add_bytes(b, "a/one.txt", "x", 1, NULL) == -EEXIST);
	CHECK(bundle_add_bytes(b, "../escape", "x", 1, NULL) == -EINVAL);
	CHECK(bundle_add_bytes(b, "/abs", "x", 1, NULL) == -EINVAL);
	CHECK(bundle_begin(b, "short", 10) == 0);
	CHECK(bundle_write(b, "abc", 3) == 0);
	CHECK(bundle_write(b, "12345678", 8) == -EFBIG);
	CHECK(bundle_end(b, sha, &padded) == 0 && padded == 7);
	CHECK(bundle_has(b, "short") && !bundle_has(b, "long"));

	size_t mlen;
	const char *m = bundle_manifest(b, &mlen);
	CHECK(mlen == 2 * (64 + 2) + strlen("a/one.txt\n") + strlen("short\n"));
	/* the name rules verify applies, refused before anything is written:
	 * the bundle below still verifies, so no parent folder was left over */
	CHECK(bundle_add_bytes(b, "d", "1", 1, NULL) == 0);
	CHECK(bundle_add_bytes(b, "d/c", "2", 1, NULL) == -ENOTDIR);   /* no tar extracts both */
	CHECK(bundle_add_bytes(b, "n/d/c", "2", 1, NULL) == 0);
	CHECK(bundle_add_bytes(b, "n/d", "3", 1, NULL) == -EEXIST);    /* a folder of that name */
	CHECK(!bundle_dead(b));
	char longname[700];
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	longname[150] = '/';
	CHECK(bundle_add_bytes(b, longname, "long", 4, NULL) == 0);       /* a pax path */
	capbuf_init(&pem, 4096);
	CHECK(key_public_pem(key, &pem) == 0);
	CHECK(bundle_add_bytes(b, "signer.pub.pem", pem.buf, pem.len, NULL) == 0);
	capbuf_release(&pem);
	m = bundle_manifest(b, &mlen);
	CHECK(key_sign(key, m, mlen, sig) == 0);
	CHECK(bundle_seal(b, sig, sizeof(sig), msha) == 0);
	CHECK(bundle_close(b, tsha, &total) == 0);
	CHECK(total > 0 && total % 512 == 0);
	bundle_free(b);
	return 0;
}

static int verify_fd(int fd, const char *fpr, struct capbuf *rep)
{
	struct verify_result res;
	lseek(fd, 0, SEEK_SET);
	capbuf_reset(rep);
	int r = verify_bundle(fd, NULL, 0, fpr, &res, rep);
	verify_result_free(&res);
	return r;
}

int main(void)
{
	EVP_PKEY *key = NULL;
	struct capbuf rep;
	char fpr[FINGERPRINT_LEN];

	CHECK(crypto_init() == 0);
	jsonx_init();
	CHECK(key_generate(&key) == 0);
	CHECK(key_fingerprint(key, fpr) == 0);
	capbuf_init(&rep, 1 << 20);

	int fd = memfd_create("bundle", MFD_CLOEXEC);
	CHECK(fd >= 0);
	write_sample(fd, key);
	CHECK(verify_fd(fd, NULL, &rep) == 0);
	CHECK(verify_fd(fd, fpr, &rep) == 0);
	CHECK(verify_fd(fd, "sha256:0000000000000000000000000000000000000000000000000000000000000000", &rep) == 1);

	/* flip one byte of a member's data: find "one\n" in the tar */
	off_t size = lseek(fd, 0, SEEK_END);
	char *img = malloc((size_t)size);
	CHECK(pread(fd, img, (size_t)size, 0) == size);
	char *hit = memmem(img, (size_t)size, "one\n", 4);
	CHECK(hit != NULL);
	if (hit) {
		hit[0] = 'O';
		int fd2 = memfd_create("bad", MFD_CLOEXEC);
		CHECK(write(fd2, img, (size_t)size) == size);
		CHECK(verify_fd(fd2, NULL, &rep) == 1);
		CHECK(rep.buf && strstr(rep.buf, "'a/one.txt': SHA-256 does not match"));
		close(fd2);
	}
	free(img);
	close(fd);

	/* an output that fails: every later call returns the same error */
	int full = open("/dev/full", O_WRONLY | O_CLOEXEC);
	if (full >= 0) {
		struct bundle *b = NULL;
		char tsha[SHA256_HEX_LEN];
		int r = bundle_open(&b, full, "/dev/full", "irsnap-x-20260101T000000Z", 0);
		if (r == 0) {
			/* more than one output block (1000 KiB): the write reaches the
			 * fd, on the helper thread (hashthread.h): the error shows in a
			 * later call, at the latest when the bundle is closed */
			static char big[2100000];
			r = bundle_add_bytes(b, "big", big, sizeof(big), NULL);
			CHECK(r == 0 || r == -ENOSPC);
			CHECK(bundle_close(b, tsha, NULL) == -ENOSPC);
			CHECK(bundle_add_bytes(b, "small", "x", 1, NULL) == -ENOSPC);
			CHECK(strstr(bundle_error(b), "cannot write '/dev/full': No space left") != NULL);
			bundle_free(b);
		} else {
			CHECK(r == -ENOSPC);
		}
		close(full);
	}
	capbuf_release(&rep);
	key_free(key);
	return tap_done("bundle");
}
