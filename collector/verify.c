/* verify.c - reading a bundle back and checking it (verify.h). */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "strset.h"
#include "textutil.h"
#include "verify.h"
#include "banned.h"

#define MANIFEST_CAP (256u << 20)
#define SIG_CAP 1024
#define PUB_CAP (64u << 10)
#define RUNJSON_CAP (16u << 20)

struct member {
	char *name;                 /* relative to the top folder */
	char sha[SHA256_HEX_LEN];
	bool listed;
};

struct vstate {
	struct member *m;
	size_t n, alloc;
	struct strset seen;
	struct capbuf manifest, sig, pub, runjson;
	char top[256];
	int fails;
	struct capbuf *report;
	char last[2][64];           /* names of the last two regular members */
};

static void fail(struct vstate *v, const char *what, const char *name, size_t nlen)
{
	v->fails++;
	capbuf_addstr(v->report, "FAIL: ");
	if (name) {
		capbuf_add(v->report, "'", 1);
		text_escape(v->report, name, nlen);
		capbuf_addstr(v->report, "': ");
	}
	capbuf_addstr(v->report, what);
	capbuf_add(v->report, "\n", 1);
}

static bool has_member(const struct vstate *v, const char *rel)
{
	for (size_t i = 0; i < v->n; i++)
		if (strcmp(v->m[i].name, rel) == 0)
			return true;
	return false;
}

static int member_cmp(const void *a, const void *b)
{
	return strcmp(((const struct member *)a)->name, ((const struct member *)b)->name);
}

/* Split "<top>/<rest>", checking the top folder is the same for all. */
static const char *split_top(struct vstate *v, const char *name, bool dir)
{
	const char *slash = strchr(name, '/');
	size_t tlen = slash ? (size_t)(slash - name) : strlen(name);

	if (tlen == 0 || tlen >= sizeof(v->top) || strncmp(name, "irsnap-", 7) != 0)
		return NULL;
	if (!v->top[0]) {
		memcpy(v->top, name, tlen);
		v->top[tlen] = '\0';
	} else if (strlen(v->top) != tlen || strncmp(v->top, name, tlen) != 0) {
		return NULL;
	}
	if (!slash)
		return dir ? "" : NULL;
	return slash + 1;
}

static struct capbuf *keep_buffer(struct vstate *v, const char *rel)
{
	if (strcmp(rel, "MANIFEST.sha256") == 0)
		return &v->manifest;
	if (strcmp(rel, "MANIFEST.sha256.sig") == 0)
		return &v->sig;
	if (strcmp(rel, "signer.pub.pem") == 0)
		return &v->pub;
	if (strcmp(rel, "run.json") == 0)
		return &v->runjson;
	return NULL;
}

static int hash_member(struct vstate *v, struct archive *a, const char *rel,
		       char sha[SHA256_HEX_LEN])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	struct capbuf *keep = keep_buffer(v, rel);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	const void *buf;
	size_t len;
	la_int64_t off;
	int r;

	if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(ctx);
		return -ENOMEM;
	}
	while ((r = archive_read_data_block(a, &buf, &len, &off)) == ARCHIVE_OK) {
		if (EVP_DigestUpdate(ctx, buf, len) != 1) {
			r = ARCHIVE_FATAL;
			break;
		}
		if (keep)
			capbuf_add(keep, buf, len);
	}
	if (r != ARCHIVE_EOF) {
		EVP_MD_CTX_free(ctx);
		return -EIO;
	}
	int ok = EVP_DigestFinal_ex(ctx, md, &mdlen) == 1 && mdlen == 32;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return -EIO;
	hex_encode(sha, md, 32);
	return 0;
}

static int add_member(struct vstate *v, const char *rel, const char *sha)
{
	if (v->n == v->alloc) {
		size_t na = v->alloc ? v->alloc * 2 : 64;
		struct member *m = reallocarray(v->m, na, sizeof(*m));
		if (!m)
			return -ENOMEM;
		v->m = m;
		v->alloc = na;
	}
	v->m[v->n].name = strdup(rel);
	if (!v->m[v->n].name)
		return -ENOMEM;
	memcpy(v->m[v->n].sha, sha, SHA256_HEX_LEN);
	v->m[v->n].listed = false;
	v->n++;
	return 0;
}

