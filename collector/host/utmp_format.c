/* utmp_format.c - decoding utmp/wtmp/btmp and lastlog records (utmp_format.h). */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "utmp_format.h"
#include "banned.h"

static int32_t rd32(const unsigned char *p)
{
	uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
		     (uint32_t)p[3] << 24;
	return (int32_t)v;
}

static int16_t rd16(const unsigned char *p)
{
	return (int16_t)((uint16_t)p[0] | (uint16_t)p[1] << 8);
}

static void field(struct ut_field *f, const unsigned char *p, size_t size)
{
	const unsigned char *z = memchr(p, '\0', size);

	f->s = (const char *)p;
	f->len = z ? (size_t)(z - p) : size;
	f->unterminated = z == NULL;
}

static bool zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

void utmp_decode(const unsigned char raw[UTMP_RECORD_SIZE], struct utmp_rec *r)
{
	memset(r, 0, sizeof(*r));
	r->type = rd16(raw + UT_TYPE_OFF);
	r->pid = rd32(raw + UT_PID_OFF);
	field(&r->line, raw + UT_LINE_OFF, UT_LINE_LEN);
	field(&r->id, raw + UT_ID_OFF, UT_ID_LEN);
	field(&r->user, raw + UT_USER_OFF, UT_USER_LEN);
	field(&r->host, raw + UT_HOST_OFF, UT_HOST_LEN);
	r->exit_termination = rd16(raw + UT_EXIT_OFF);
	r->exit_status = rd16(raw + UT_EXIT_OFF + 2);
	r->session = rd32(raw + UT_SESSION_OFF);
	r->tv_sec = (uint32_t)rd32(raw + UT_TV_SEC_OFF);
	r->tv_usec = rd32(raw + UT_TV_USEC_OFF);
	memcpy(r->addr, raw + UT_ADDR_OFF, 16);
	r->all_zero = zero(raw, UTMP_RECORD_SIZE);
}

void lastlog_decode(const unsigned char raw[LASTLOG_RECORD_SIZE], struct lastlog_rec *r)
{
	memset(r, 0, sizeof(*r));
	r->time = (uint32_t)rd32(raw + LL_TIME_OFF);
	field(&r->line, raw + LL_LINE_OFF, LL_LINE_LEN);
	field(&r->host, raw + LL_HOST_OFF, LL_HOST_LEN);
	r->all_zero = zero(raw, LASTLOG_RECORD_SIZE);
}

const char *ut_type_name(int type)
{
	static const char *const names[] = {
		[UT_EMPTY] = "EMPTY", [UT_RUN_LVL] = "RUN_LVL", [UT_BOOT_TIME] = "BOOT_TIME",
		[UT_NEW_TIME] = "NEW_TIME", [UT_OLD_TIME] = "OLD_TIME",
		[UT_INIT_PROCESS] = "INIT_PROCESS", [UT_LOGIN_PROCESS] = "LOGIN_PROCESS",
		[UT_USER_PROCESS] = "USER_PROCESS", [UT_DEAD_PROCESS] = "DEAD_PROCESS",
		[UT_ACCOUNTING] = "ACCOUNTING",
	};
	return type >= 0 && type <= UT_ACCOUNTING ? names[type] : NULL;
}

/* dotted quad without printf: once per login record */
static void ipv4_text(const uint8_t a[4], char *buf, size_t len)
{
	char tmp[16], *p = tmp;

	for (int i = 0; i < 4; i++) {
		if (i)
			*p++ = '.';
		if (a[i] >= 100)
			*p++ = (char)('0' + a[i] / 100);
		if (a[i] >= 10)
			*p++ = (char)('0' + a[i] / 10 % 10);
		*p++ = (char)('0' + a[i] % 10);
	}
	*p = '\0';
	snprintf(buf, len, "%s", tmp);
}

void ut_addr_text(const uint8_t addr[16], char *buf, size_t len)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	bool rest_zero = true;

	for (int i = 4; i < 16; i++)
		rest_zero &= addr[i] == 0;
	if (rest_zero && !addr[0] && !addr[1] && !addr[2] && !addr[3])
		snprintf(buf, len, "%s", "");
	else if (rest_zero)
		ipv4_text(addr, buf, len);
	else if (memcmp(addr, mapped, 12) == 0)
		ipv4_text(addr + 12, buf, len);
	else if (!inet_ntop(AF_INET6, addr, buf, (socklen_t)len))
		snprintf(buf, len, "?");
}
