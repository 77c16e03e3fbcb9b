/* Byte fixtures for the parsers of hostile host data that had none: utmp
 * and lastlog records made byte by byte, logind files, the WAL applier on a
 * real SQLite database in WAL mode (a frame only in the -wal, a damaged
 * frame, a cut WAL), and the profile parser. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "capbuf.h"
#include "logind.h"
#include "profile.h"
#include "sqlite_image.h"
#include "tap.h"
#include "utmp_format.h"

static void put32(unsigned char *p, uint32_t v)
{
	memcpy(p, &v, 4);   /* host order: the format is the host's */
}

static void test_utmp(void)
{
	unsigned char raw[UTMP_RECORD_SIZE] = { 0 };
	struct utmp_rec u;

	utmp_decode(raw, &u);
	CHECK(u.all_zero);
	raw[UT_TYPE_OFF] = 7;
	put32(raw + UT_PID_OFF, 4242);
	memset(raw + UT_LINE_OFF, 'p', UT_LINE_LEN);            /* no NUL at all */
	memcpy(raw + UT_USER_OFF, "ro\x1b[8mot", 9);          /* an escape */
	memcpy(raw + UT_HOST_OFF, "10.0.0.1\xff", 9);          /* invalid UTF-8 */
	put32(raw + UT_TV_SEC_OFF, 0xfffffff0u);               /* past 2038 */
	put32(raw + UT_TV_USEC_OFF, 999999);
	raw[UT_ADDR_OFF] = 10;
	utmp_decode(raw, &u);
	CHECK(!u.all_zero);
	CHECK_INT(u.type, 7);
	CHECK_INT(u.pid, 4242);
	CHECK(u.line.unterminated && u.line.len == UT_LINE_LEN &&
	      u.line.s == (const char *)raw + UT_LINE_OFF);
	CHECK(!u.user.unterminated && u.user.len == 8 && memcmp(u.user.s, "ro\x1b[8mot", 8) == 0);
	CHECK(u.host.len == 9 && (unsigned char)u.host.s[8] == 0xff);
	CHECK(u.tv_sec == 0xfffffff0u);    /* unsigned: not a date before 1970 */
	CHECK_INT(u.tv_usec, 999999);
	CHECK_INT(u.addr[0], 10);

	unsigned char ll[LASTLOG_RECORD_SIZE] = { 0 };
	struct lastlog_rec l;
	lastlog_decode(ll, &l);
	CHECK(l.all_zero);
	put32(ll + LL_TIME_OFF, 1700000000u);
	memcpy(ll + LL_LINE_OFF, "pts/3", 5);
	memset(ll + LL_HOST_OFF, 'h', LL_HOST_LEN);
	lastlog_decode(ll, &l);
	CHECK(!l.all_zero && l.time == 1700000000u);
	CHECK(l.line.len == 5 && !l.line.unterminated);
	CHECK(l.host.len == LL_HOST_LEN && l.host.unterminated);
}

static void test_logind(void)
{
	static const char file[] =
		"# This is private data. Do not parse.\n"
		"UID=1000\n"
		"USER=alice\n"
		"REMOTE_HOST=evil\\x1b]0;owned\\x07\n"
		"DESKTOP=a\\nb\\\\c\\101\n"
		"=novalue-key\n"
		"NOEQUALS\n"
		"EMPTY=\n"
		"LAST=no newline";
	json_t *f = json_object();
	char out[64];

	CHECK(logind_parse(file, sizeof(file) - 1, f) == 0);
	CHECK_STR(json_string_value(json_object_get(f, "USER")), "alice");
	CHECK_STR(json_string_value(json_object_get(f, "REMOTE_HOST")), "evil\x1b]0;owned\x07");
	CHECK_STR(json_string_value(json_object_get(f, "DESKTOP")), "a\nb\\cA");
	CHECK_STR(json_string_value(json_object_get(f, "EMPTY")), "");
	CHECK_STR(json_string_value(json_object_get(f, "LAST")), "no newline");
	CHECK(json_object_get(f, "NOEQUALS") == NULL);
	CHECK(json_object_get(f, "# This is private data. Do not parse.") == NULL);
	CHECK_INT(json_object_size(f), 6);
	json_decref(f);
	/* a cut escape at the end stays as it is */
	size_t n = logind_unescape("ab\\x4", 5, out);
	CHECK(n >= 2 && memcmp(out, "ab", 2) == 0);
}

static int read_file(const char *path, int *ret_fd)
{
	*ret_fd = open(path, O_RDONLY | O_CLOEXEC);
	return *ret_fd < 0 ? -errno : 0;
}

/* A copy of `len` bytes of `data` in a memfd. */
static int memfd_of(const void *data, size_t len)
{
	int fd = memfd_create("wal", MFD_CLOEXEC);
	if (fd >= 0 && write(fd, data, len) != (ssize_t)len) {
		close(fd);
		return -1;
	}
	lseek(fd, 0, SEEK_SET);
	return fd;
}

static int dump_has(int dbfd, const void *wal, size_t wlen, const char *needle,
		    struct wal_report *rep)
{
	struct capbuf img, out;
	uint64_t rows = 0;
	int walfd = wal ? memfd_of(wal, wlen) : -1;
	int found = -1;

	lseek(dbfd, 0, SEEK_SET);
	capbuf_init(&img, 8u << 20);
	capbuf_init(&out, 8u << 20);
	if (sqlite_image_load(dbfd, walfd, &img, rep) == 0 &&
	    sqlite_image_dump(&img, "test", &out, &rows) == 0)
		found = out.buf && strstr(out.buf, needle) != NULL;
	capbuf_release(&img);
	capbuf_release(&out);
	if (walfd >= 0)
		close(walfd);
	return found;
}

