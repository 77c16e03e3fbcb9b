/* sha256.c - SHA-256 of memory and of an fd (sha256.h), OpenSSL EVP. */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sha256.h"
#include "textutil.h"
#include "banned.h"

int sha256_hex(const void *data, size_t len, char ret[SHA256_HEX_LEN])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;

	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32)
		return -EIO;
	hex_encode(ret, md, 32);
	return 0;
}

/* A digest (of `len` bytes) of what fd yields, at most cap bytes, as hex. */
static int digest_fd(const EVP_MD *alg, unsigned len, int fd, uint64_t cap, char *ret,
		     uint64_t *ret_bytes)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char md[EVP_MAX_MD_SIZE], *buf = malloc(1u << 16);
	unsigned mdlen = 0;
	uint64_t done = 0;
	int r = 0;

	if (!ctx || !buf || EVP_DigestInit_ex(ctx, alg, NULL) != 1) {
		r = -ENOMEM;
		goto out;
	}
	for (;;) {
		size_t want = 1u << 16;
		if (cap - done < want)
			want = (size_t)(cap - done);
		if (want == 0) {
			char probe;
			ssize_t n = read(fd, &probe, 1);
			if (n > 0)
				r = -E2BIG;
			break;
		}
		ssize_t n = read(fd, buf, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			goto out;
		}
		if (n == 0)
			break;
		if (EVP_DigestUpdate(ctx, buf, (size_t)n) != 1) {
			r = -EIO;
			goto out;
		}
		done += (uint64_t)n;
	}
	if (EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || mdlen != len) {
		r = -EIO;
		goto out;
	}
	hex_encode(ret, md, len);
	if (ret_bytes)
		*ret_bytes = done;
out:
	EVP_MD_CTX_free(ctx);
	free(buf);
	return r;
}

int sha256_fd(int fd, uint64_t cap, char ret[SHA256_HEX_LEN], uint64_t *ret_bytes)
{
	return digest_fd(EVP_sha256(), 32, fd, cap, ret, ret_bytes);
}

int md5_fd(int fd, uint64_t cap, char ret[MD5_HEX_LEN], uint64_t *ret_bytes)
{
	return digest_fd(EVP_md5(), 16, fd, cap, ret, ret_bytes);
}

int digest_named_fd(const char *name, int fd, uint64_t cap, char ret[DIGEST_HEX_MAX],
		    uint64_t *ret_bytes)
{
	static const struct { const char *name; const EVP_MD *(*md)(void); unsigned len; } algs[] = {
		{ "MD5", EVP_md5, 16 }, { "SHA1", EVP_sha1, 20 }, { "SHA224", EVP_sha224, 28 },
		{ "SHA256", EVP_sha256, 32 }, { "SHA384", EVP_sha384, 48 },
		{ "SHA512", EVP_sha512, 64 },
	};
	ret[0] = '\0';
	for (size_t i = 0; name && i < sizeof(algs) / sizeof(algs[0]); i++)
		if (strcmp(name, algs[i].name) == 0)
			return digest_fd(algs[i].md(), algs[i].len, fd, cap, ret, ret_bytes);
	return -EINVAL;
}

struct sha256_run *sha256_run_new(void)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	if (ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(ctx);
		ctx = NULL;
	}
	return (struct sha256_run *)ctx;
}

int sha256_run_update(struct sha256_run *h, const void *data, size_t len)
{
	return h && EVP_DigestUpdate((EVP_MD_CTX *)h, data, len) == 1 ? 0 : -EIO;
}

int sha256_run_final(struct sha256_run *h, char ret[SHA256_HEX_LEN])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	int r = -EIO;

	ret[0] = '\0';
	if (h && EVP_DigestFinal_ex((EVP_MD_CTX *)h, md, &mdlen) == 1 && mdlen == 32) {
		hex_encode(ret, md, 32);
		r = 0;
	}
	EVP_MD_CTX_free((EVP_MD_CTX *)h);
	return r;
}

void sha256_self(char out[SHA256_HEX_LEN])
{
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);

	if (fd < 0 || sha256_fd(fd, UINT64_MAX, out, NULL) < 0)
		out[0] = '\0';
	if (fd >= 0)
		close(fd);
}
