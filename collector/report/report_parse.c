/*
 * report_parse.c - the persistence files' lines as the report shows them
 * (report_int.h): crontab entries (crontab(5)), authorized_keys entries
 * (sshd(8) AUTHORIZED_KEYS FILE FORMAT) with the key's SHA256 fingerprint
 * as ssh-keygen -l prints it, and a unit file's keys. The bytes are the
 * host's: every field is cut to its buffer, nothing is trusted to end.
 */
#include <ctype.h>
#include <string.h>

#include "report_int.h"
#include "sha256.h"
#include "textutil.h"
#include "banned.h"

static size_t skip_space(const char *s, size_t n, size_t i)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i;
}

static size_t token_end(const char *s, size_t n, size_t i)
{
	while (i < n && s[i] != ' ' && s[i] != '\t')
		i++;
	return i;
}

static void cut(char *out, size_t size, const char *s, size_t n)
{
	if (n >= size)
		n = size - 1;
	memcpy(out, s, n);
	out[n] = '\0';
}

static size_t rtrim(const char *s, size_t n)
{
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	return n;
}

bool parse_cron_line(const char *s, size_t n, bool system, struct cron_entry *ret)
{
	size_t i = skip_space(s, n, 0), e;
	n = rtrim(s, n);
	if (i >= n || s[i] == '#')
		return false;
	e = token_end(s, n, i);
	if (memchr(s + i, '=', e - i) && s[i] != '@' && !isdigit((unsigned char)s[i]) &&
	    s[i] != '*')
		return false;   /* NAME=value: an environment setting */
	size_t sched = i;
	int fields = s[i] == '@' ? 1 : 5;   /* @reboot, @daily, ...: one */
	for (int f = 0; f < fields; f++) {
		i = skip_space(s, n, i);
		if (i >= n)
			return false;
		i = token_end(s, n, i);
	}
	cut(ret->sched, sizeof(ret->sched), s + sched, i - sched);
	i = skip_space(s, n, i);
	ret->user[0] = '\0';
	if (system) {
		e = token_end(s, n, i);
		cut(ret->user, sizeof(ret->user), s + i, e - i);
		i = skip_space(s, n, e);
	}
	if (i >= n)
		return false;
	cut(ret->cmd, sizeof(ret->cmd), s + i, n - i);
	return true;
}

static bool key_type(const char *s, size_t n)
{
	static const char *const types[] = { "ssh-rsa", "ssh-dss", "ssh-ed25519", "ssh-ed448",
		"ecdsa-sha2-", "sk-ecdsa-sha2-", "sk-ssh-ed25519", "rsa-sha2-", NULL };
	for (const char *const *t = types; *t; t++) {
		size_t l = strlen(*t);
		if (n >= l && memcmp(s, *t, l) == 0)
			return true;
	}
	return false;
}

/* SHA256:base64-without-padding of the key blob, as ssh-keygen -l shows. */
static void fingerprint(const char *b64, size_t n, char out[64])
{
	unsigned char blob[16384];
	char hex[SHA256_HEX_LEN], enc[48];
	unsigned char raw[32];
	long len = base64_decode(blob, sizeof(blob), b64, n);
	if (len <= 0 || sha256_hex(blob, (size_t)len, hex) < 0) {
		snprintf(out, 64, "(not base64)");
		return;
	}
	for (int i = 0; i < 32; i++)
		raw[i] = (unsigned char)(hex_digit(hex[2 * i]) << 4 | hex_digit(hex[2 * i + 1]));
	base64_encode(enc, raw, sizeof(raw));
	char *eq = strchr(enc, '=');
	if (eq)
		*eq = '\0';
	snprintf(out, 64, "SHA256:%s", enc);
}

bool parse_key_line(const char *s, size_t n, struct key_entry *ret)
{
	size_t i = skip_space(s, n, 0), e;
	n = rtrim(s, n);
	if (i >= n || s[i] == '#')
		return false;
	ret->options[0] = '\0';
	if (!key_type(s + i, n - i)) {   /* options first: up to a blank outside quotes */
		bool q = false;
		for (e = i; e < n && (q || (s[e] != ' ' && s[e] != '\t')); e++)
			if (s[e] == '"' && (e == i || s[e - 1] != '\\'))
				q = !q;
		cut(ret->options, sizeof(ret->options), s + i, e - i);
		i = skip_space(s, n, e);
	}
	e = token_end(s, n, i);
	if (i >= n || !key_type(s + i, e - i))
		return false;
	cut(ret->type, sizeof(ret->type), s + i, e - i);
	i = skip_space(s, n, e);
	e = token_end(s, n, i);
	if (i >= n)
		return false;
	fingerprint(s + i, e - i, ret->fpr);
	i = skip_space(s, n, e);
	cut(ret->comment, sizeof(ret->comment), s + i, n > i ? n - i : 0);
	return true;
}

bool parse_unit_line(const char *s, size_t n, char key[64], char *val, size_t vlen)
{
	static const char *const keys[] = { "Description", "ExecStart", "ExecStartPre",
		"ExecStartPost", "ExecStop", "ExecReload", "User", "Environment",
		"EnvironmentFile", "WantedBy", "RequiredBy", "Alias", "OnCalendar", "OnBootSec",
		"OnActiveSec", "OnUnitActiveSec", "Unit", NULL };
	size_t i = skip_space(s, n, 0);
	n = rtrim(s, n);
	const char *eq = i < n ? memchr(s + i, '=', n - i) : NULL;
	if (!eq || s[i] == '#' || s[i] == ';' || s[i] == '[')
		return false;
	size_t kl = rtrim(s + i, (size_t)(eq - s) - i);
	for (const char *const *k = keys; *k; k++) {
		if (strlen(*k) != kl || memcmp(*k, s + i, kl) != 0)
			continue;
		cut(key, 64, s + i, kl);
		size_t v = skip_space(s, n, (size_t)(eq - s) + 1);
		cut(val, vlen, s + v, n > v ? n - v : 0);
		return true;
	}
	return false;
}
