/* kmsg.c - a /dev/kmsg record parsed without copying (kmsg.h). */
#include <errno.h>
#include <string.h>

#include "kmsg.h"
#include "textutil.h"
#include "banned.h"

/* A decimal field ending at `end`: its value, or -EINVAL for an empty one,
 * a byte that is no digit, or an overflow. */
static int number(const char *s, const char *end, uint64_t *ret)
{
	uint64_t v = 0;

	if (s == end)
		return -EINVAL;
	for (; s < end; s++) {
		if (*s < '0' || *s > '9' ||
		    __builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, (uint64_t)(*s - '0'), &v))
			return -EINVAL;
	}
	*ret = v;
	return 0;
}

int kmsg_parse(const char *rec, size_t len, struct kmsg_rec *ret)
{
	const char *end = rec + len;
	const char *semi = memchr(rec, ';', len);
	const char *f[4];
	uint64_t pri, seq, usec;
	size_t nf = 0;

	if (!semi)
		return -EINVAL;
	/* the header: at least four comma-separated fields before the ';' */
	f[nf++] = rec;
	for (const char *p = rec; p < semi && nf < 4; p++)
		if (*p == ',')
			f[nf++] = p + 1;
	if (nf < 4)
		return -EINVAL;
	const char *flag_end = memchr(f[3], ',', (size_t)(semi - f[3]));
	if (!flag_end)
		flag_end = semi;
	if (number(f[0], f[1] - 1, &pri) < 0 || number(f[1], f[2] - 1, &seq) < 0 ||
	    number(f[2], f[3] - 1, &usec) < 0 || flag_end - f[3] != 1 || pri > 1023)
		return -EINVAL;
	const char *msg = semi + 1;
	const char *nl = memchr(msg, '\n', (size_t)(end - msg));
	const char *msg_end = nl ? nl : end;
	*ret = (struct kmsg_rec){
		.facility = (unsigned)(pri >> 3), .level = (unsigned)(pri & 7), .seq = seq,
		.usec = usec, .flag = f[3][0], .msg = msg, .msg_len = (size_t)(msg_end - msg),
	};
	if (nl && nl + 1 < end && nl[1] == ' ') {
		ret->dict = nl + 2;
		ret->dict_len = (size_t)(end - ret->dict);
		if (ret->dict_len && ret->dict[ret->dict_len - 1] == '\n')
			ret->dict_len--;
	}
	return 0;
}

size_t kmsg_unescape(const char *msg, size_t len, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		int h, l;
		if (msg[i] == '\\' && i + 3 < len && msg[i + 1] == 'x' &&
		    (h = hex_digit(msg[i + 2])) >= 0 && (l = hex_digit(msg[i + 3])) >= 0) {
			out[o++] = (char)(h << 4 | l);
			i += 3;
		} else {
			out[o++] = msg[i];
		}
	}
	return o;
}

const char *kmsg_facility_name(unsigned facility)
{
	static const char *const names[] = {
		"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp",
		"cron", "authpriv", "ftp", "res0", "res1", "res2", "res3", "local0", "local1",
		"local2", "local3", "local4", "local5", "local6", "local7",
	};
	return facility < sizeof(names) / sizeof(names[0]) ? names[facility] : NULL;
}

const char *kmsg_level_name(unsigned level)
{
	static const char *const names[] = {
		"emerg", "alert", "crit", "err", "warn", "notice", "info", "debug",
	};
	return level < 8 ? names[level] : NULL;
}
