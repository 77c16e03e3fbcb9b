/*
 * age_keys.c - age's bech32 keys (agecrypt.h): "age1…" recipients and
 * "AGE-SECRET-KEY-1…" identities, BIP-173 bech32 (not bech32m), checked
 * by their checksum, 32 bytes each.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "agecrypt.h"
#include "banned.h"

static const char charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

static uint32_t polymod(const unsigned char *v, size_t n)
{
	static const uint32_t gen[5] = { 0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3 };
	uint32_t chk = 1;
	for (size_t i = 0; i < n; i++) {
		uint32_t b = chk >> 25;
		chk = (chk & 0x1ffffff) << 5 ^ v[i];
		for (int k = 0; k < 5; k++)
			if ((b >> k) & 1)
				chk ^= gen[k];
	}
	return chk;
}

/* s = hrp "1" data: the 32 bytes it carries, when hrp matches. */
static int bech32_key(const char *s, const char *hrp, unsigned char out[AGE_KEY_LEN])
{
	size_t len = strlen(s), hl = strlen(hrp);
	unsigned char v[256];
	size_t nv = 0;
	bool upper = false, lower = false;

	if (len < hl + 8 || len > 200 || s[hl] != '1')
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		upper |= isupper((unsigned char)s[i]) != 0;
		lower |= islower((unsigned char)s[i]) != 0;
	}
	if (upper && lower)
		return -EINVAL;   /* bech32 is one case or the other */
	for (size_t i = 0; i < hl; i++)
		if (tolower((unsigned char)s[i]) != tolower((unsigned char)hrp[i]))
			return -EINVAL;
	for (size_t i = 0; i < hl; i++)
		v[nv++] = (unsigned char)tolower((unsigned char)hrp[i]) >> 5;
	v[nv++] = 0;
	for (size_t i = 0; i < hl; i++)
		v[nv++] = (unsigned char)tolower((unsigned char)hrp[i]) & 31;
	size_t data0 = nv;
	for (size_t i = hl + 1; i < len; i++) {
		const char *c = strchr(charset, tolower((unsigned char)s[i]));
		if (!c || !*c)
			return -EINVAL;
		v[nv++] = (unsigned char)(c - charset);
	}
	if (polymod(v, nv) != 1)
		return -EINVAL;
	/* 5-bit groups to bytes, the checksum's six left out */
	uint32_t acc = 0;
	int bits = 0;
	size_t o = 0;
	for (size_t i = data0; i < nv - 6; i++) {
		acc = acc << 5 | v[i];
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			if (o == AGE_KEY_LEN)
				return -EINVAL;
			out[o++] = (unsigned char)(acc >> bits);
		}
	}
	if (o != AGE_KEY_LEN || bits >= 5 || (acc & ((1u << bits) - 1)))
		return -EINVAL;
	return 0;
}

int age_parse_recipient(const char *s, unsigned char pk[AGE_KEY_LEN])
{
	return bech32_key(s, "age", pk);
}

int age_parse_identity(const char *s, unsigned char sk[AGE_KEY_LEN])
{
	return bech32_key(s, "AGE-SECRET-KEY-", sk);
}