/* One tar entry: name and type rules, duplicates, hashing. */
static int read_entry(struct vstate *v, struct archive *a, struct archive_entry *e,
		      struct verify_result *res)
{
	const char *name = archive_entry_pathname(e);
	mode_t type = archive_entry_filetype(e);
	bool dir = type == AE_IFDIR;

	if (!name) {
		fail(v, "member without a name", NULL, 0);
		return 0;
	}
	size_t nlen = strlen(name);
	if (strset_add(&v->seen, name) == 0)
		fail(v, "duplicate member", name, nlen);
	if (type != AE_IFREG && !dir) {
		fail(v, "member is not a regular file or directory (unsafe)", name, nlen);
		return 0;
	}
	if (archive_entry_hardlink(e) || archive_entry_symlink(e)) {
		fail(v, "member is a link (unsafe)", name, nlen);
		return 0;
	}
	const char *rel = split_top(v, name, dir);
	char check[1024];
	snprintf(check, sizeof(check), "%s", name);
	if (dir && nlen > 1 && check[strlen(check) - 1] == '/')
		check[strlen(check) - 1] = '\0';
	if (!rel || !member_name_safe(check)) {
		fail(v, "unsafe member name (outside the bundle folder, or bytes outside "
		     "[A-Za-z0-9._/%-])", name, nlen);
		return 0;
	}
	if (dir) {
		res->dirs++;
		return 0;
	}
	char sha[SHA256_HEX_LEN];
	int r = hash_member(v, a, rel, sha);
	if (r < 0) {
		fail(v, "cannot read member data (truncated bundle?)", name, nlen);
		return r;
	}
	res->members++;
	snprintf(v->last[0], sizeof(v->last[0]), "%s", v->last[1]);
	snprintf(v->last[1], sizeof(v->last[1]), "%s", rel);
	return add_member(v, rel, sha);
}

