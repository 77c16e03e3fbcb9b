/*
 * src_rpm.c - the rpm half of the packages sources (issue 17): the SQLite
 * rpmdb (rpm 4.16 and later: RHEL 9, Fedora, SUSE; /usr/lib/sysimage/rpm
 * or /var/lib/rpm) read into memory with its -wal file and opened by SQLite
 * only as that image (sqlite_image.h: SQLite never sees a host path), every
 * header blob decoded by irsnap (rpmhdr.h) into system/packages.jsonl, and
 * every file checked as `rpm -V` would (rpm_verify.c) into
 * package-verify.jsonl. The older databases (Berkeley DB's Packages,
 * ndb's Packages.db) are copied raw and said to be unread.
 */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "copy.h"
#include "hostfile.h"
#include "jsonw.h"
#include "rpm_int.h"
#include "sqlite_image.h"
#include "textutil.h"
#include "banned.h"

#define RPMDB_CAP (1u << 30)

static const char *const dbs[] = { "/usr/lib/sysimage/rpm/rpmdb.sqlite",
				   "/var/lib/rpm/rpmdb.sqlite" };
static const char *const old_dbs[] = { "/usr/lib/sysimage/rpm/Packages.db",
				       "/var/lib/rpm/Packages.db", "/var/lib/rpm/Packages" };

static bool exists(const char *path)
{
	struct statx st;
	return host_stat_path(path, STATX_TYPE, &st) == 0;
}

static int count_file(void *ctx, const struct rpmfile *f)
{
	struct rpmv *v = ctx;
	char path[4096], disk[4200];
	if ((size_t)snprintf(path, sizeof(path), "%s%s", f->dir, f->base) >= sizeof(path))
		return 0;
	if (strset_add(&v->seen, path) == 0)
		strset_add(&v->shared, path);
	if (pkgs_on_disk(v->k, path, disk, sizeof(disk)))
		strset_add(&v->k->owned, disk);
	v->k->files++;
	return 0;
}

static void str_or_null(struct jw *w, const char *key, const struct rpmhdr *h, uint32_t tag)
{
	jw_str(w, key, rpmhdr_str(h, tag));
}

/* One package's record; false when its header cannot be read. */
static bool package(struct rpmv *v, sqlite3_int64 hnum, const void *blob, int len,
		    struct rpmhdr *h)
{
	struct jw w;
	char why[200] = "";
	struct rpmhdr_tag t;
	bool ok = rpmhdr_init(h, blob, len > 0 ? (size_t)len : 0, why, sizeof(why)) == 0;

	v->k->packages++;
	jw_begin(&w, &v->k->out);
	jw_str(&w, "manager", "rpm");
	jw_int(&w, "hnum", hnum);
	jw_int(&w, "blob_bytes", len);
	if (!ok) {
		jw_str(&w, "error", why);
		jw_end(&w);
		return false;
	}
	v->name = rpmhdr_str(h, RPMT_NAME);
	v->arch = rpmhdr_str(h, RPMT_ARCH);
	const char *ver = rpmhdr_str(h, RPMT_VERSION), *rel = rpmhdr_str(h, RPMT_RELEASE);
	bool epoch = rpmhdr_get(h, RPMT_EPOCH, &t, NULL) && t.type == RPMTYPE_INT32;
	uint64_t e = epoch ? rpmhdr_int(&t, 0) : 0;
	if (epoch)
		snprintf(v->evr, sizeof(v->evr), "%llu:%s-%s", (unsigned long long)e,
			 ver ? ver : "", rel ? rel : "");
	else
		snprintf(v->evr, sizeof(v->evr), "%s-%s", ver ? ver : "", rel ? rel : "");
	jw_str(&w, "name", v->name);
	if (epoch)
		jw_int(&w, "epoch", (int64_t)e);
	else
		jw_null(&w, "epoch");
	jw_str(&w, "version", ver);
	jw_str(&w, "release", rel);
	jw_str(&w, "architecture", v->arch);
	str_or_null(&w, "vendor", h, RPMT_VENDOR);
	str_or_null(&w, "source", h, RPMT_SOURCERPM);
	if (rpmhdr_get(h, RPMT_INSTALLTIME, &t, NULL) && t.type == RPMTYPE_INT32) {
		char ts[RFC3339_LEN];
		int64_t it = (int64_t)rpmhdr_int(&t, 0);
		jw_str(&w, "install_time", fmt_rfc3339_ns(ts, it, 0) == 0 ? ts : NULL);
		jw_int(&w, "install_time_epoch", it);
	}
	if (rpmhdr_get(h, RPMT_LONGSIZE, &t, NULL) || rpmhdr_get(h, RPMT_SIZE, &t, NULL))
		jw_int(&w, "installed_size", (int64_t)rpmhdr_int(&t, 0));
	struct rpmhdr_tag b;
	jw_int(&w, "files", rpmhdr_get(h, RPMT_BASENAMES, &b, NULL) ? b.count : 0);
	uint32_t algo = 1;   /* rpm: MD5 when the header names none */
	if (rpmhdr_get(h, RPMT_FILEDIGESTALGO, &t, NULL) && t.type == RPMTYPE_INT32)
		algo = (uint32_t)rpmhdr_int(&t, 0);
	v->algo = rpmhdr_digest_name(algo);
	jw_str(&w, "digest_algorithm", v->algo);
	jw_end(&w);
	return true;
}

