/* sha256.c - SHA-256 of memory and of an fd (sha256.h), OpenSSL EVP. */
#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
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

int sha256_fd(int fd, uint64_t cap, char ret[SHA256_HEX_LEN], uint64_t *ret_bytes)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char md[EVP_MAX_MD_SIZE], *buf = malloc(1u << 16);
	unsigned mdlen = 0;
	uint64_t done = 0;
	int r = 0;

	if (!ctx || !buf || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
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
	if (EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || mdlen != 32) {
		r = -EIO;
		goto out;
	}
	hex_encode(ret, md, 32);
	if (ret_bytes)
		*ret_bytes = done;
out:
	EVP_MD_CTX_free(ctx);
	free(buf);
	return r;
}
