/*
 * utmp_format.h - the on-disk login databases, declared by irsnap itself.
 *
 * utmp(5), wtmp and btmp: glibc's 384-byte record on x86-64 and aarch64
 * (and every other 64-bit glibc with __WORDSIZE_TIME64_COMPAT32, i.e. 32-bit
 * times). Never <utmp.h>: its struct differs between libcs and architectures,
 * and the file on disk is what matters. lastlog: 292-byte records indexed by
 * uid (lastlog(8)). All integers are little-endian host order; times are
 * unsigned 32-bit seconds (valid to 2106).
 *
 * utmp_decode() turns 384 raw bytes into a record without trusting them:
 * string fields are kept as exact bytes with their length up to the first
 * NUL (a field with no NUL uses its whole size, and says so).
 */
#ifndef IRSNAP_UTMP_FORMAT_H
#define IRSNAP_UTMP_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UTMP_RECORD_SIZE 384
#define UT_TYPE_OFF 0        /* int16 (+2 bytes padding) */
#define UT_PID_OFF 4         /* int32 */
#define UT_LINE_OFF 8        /* char[32] */
#define UT_LINE_LEN 32
#define UT_ID_OFF 40         /* char[4] */
#define UT_ID_LEN 4
#define UT_USER_OFF 44       /* char[32] */
#define UT_USER_LEN 32
#define UT_HOST_OFF 76       /* char[256] */
#define UT_HOST_LEN 256
#define UT_EXIT_OFF 332      /* int16 e_termination, int16 e_exit */
#define UT_SESSION_OFF 336   /* int32 */
#define UT_TV_SEC_OFF 340    /* int32 (read as uint32) */
#define UT_TV_USEC_OFF 344   /* int32 */
#define UT_ADDR_OFF 348      /* int32[4], network byte order */
#define UT_UNUSED_OFF 364    /* char[20] */
_Static_assert(UT_UNUSED_OFF + 20 == UTMP_RECORD_SIZE, "utmp record layout");
_Static_assert(UT_HOST_OFF + UT_HOST_LEN == UT_EXIT_OFF, "utmp record layout");

#define LASTLOG_RECORD_SIZE 292
#define LL_TIME_OFF 0        /* int32 (read as uint32) */
#define LL_LINE_OFF 4        /* char[32] */
#define LL_LINE_LEN 32
#define LL_HOST_OFF 36       /* char[256] */
#define LL_HOST_LEN 256
_Static_assert(LL_HOST_OFF + LL_HOST_LEN == LASTLOG_RECORD_SIZE, "lastlog record layout");

enum ut_type {
	UT_EMPTY = 0, UT_RUN_LVL = 1, UT_BOOT_TIME = 2, UT_NEW_TIME = 3, UT_OLD_TIME = 4,
	UT_INIT_PROCESS = 5, UT_LOGIN_PROCESS = 6, UT_USER_PROCESS = 7,
	UT_DEAD_PROCESS = 8, UT_ACCOUNTING = 9,
};

struct ut_field {
	const char *s;       /* points into the raw record */
	size_t len;          /* bytes before the first NUL */
	bool unterminated;   /* no NUL in the whole field */
};

struct utmp_rec {
	int type;
	int32_t pid;
	struct ut_field line, id, user, host;
	int16_t exit_termination, exit_status;
	int32_t session;
	uint32_t tv_sec;
	int32_t tv_usec;
	uint8_t addr[16];
	bool all_zero;       /* every byte of the record is 0 */
};

struct lastlog_rec {
	uint32_t time;
	struct ut_field line, host;
	bool all_zero;
};

void utmp_decode(const unsigned char raw[UTMP_RECORD_SIZE], struct utmp_rec *r);
void lastlog_decode(const unsigned char raw[LASTLOG_RECORD_SIZE], struct lastlog_rec *r);
/* "USER_PROCESS" ..., or NULL for an unknown type. */
const char *ut_type_name(int type);
/* The address as text: IPv4 when only the first word is set (or v4-mapped),
 * else IPv6; "" when all zero. */
void ut_addr_text(const uint8_t addr[16], char *buf, size_t len);

#endif