static void read_db(struct pkgs *k, struct rpmv *v, sqlite3 *db, const char *path)
{
	sqlite3_stmt *st = NULL;
	unsigned long long bad = 0, badfiles = 0;
	char why[200];

	if (sqlite3_prepare_v2(db, "SELECT hnum, blob FROM Packages ORDER BY hnum", -1, &st,
			       NULL) != SQLITE_OK) {
		run_source_failed(k->r, "packages", path, -EINVAL,
				  "find the Packages table of the rpm database");
		return;
	}
	for (int pass = 0; pass < 2; pass++) {   /* 1: every path, for shared files */
		int rc;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			const void *blob = sqlite3_column_blob(st, 1);
			int len = sqlite3_column_bytes(st, 1);
			struct rpmhdr h;
			if (pass == 0) {
				if (rpmhdr_init(&h, blob, len > 0 ? (size_t)len : 0, why, sizeof(why)) == 0)
					rpmhdr_files(&h, count_file, v, why, sizeof(why));
				continue;
			}
			if (!package(v, sqlite3_column_int64(st, 0), blob, len, &h)) {
				bad++;
				continue;
			}
			if (run_should_stop(k->r)) {
				k->skipped_time++;
				continue;
			}
			k->with_files++;
			if (!v->algo) {
				badfiles++;
				run_log(k->r, "packages: rpm package %s: a digest algorithm irsnap does "
					"not know: its files are not verified", shown(v->name ? v->name : "?").s);
			} else if (rpmhdr_files(&h, rpmv_file, v, why, sizeof(why)) < 0) {
				badfiles++;
				run_log(k->r, "packages: rpm package %s (hnum %lld): its file list: %s",
					shown(v->name ? v->name : "?").s, (long long)sqlite3_column_int64(st, 0),
					why);
			}
		}
		if (rc != SQLITE_DONE)
			run_log(k->r, "packages: '%s': reading the Packages table stopped: %s", shown(path).s,
				sqlite3_errstr(rc));
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	if (bad || badfiles)
		run_log(k->r, "packages: rpm: %llu headers unreadable, %llu file lists not "
			"verified (see packages.jsonl's error)", bad, badfiles);
	if (v->skipped)
		run_log(k->r, "packages: rpm: %llu files not verified: the time budget", v->skipped);
}

static void old_format(struct pkgs *k)
{
	char p[4200];
	for (size_t i = 0; i < sizeof(old_dbs) / sizeof(old_dbs[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", k->root, old_dbs[i]);
		if (!exists(p))
			continue;
		host_copy(k->r, "packages", p, RPMDB_CAP, COPY_OPTIONAL);
		run_log(k->r, "packages: '%s': an rpm database in Berkeley DB or ndb form, copied "
			"raw and not read (irsnap reads the SQLite rpmdb of rpm 4.16 and later)", shown(p).s);
	}
}

void rpm_packages(struct pkgs *k)
{
	char db[4200] = "", side[4300], pw[4200], gr[4200];
	struct rpmv v = { .k = k };
	sqlite3 *sdb = NULL;

	for (size_t i = 0; i < sizeof(dbs) / sizeof(dbs[0]) && !db[0]; i++) {
		snprintf(db, sizeof(db), "%s%s", k->root, dbs[i]);
		if (!exists(db))
			db[0] = '\0';
	}
	if (!db[0]) {
		old_format(k);
		return;
	}
	host_copy(k->r, "packages", db, RPMDB_CAP, COPY_OPTIONAL);
	static const char *const sidecars[] = { "-wal", "-shm", "-journal" };
	for (size_t i = 0; i < 3; i++) {
		snprintf(side, sizeof(side), "%s%s", db, sidecars[i]);
		if (exists(side))
			host_copy(k->r, "packages", side, RPMDB_CAP, COPY_OPTIONAL);
	}
	int dbfd = host_open(AT_FDCWD, db, 0, NULL, NULL);
	if (dbfd < 0) {
		run_source_failed(k->r, "packages", db, dbfd, dbfd == -ELOOP ?
				  "read the rpm database (a symbolic link: not followed)" :
				  dbfd == -EFTYPE_NOT_REGULAR ? "read the rpm database (not a "
				  "regular file: never opened)" : "read the rpm database");
		return;
	}
	snprintf(side, sizeof(side), "%s-wal", db);
	int walfd = host_open(AT_FDCWD, side, 0, NULL, NULL);
	struct capbuf img;
	struct wal_report rep;
	capbuf_init(&img, RPMDB_CAP);
	int r = sqlite_image_load(dbfd, walfd, &img, &rep);
	close(dbfd);
	if (walfd >= 0)
		close(walfd);
	if (r == 0)
		r = sqlite_image_open(&img, &sdb);
	run_log(k->r, "packages: rpm database '%s': %s; WAL: %u valid frames, %u applied%s%s", shown(db).s,
		r == 0 ? "read from memory" : strerror(-r), rep.frames, rep.applied,
		rep.problem[0] ? ": " : "", rep.problem);
	if (r < 0) {
		run_source_failed(k->r, "packages", db, r, "open the rpm database's image");
	} else {
		snprintf(pw, sizeof(pw), "%s/etc/passwd", k->root);
		snprintf(gr, sizeof(gr), "%s/etc/group", k->root);
		accounts_load(&v.acc, pw, gr);
		read_db(k, &v, sdb, db);
		accounts_free(&v.acc);
	}
	sqlite3_close(sdb);
	capbuf_release(&img);
	strset_free(&v.seen);
	strset_free(&v.shared);
}
