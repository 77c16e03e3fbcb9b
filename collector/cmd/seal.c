/*
 * seal.c - the end of `irsnap collect`: the framework members (index,
 * work log, run.json, the signer's key), the manifest signed, the bundle
 * sealed (DESIGN §4).
 */
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>

#include "bundle.h"
#include "commands.h"
#include "jsonx.h"
#include "run.h"
#include "run_json.h"
#include "sign.h"
#include "banned.h"

static int index_sink(void *ctx, const void *p, size_t n)
{
	return bundle_write(ctx, p, n);
}

int collect_seal(struct run *r, EVP_PKEY *key, struct run_identity *ident,
		char manifest_sha[SHA256_HEX_LEN])
{
	struct capbuf buf;
	unsigned char sig[ED25519_SIG_LEN];
	int ret;

	run_log(r, "collection finished: %u artifacts, %u failed, %u truncated%s",
		r->artifacts, r->failed, r->truncated,
		r->interrupted ? " (interrupted)" : r->budget_spent ? " (time budget spent)" : "");
	/* index.jsonl: replayed from its compressed buffer, size known up front */
	uint64_t raw = r->index.raw_len;
	ret = bundle_begin(r->bundle, "index.jsonl", raw);
	if (ret == 0)
		ret = zbuf_replay(&r->index, index_sink, r->bundle);
	int ret2 = ret == -EBADF ? ret : bundle_end(r->bundle, NULL, NULL);
	if (ret == 0)
		ret = ret2;
	if (ret < 0)
		return ret;
	clocks_read(&r->end);
	run_log(r, "sealing: run.json, signer.pub.pem, MANIFEST.sha256, MANIFEST.sha256.sig");
	ret = bundle_add_bytes(r->bundle, "acquisition.log",
			       r->worklog.buf ? r->worklog.buf : "", r->worklog.len, NULL);
	if (ret < 0)
		return ret;

	capbuf_init(&buf, 1u << 20);
	json_t *rj = run_json(r, ident);
	ret = rj ? json_append_pretty(&buf, rj) : -ENOMEM;
	json_decref(rj);
	if (ret == 0)
		ret = bundle_add_bytes(r->bundle, "run.json", buf.buf, buf.len, NULL);
	capbuf_reset(&buf);
	if (ret == 0)
		ret = key_public_pem(key, &buf);
	if (ret == 0)
		ret = bundle_add_bytes(r->bundle, "signer.pub.pem", buf.buf, buf.len, NULL);
	capbuf_release(&buf);
	if (ret < 0)
		return ret;

	size_t mlen;
	const char *m = bundle_manifest(r->bundle, &mlen);
	ret = key_sign(key, m, mlen, sig);
	if (ret == 0)
		ret = bundle_seal(r->bundle, sig, sizeof(sig), manifest_sha);
	return ret;
}

