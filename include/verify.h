/*
 * verify.h - check a bundle without extracting it (DESIGN §4).
 *
 * verify_bundle() reads the tar once, in order, with the strict reader of
 * irsnap's tar subset (tarread.h: exactly the headers, names, padding and
 * end collect writes, or the first break named), hashing every regular
 * member and the whole input, and then checks every manifest line against
 * a member and its SHA-256, every member against the manifest, the place
 * of MANIFEST.sha256 (second to last) and of its signature (last), the
 * members' tar mtime against run.json, and the Ed25519 signature.
 *
 * The signature is checked with `pubkey` when given (PEM), else with the
 * bundle's signer.pub.pem; when `fingerprint` is given it must match the key
 * used (hex digits in either case). Findings are appended to `report` as
 * lines "FAIL: ..." with names escaped, so the report is safe on a
 * terminal. Returns the number of failures, -EINVAL when the input is not a
 * tar at all, or -errno when it cannot be read; res->bundle_sha256 and
 * res->bundle_bytes are those of every byte read, in every case.
 */
#ifndef IRSNAP_VERIFY_H
#define IRSNAP_VERIFY_H

#include <stddef.h>

#include "capbuf.h"
#include "sign.h"

struct verify_result {
	char id[256];
	char bundle_sha256[65];    /* of the whole input, as read */
	unsigned long long bundle_bytes;
	unsigned members, dirs;
	char fingerprint[FINGERPRINT_LEN];
	int signature_ok;          /* 1 valid, 0 invalid or not checked */
	int key_pinned;            /* --pubkey or --fingerprint was given */
	char *run_json;            /* malloc'ed copy, for the summary */
	size_t run_json_len;
};

int verify_bundle(int fd, const char *pubkey_pem, size_t pubkey_len,
		  const char *fingerprint, struct verify_result *res,
		  struct capbuf *report);

/* A reader of the members' bytes as verify reads them (export, report):
 * what it is handed is exactly what is verified, in one pass, so nothing
 * can change between the check and the read. `rel` is the name inside
 * the top folder; a callback returning < 0 stops the reading. */
struct verify_tap {
	int (*member)(void *ctx, const char *top, const char *rel);   /* top: the bundle id */
	int (*data)(void *ctx, const void *buf, size_t n);
	int (*member_end)(void *ctx, const char *rel);
	void *ctx;
};
int verify_bundle_tapped(int fd, const char *pubkey_pem, size_t pubkey_len,
			 const char *fingerprint, struct verify_result *res,
			 struct capbuf *report, const struct verify_tap *tap);
void verify_result_free(struct verify_result *res);

#endif