/* Manifest lines: "<64 lowercase hex>  <name>\n", as sha256sum(1) writes. */
static void check_manifest(struct vstate *v)
{
	const char *p = v->manifest.buf, *end = p + v->manifest.len;
	struct strset listed = { 0 };

	if (v->n)
		qsort(v->m, v->n, sizeof(*v->m), member_cmp);
	while (p && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char name[4096];
		bool ok = nl && len > 66 && len - 66 < sizeof(name) && p[64] == ' ' &&
			  p[65] == ' ';
		for (int i = 0; ok && i < 64; i++)
			ok = (p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f');
		if (!ok) {
			fail(v, "malformed manifest line", p, len);
		} else {
			memcpy(name, p + 66, len - 66);
			name[len - 66] = '\0';
			struct member key = { .name = name };
			struct member *m = v->n ? bsearch(&key, v->m, v->n, sizeof(*v->m),
							   member_cmp) : NULL;
			if (strset_add(&listed, name) == 0)
				fail(v, "listed twice in the manifest", name, strlen(name));
			if (!m)
				fail(v, "listed in the manifest but missing from the bundle", name,
				     strlen(name));
			else if (memcmp(m->sha, p, 64) != 0)
				fail(v, "SHA-256 does not match the manifest (modified)", name,
				     strlen(name));
			if (m)
				m->listed = true;
		}
		p = nl ? nl + 1 : end;
	}
	strset_free(&listed);
	for (size_t i = 0; i < v->n; i++) {
		const char *n = v->m[i].name;
		if (!v->m[i].listed && strcmp(n, "MANIFEST.sha256") != 0 &&
		    strcmp(n, "MANIFEST.sha256.sig") != 0)
			fail(v, "member is not in the manifest (added after sealing)", n,
			     strlen(n));
	}
}

static void check_signature(struct vstate *v, const char *pubkey_pem, size_t pubkey_len,
			    const char *fingerprint, struct verify_result *res)
{
	EVP_PKEY *key = NULL;
	const char *pem = pubkey_pem ? pubkey_pem : v->pub.buf;
	size_t plen = pubkey_pem ? pubkey_len : v->pub.len;

	res->key_pinned = pubkey_pem || fingerprint;
	if (!pem || key_load_public(pem, plen, &key) < 0) {
		fail(v, pubkey_pem ? "the --pubkey file is not an Ed25519 public key" :
		     "signer.pub.pem is missing or not an Ed25519 public key", NULL, 0);
		return;
	}
	if (key_fingerprint(key, res->fingerprint) < 0)
		res->fingerprint[0] = '\0';
	if (fingerprint && strcmp(fingerprint, res->fingerprint) != 0)
		fail(v, "the signer's fingerprint is not the one expected (--fingerprint)",
		     NULL, 0);
	if (!v->sig.buf || v->sig.len != ED25519_SIG_LEN)
		fail(v, "MANIFEST.sha256.sig is missing or not a 64-byte Ed25519 signature",
		     NULL, 0);
	else if (key_verify(key, v->manifest.buf ? v->manifest.buf : "", v->manifest.len,
			    (const unsigned char *)v->sig.buf, v->sig.len) != 0)
		fail(v, "the signature over MANIFEST.sha256 does not verify with this key",
		     NULL, 0);
	else
		res->signature_ok = 1;
	key_free(key);
}

int verify_bundle(int fd, const char *pubkey_pem, size_t pubkey_len,
		  const char *fingerprint, struct verify_result *res,
		  struct capbuf *report)
{
	struct vstate v = { .report = report };
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	int r = 0;

	memset(res, 0, sizeof(*res));
	capbuf_init(&v.manifest, MANIFEST_CAP);
	capbuf_init(&v.sig, SIG_CAP);
	capbuf_init(&v.pub, PUB_CAP);
	capbuf_init(&v.runjson, RUNJSON_CAP);
	if (!a)
		return -ENOMEM;
	archive_read_support_format_tar(a);
	if (archive_read_open_fd(a, fd, 65536) != ARCHIVE_OK) {
		r = -EIO;
		goto out;
	}
	for (;;) {
		int h = archive_read_next_header(a, &e);
		if (h == ARCHIVE_EOF)
			break;
		if (h < ARCHIVE_WARN) {
			if (v.n == 0 && res->dirs == 0) {
				r = -EINVAL;   /* not a tar at all */
				goto out;
			}
			fail(&v, "the tar stream is damaged or truncated here", NULL, 0);
			break;
		}
		if (read_entry(&v, a, e, res) < 0 && v.fails > 1000)
			break;
	}
	snprintf(res->id, sizeof(res->id), "%s", v.top);
	if (v.manifest.truncated || v.sig.truncated || v.pub.truncated)
		fail(&v, "a sealing member is larger than any bundle writes", NULL, 0);
	if (!has_member(&v, "MANIFEST.sha256"))
		fail(&v, "MANIFEST.sha256 is missing", NULL, 0);
	if (strcmp(v.last[1], "MANIFEST.sha256.sig") != 0 ||
	    strcmp(v.last[0], "MANIFEST.sha256") != 0)
		fail(&v, "MANIFEST.sha256 and its signature are not the last two members", NULL, 0);
	check_manifest(&v);
	check_signature(&v, pubkey_pem, pubkey_len, fingerprint, res);
	if (v.runjson.buf && !v.runjson.truncated) {
		res->run_json = capbuf_detach(&v.runjson, &res->run_json_len);
	}
	r = v.fails;
out:
	archive_read_free(a);
	for (size_t i = 0; i < v.n; i++)
		free(v.m[i].name);
	free(v.m);
	strset_free(&v.seen);
	capbuf_release(&v.manifest);
	capbuf_release(&v.sig);
	capbuf_release(&v.pub);
	capbuf_release(&v.runjson);
	return r;
}

void verify_result_free(struct verify_result *res)
{
	free(res->run_json);
	res->run_json = NULL;
}
