/* digests.c - MD5 and SHA-1 of a stream (digests.h). */
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "digests.h"
#include "banned.h"

struct digests {
	EVP_MD_CTX *md5, *sha1;
	bool failed;   /* an update failed: no digest is claimed */
};

struct digests *digests_new(void)
{
	struct digests *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->md5 = EVP_MD_CTX_new();
	d->sha1 = EVP_MD_CTX_new();
	if (!d->md5 || !d->sha1 || !EVP_DigestInit_ex(d->md5, EVP_md5(), NULL) ||
	    !EVP_DigestInit_ex(d->sha1, EVP_sha1(), NULL)) {
		digests_free(d);
		return NULL;
	}
	return d;
}

void digests_update(struct digests *d, const void *data, size_t len)
{
	if (!EVP_DigestUpdate(d->md5, data, len) || !EVP_DigestUpdate(d->sha1, data, len))
		d->failed = true;
}

static void hex(EVP_MD_CTX *c, char *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned n = 0;
	if (!EVP_DigestFinal_ex(c, md, &n))
		n = 0;   /* "": no digest */
	for (unsigned i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	out[2 * n] = '\0';
}

void digests_final(struct digests *d, char md5[33], char sha1[41])
{
	hex(d->md5, md5);
	hex(d->sha1, sha1);
	if (d->failed)
		md5[0] = sha1[0] = '\0';
}

void digests_free(struct digests *d)
{
	if (!d)
		return;
	EVP_MD_CTX_free(d->md5);
	EVP_MD_CTX_free(d->sha1);
	free(d);
}
