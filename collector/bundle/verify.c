/* verify.c - reading a bundle back and checking it (verify.h). */
#include <errno.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bundle.h"
#include "strset.h"
#include "tarread.h"
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
	struct capbuf manifest, sig, pub, runjson;
	char top[256];
	int fails;
	struct capbuf *report;
	char last[2][64];           /* names of the last two regular members */
	bool sealed;                /* the signature member has been read */
	EVP_MD_CTX *md;             /* the member being read */
	struct capbuf *keep;        /* where its bytes are kept, if anywhere */
	const char *rel;            /* its name inside the top folder */
	int err;                    /* -errno of a failed hash */
	const struct verify_tap *tap;   /* a reader of the members, or NULL */
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

/* tarread callbacks: the names and types are tarread's (the subset); here
 * each regular member is hashed and the sealing members kept. */
static void on_fail(void *ctx, const char *rule, const char *name, size_t nlen)
{
	fail(ctx, rule, name, nlen);
}

static int on_member(void *ctx, const struct tar_member *m)
{
	struct vstate *v = ctx;
	const char *slash = strchr(m->name, '/');

	if (!v->top[0]) {   /* the first member is the top folder (tarread) */
		size_t tlen = slash ? (size_t)(slash - m->name) : m->name_len;
		if (tlen < sizeof(v->top))
			memcpy(v->top, m->name, tlen);
	}
	if (m->dir)
		return 0;
	v->rel = slash ? slash + 1 : m->name;
	if (v->sealed)
		fail(v, "a member after the signature (collect writes the signature last)",
		     v->rel, strlen(v->rel));
	v->keep = keep_buffer(v, v->rel);
	if (EVP_DigestInit_ex(v->md, EVP_sha256(), NULL) != 1)
		return -ENOMEM;
	return v->tap && v->tap->member ? v->tap->member(v->tap->ctx, v->top, v->rel) : 0;
}

static int on_data(void *ctx, const void *buf, size_t n)
{
	struct vstate *v = ctx;

	if (EVP_DigestUpdate(v->md, buf, n) != 1)
		return -EIO;
	if (v->keep)
		capbuf_add(v->keep, buf, n);
	return v->tap && v->tap->data ? v->tap->data(v->tap->ctx, buf, n) : 0;
}

static int on_member_end(void *ctx, const struct tar_member *m)
{
	struct vstate *v = ctx;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	char sha[SHA256_HEX_LEN];

	(void)m;
	if (EVP_DigestFinal_ex(v->md, md, &mdlen) != 1 || mdlen != 32)
		return -EIO;
	hex_encode(sha, md, 32);
	snprintf(v->last[0], sizeof(v->last[0]), "%s", v->last[1]);
	if (snprintf(v->last[1], sizeof(v->last[1]), "%s", v->rel) >= (int)sizeof(v->last[1]))
		v->last[1][0] = '\0';   /* a long name is no sealing member */
	if (strcmp(v->rel, "MANIFEST.sha256.sig") == 0)
		v->sealed = true;
	int r = add_member(v, v->rel, sha);
	if (r == 0 && v->tap && v->tap->member_end)
		r = v->tap->member_end(v->tap->ctx, v->rel);
	return r;
}

/* Manifest lines: "<64 lowercase hex>  <name>\n", as sha256sum(1) writes. */
/* collect lists every member in the manifest in the order it writes them:
 * the members but the two sealing ones, in tar order, are the manifest's
 * names in order. (Only the first difference is named: the checks below
 * say which member is missing or added.) */
static void check_order(struct vstate *v)
{
	const char *p = v->manifest.buf, *end = p ? p + v->manifest.len : NULL;

	for (size_t i = 0; i + 2 <= v->n && p && p < end; i++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *name = v->m[i].name;
		if (len < 66 || strlen(name) != len - 66 || memcmp(p + 66, name, len - 66) != 0) {
			fail(v, "the members are not in the order of the manifest (collect "
			     "writes them in that order)", name, strlen(name));
			return;
		}
		p = nl ? nl + 1 : end;
	}
}

static void check_manifest(struct vstate *v)
{
	const char *p = v->manifest.buf, *end = p ? p + v->manifest.len : NULL;
	struct strset listed = { 0 };

	check_order(v);
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
	if (fingerprint && strcasecmp(fingerprint, res->fingerprint) != 0)
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

/* The members' tar mtime is the collection's start (bundle_open()): compare
 * it with run.json's started_at, which the manifest signs. */
static void check_mtime(struct vstate *v, int64_t mtime)
{
	json_error_t jerr;
	json_t *o = json_loadb(v->runjson.buf, v->runjson.len, 0, &jerr);
	const char *started = json_string_value(json_object_get(o, "started_at"));
	char want[RFC3339_LEN];

	if (started && mtime >= 0 && fmt_rfc3339_ns(want, mtime, 0) == 0 &&
	    strncmp(started, want, 19) != 0)
		fail(v, "the members' tar mtime is not the start of the collection in "
		     "run.json (headers rewritten)", NULL, 0);
	static const char *const known[] = BUNDLE_FORMATS_READ;
	const char *format = json_string_value(json_object_get(o, "format"));
	bool ok = false;
	for (size_t i = 0; format && i < sizeof(known) / sizeof(known[0]); i++)
		ok |= strcmp(format, known[i]) == 0;
	if (o && !ok)
		fail(v, "run.json names a bundle format this verify does not know", NULL, 0);
	json_decref(o);
}

int verify_bundle(int fd, const char *pubkey_pem, size_t pubkey_len,
		  const char *fingerprint, struct verify_result *res,
		  struct capbuf *report)
{
	return verify_bundle_tapped(fd, pubkey_pem, pubkey_len, fingerprint, res, report, NULL);
}

int verify_bundle_tapped(int fd, const char *pubkey_pem, size_t pubkey_len,
			 const char *fingerprint, struct verify_result *res,
			 struct capbuf *report, const struct verify_tap *tap)
{
	static const struct tarread_ops ops = {
		.member = on_member, .data = on_data, .member_end = on_member_end,
		.fail = on_fail,
	};
	struct vstate v = { .report = report, .tap = tap };
	struct tarread_result tr;
	int r;

	memset(res, 0, sizeof(*res));
	capbuf_init(&v.manifest, MANIFEST_CAP);
	capbuf_init(&v.sig, SIG_CAP);
	capbuf_init(&v.pub, PUB_CAP);
	capbuf_init(&v.runjson, RUNJSON_CAP);
	v.md = EVP_MD_CTX_new();
	if (!v.md)
		return -ENOMEM;
	r = tarread_run(fd, &ops, &v, &tr);
	memcpy(res->bundle_sha256, tr.sha256, sizeof(res->bundle_sha256));
	res->bundle_bytes = tr.bytes;
	res->members = tr.members;
	res->dirs = tr.dirs;
	if (r < 0)
		goto out;
	snprintf(res->id, sizeof(res->id), "%s", v.top);
	if (!tr.subset_ok) {
		/* the members after the break were not read: listing each as
		 * missing would only bury the rule that was broken */
		fail(&v, "the rest of the bundle was not checked: its tar is not the one "
		     "collect writes", NULL, 0);
		r = v.fails;
		goto out;
	}
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
		check_mtime(&v, tr.mtime);
		res->run_json = capbuf_detach(&v.runjson, &res->run_json_len);
	}
	r = v.fails;
out:
	EVP_MD_CTX_free(v.md);
	for (size_t i = 0; i < v.n; i++)
		free(v.m[i].name);
	free(v.m);
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