static void test_wal(void)
{
	char dir[] = "/tmp/irsnap-unit-wal.XXXXXX", db[64], walp[80];
	sqlite3 *h = NULL;
	struct wal_report rep;

	if (!mkdtemp(dir)) {
		CHECK(!"mkdtemp");
		return;
	}
	snprintf(db, sizeof(db), "%s/w.db", dir);
	snprintf(walp, sizeof(walp), "%s/w.db-wal", dir);
	CHECK(sqlite3_open(db, &h) == SQLITE_OK);
	CHECK(sqlite3_exec(h, "PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0;"
			   "CREATE TABLE wtmp(ID INTEGER PRIMARY KEY, User TEXT);"
			   "INSERT INTO wtmp VALUES(1, 'in-the-db');"
			   "PRAGMA wal_checkpoint(TRUNCATE);"
			   "INSERT INTO wtmp VALUES(2, 'only-in-the-wal');", NULL, NULL, NULL) == SQLITE_OK);
	int dbfd = -1, walfd = -1;
	CHECK(read_file(db, &dbfd) == 0 && read_file(walp, &walfd) == 0);
	struct capbuf wal;
	capbuf_init(&wal, 8u << 20);
	CHECK(capbuf_read_fd(&wal, walfd) == 0 && wal.len > 32 + 24);

	CHECK(dump_has(dbfd, NULL, 0, "in-the-db", &rep) == 1);
	CHECK(dump_has(dbfd, NULL, 0, "only-in-the-wal", &rep) == 0);
	CHECK(dump_has(dbfd, wal.buf, wal.len, "only-in-the-wal", &rep) == 1);
	CHECK(rep.applied >= 1 && rep.problem[0] == '\0');
	/* a damaged byte in the last frame's page: its checksum fails, the
	 * commit is not applied, and the report says why */
	char *bad = malloc(wal.len);
	REQUIRE(bad && wal.buf);
	memcpy(bad, wal.buf, wal.len);
	bad[wal.len - 100] ^= 0x55;
	CHECK(dump_has(dbfd, bad, wal.len, "only-in-the-wal", &rep) == 0);
	CHECK(dump_has(dbfd, bad, wal.len, "in-the-db", &rep) == 1);
	/* a WAL cut inside its frame, and one cut inside its header */
	CHECK(rep.problem[0] != '\0' && strstr(rep.problem, "checksum"));
	CHECK(dump_has(dbfd, wal.buf, wal.len - 1000, "only-in-the-wal", &rep) == 0);
	CHECK(strstr(rep.problem, "partial frame") != NULL);
	CHECK(dump_has(dbfd, wal.buf, 20, "in-the-db", &rep) == 1);
	free(bad);
	capbuf_release(&wal);
	close(dbfd);
	close(walfd);
	sqlite3_close(h);
	unlink(walp);
	char shm[80];
	snprintf(shm, sizeof(shm), "%s/w.db-shm", dir);
	unlink(shm);
	unlink(db);
	rmdir(dir);
}

static void test_profile(void)
{
	struct profile p;
	char err[512];
	static const char good[] = "profile t\nbudget 60\nstep sockets\ncopy /etc/x max-file 1K\n"
				   "tree /var/log max-file 2M max-total 1G max-depth 3\n";

	REQUIRE(profile_parse(good, sizeof(good) - 1, "t.profile", &p, err, sizeof(err)) == 0);
	CHECK_INT(p.nsteps, 3);
	CHECK_INT(p.budget_seconds, 60);
	CHECK_INT(p.steps[1].max_file, 1024);
	CHECK_INT(p.steps[2].max_total, 1ll << 30);
	CHECK_INT(p.steps[2].max_depth, 3);
	profile_free(&p);
	static const char bad[] = "profile t\nstep sockets\nstep nonsense\n";
	CHECK(profile_parse(bad, sizeof(bad) - 1, "b.profile", &p, err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, "b.profile") && strstr(err, "line 3"));
	static const char rel[] = "profile t\ncopy etc/passwd\n";
	CHECK(profile_parse(rel, sizeof(rel) - 1, "r.profile", &p, err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, "line 2") != NULL);
	/* profiles that parse but could not run are refused, with the line */
	static const char crlf[] = "profile t\r\nstep sockets\r\ncopy /etc/passwd\r\n";
	CHECK(profile_parse(crlf, sizeof(crlf) - 1, "c.profile", &p, err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, "line 1") && strstr(err, "carriage return"));
	static const char crlf2[] = "profile t\nstep sockets\ncopy /etc/passwd max-file 1K\r\n";
	CHECK(profile_parse(crlf2, sizeof(crlf2) - 1, "c.profile", &p, err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, "line 3") != NULL);
	static const char nul[] = "profile t\nstep sockets\n\0step processes\n";
	CHECK(profile_parse(nul, sizeof(nul) - 1, "z.profile", &p, err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, "line 3") && strstr(err, "NUL"));
	char *longp = malloc(10100);
	size_t o = (size_t)snprintf(longp, 10100, "profile t\ncopy /");
	memset(longp + o, 'a', 10000);
	memcpy(longp + o + 10000, "\n", 2);
	CHECK(profile_parse(longp, strlen(longp), "l.profile", &p, err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, "line 2") && strstr(err, "10001 bytes"));
	free(longp);
	static const char none[] = "profile t\n# nothing\n";
	CHECK(profile_parse(none, sizeof(none) - 1, "n.profile", &p, err, sizeof(err)) == -EINVAL);
}

int main(void)
{
	test_utmp();
	test_logind();
	test_wal();
	test_profile();
	return tap_done("unit_parsers");
}
