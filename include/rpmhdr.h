/*
 * rpmhdr.h - an RPM header as irsnap reads it from the rpmdb, without rpm
 * (issue 17).
 *
 * A header blob (each row of the rpmdb.sqlite Packages table; an .rpm file
 * holds the same after an 8-byte magic) is big-endian: il (entries), dl
 * (data bytes), il entries of {tag, type, offset, count}, then dl bytes of
 * data. Nothing in it is trusted: every entry is checked against the data
 * when it is asked for (its type, its count, strings NUL-terminated inside
 * the data), and a file list is used only when all its arrays agree in
 * length and every dirindex names a dirname. Pointers returned point into
 * the caller's blob.
 */
#ifndef IRSNAP_RPMHDR_H
#define IRSNAP_RPMHDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	RPMT_NAME = 1000, RPMT_VERSION = 1001, RPMT_RELEASE = 1002, RPMT_EPOCH = 1003,
	RPMT_INSTALLTIME = 1008, RPMT_SIZE = 1009, RPMT_VENDOR = 1011, RPMT_ARCH = 1022,
	RPMT_FILESIZES = 1028, RPMT_FILESTATES = 1029, RPMT_FILEMODES = 1030,
	RPMT_FILERDEVS = 1033, RPMT_FILEMTIMES = 1034, RPMT_FILEDIGESTS = 1035,
	RPMT_FILELINKTOS = 1036, RPMT_FILEFLAGS = 1037, RPMT_FILEUSERNAME = 1039,
	RPMT_FILEGROUPNAME = 1040, RPMT_SOURCERPM = 1044, RPMT_FILEVERIFYFLAGS = 1045,
	RPMT_DIRINDEXES = 1116, RPMT_BASENAMES = 1117, RPMT_DIRNAMES = 1118,
	RPMT_LONGFILESIZES = 5008, RPMT_LONGSIZE = 5009, RPMT_FILECAPS = 5010,
	RPMT_FILEDIGESTALGO = 5011,
};

enum { RPMTYPE_CHAR = 1, RPMTYPE_INT8, RPMTYPE_INT16, RPMTYPE_INT32, RPMTYPE_INT64,
       RPMTYPE_STRING, RPMTYPE_BIN, RPMTYPE_STRING_ARRAY, RPMTYPE_I18NSTRING };

/* RPMFILE_* (rpmfiles.h) and RPMFILE_STATE_* */
enum { RPMF_CONFIG = 1, RPMF_DOC = 2, RPMF_MISSINGOK = 8, RPMF_NOREPLACE = 16,
       RPMF_SPECFILE = 32, RPMF_GHOST = 64, RPMF_LICENSE = 128, RPMF_README = 256,
       RPMF_ARTIFACT = 4096 };
enum { RPMFS_NORMAL = 0, RPMFS_REPLACED = 1, RPMFS_NOTINSTALLED = 2, RPMFS_NETSHARED = 3,
       RPMFS_WRONGCOLOR = 4 };

struct rpmhdr {
	const unsigned char *ent, *data;
	uint32_t il, dl;
};

/* 0, or -EINVAL with why filled: too short, counts past the blob. */
int rpmhdr_init(struct rpmhdr *h, const void *blob, size_t len, char *why, size_t whylen);

struct rpmhdr_tag {
	uint32_t tag, type, count;
	const unsigned char *p;    /* the first element */
};
/* The entry for tag, checked: false when absent or malformed (*bad set
 * then, if given). */
bool rpmhdr_get(const struct rpmhdr *h, uint32_t tag, struct rpmhdr_tag *t, bool *bad);
/* A STRING or the first I18NSTRING, NUL-terminated; NULL when absent/bad. */
const char *rpmhdr_str(const struct rpmhdr *h, uint32_t tag);
/* Element i of an integer entry (CHAR, INT8..INT64). */
uint64_t rpmhdr_int(const struct rpmhdr_tag *t, uint32_t i);
/* The count strings of a STRING_ARRAY (or I18NSTRING) entry, malloc'ed. */
const char **rpmhdr_strv(const struct rpmhdr_tag *t);

struct rpmfile {
	const char *dir, *base;    /* the path is dir + base */
	uint64_t size;
	uint32_t mode, mtime, flags, verify, rdev;
	int state;                 /* -1: the header records none */
	const char *digest, *link, *user, *group, *caps;   /* NULL: not recorded */
};
typedef int (*rpmfile_fn)(void *ctx, const struct rpmfile *f);
/* Every file of the header, in its order; fn < 0 stops. Returns the files
 * seen, or -EINVAL with why when the arrays disagree. */
long rpmhdr_files(const struct rpmhdr *h, rpmfile_fn fn, void *ctx, char *why, size_t whylen);
/* FILEDIGESTALGO's PGP number as OpenSSL names it; NULL: unknown. MD5 when
 * the header records none. */
const char *rpmhdr_digest_name(uint32_t pgp_algo);

#endif
