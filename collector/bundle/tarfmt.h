/*
 * tarfmt.h - irsnap's tar subset: the one encoder of member headers and the
 * one set of name rules, shared by the bundle writer and every reader of
 * bundles (tarread.h), so that "verify accepts exactly what collect writes"
 * holds by construction: a reader parses a header, asks tar_encode() for the
 * bytes collect writes for that name, type, size and mtime, and compares.
 *
 * The subset (README, "Bundle format"):
 *   - ustar headers (magic "ustar\0", version "00"), 512-byte blocks;
 *     typeflag '0' (regular file, mode 0444) or '5' (directory, mode 0755,
 *     size 0, name ending in '/'); uid and gid 0, uname and gname empty,
 *     linkname empty, devmajor and devminor 0; every member's mtime the same
 *     (the collection's start, whole seconds); numeric fields written as
 *     libarchive writes them ("000444 \0", 11 octal digits and a space for
 *     size and mtime, checksum as 6 octal digits, NUL, space);
 *   - a name of up to 100 bytes in `name`; a longer one split at the first
 *     '/' that leaves at most 100 bytes after it and at most 155 before it
 *     (prefix/name); one that cannot be split goes in a pax 'x' header
 *     ("path"), the ustar name then holding its first 100 bytes;
 *   - a size of 8 GiB or more: base-256 in the ustar field and a pax "size";
 *   - the pax 'x' header, only where needed, named "././@PaxHeader", with
 *     the records "path" and then "size", nothing else; data zero-padded to
 *     a block; no global headers, no GNU or other types, no links, no
 *     sparse files, no data on directories;
 *   - after the last member, two zero blocks, then zero bytes up to a
 *     multiple of TAR_RECORD, then nothing.
 *
 * Names (tarnames_place): the whole name is checked, never a copy: at most
 * TAR_NAME_MAX bytes, no NUL, member_name_safe() bytes and components, under
 * one top folder; no name twice (a file "d" and a directory "d/" are the
 * same name); no member under a name that is a file. The writer refuses
 * what breaks them; a reader reports the rule.
 */
#ifndef IRSNAP_TARFMT_H
#define IRSNAP_TARFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "strset.h"

#define TAR_BLOCK 512
#define TAR_RECORD 10240            /* the archive ends on a record boundary */
#define TAR_NAME_MAX 4096           /* longest member name, whole */
#define TAR_PAX_MAX 8192            /* longest pax header data collect writes */
/* the largest header tar_encode() returns: 'x' block, pax data, ustar block */
#define TAR_HEADER_MAX (TAR_BLOCK + TAR_PAX_MAX + TAR_BLOCK)
#define TAR_PAX_NAME "././@PaxHeader"

/* ustar field offsets and sizes (POSIX.1-2001 ustar) */
enum {
	TAR_NAME_OFF = 0, TAR_NAME_LEN = 100,
	TAR_MODE_OFF = 100, TAR_UID_OFF = 108, TAR_GID_OFF = 116, TAR_ID_LEN = 8,
	TAR_SIZE_OFF = 124, TAR_MTIME_OFF = 136, TAR_NUM_LEN = 12,
	TAR_CHKSUM_OFF = 148, TAR_CHKSUM_LEN = 8,
	TAR_TYPE_OFF = 156,
	TAR_LINK_OFF = 157, TAR_LINK_LEN = 100,
	TAR_MAGIC_OFF = 257, TAR_MAGIC_LEN = 8,      /* "ustar\0" "00" */
	TAR_UNAME_OFF = 265, TAR_GNAME_OFF = 297, TAR_OWNER_LEN = 32,
	TAR_DEVMAJ_OFF = 329, TAR_DEVMIN_OFF = 337,
	TAR_PREFIX_OFF = 345, TAR_PREFIX_LEN = 155,
	TAR_PAD_OFF = 500,
};

/* The header blocks collect writes for member `full` (the whole name, with
 * the trailing '/' of a directory) into `out` (TAR_HEADER_MAX bytes).
 * Returns their length (a multiple of TAR_BLOCK) or -EINVAL (a directory
 * with a size, a name without its '/' rule, a negative mtime),
 * -ENAMETOOLONG (over TAR_NAME_MAX). Does not check the name's bytes:
 * that is tarnames_place(). */
int tar_encode(unsigned char *out, const char *full, size_t len, bool dir,
	       uint64_t size, int64_t mtime);

/* The checksum of a header block (chksum field counted as spaces). */
unsigned tar_checksum(const unsigned char block[TAR_BLOCK]);

/* Parse a ustar numeric field as irsnap writes it: octal digits with
 * terminators, or base-256 (first byte 0x80) for the size field. Returns 0
 * or -EINVAL. */
int tar_parse_num(const unsigned char *field, size_t len, uint64_t *ret);

/* Zero bytes to add after `n` data bytes to reach a block boundary. */
static inline size_t tar_padding(uint64_t n)
{
	return (size_t)((TAR_BLOCK - n % TAR_BLOCK) % TAR_BLOCK);
}

/* The rules a reader names (NULL: no break). A returned text may be
 * written into `msg`; bytes from the input in it are escaped. */
struct tar_pax {
	char *path;                  /* malloc'ed, NUL-terminated; may hold NULs */
	size_t path_len;
	bool has_size;
	uint64_t size;
};
/* The records of a pax 'x' header: only "path" and "size", once each. */
const char *tar_pax_parse(const unsigned char *p, size_t n, struct tar_pax *x,
			  char *msg, size_t msglen);
/* Why the header blocks read (got) are not those collect writes (want):
 * the first field that differs. */
const char *tar_header_diff(const unsigned char *got, size_t glen,
			    const unsigned char *want, size_t wlen, char *msg, size_t msglen);
/* The rule a typeflag other than '0', '5' and 'x' breaks. */
const char *tar_type_rule(unsigned char type);

/* The names placed so far in one bundle. */
struct tarnames {
	struct strset files, dirs;   /* whole names, without a trailing '/' */
	char *top;                   /* "irsnap-..." of the first name */
};

/* Check `full` (len bytes, not NUL-terminated necessarily; a directory ends
 * in '/') against the name rules and the names placed so far, and place it.
 * Returns 0, or -errno with *ret_rule set to a short text naming the rule
 * broken (nothing placed then). Parents are not placed here: the writer
 * places them first; a reader checks them with tarnames_parent_placed(). */
int tarnames_place(struct tarnames *t, const char *full, size_t len, bool dir,
		   const char **ret_rule);
/* The same rules without placing anything (the writer checks a member
 * before it writes the member's parents). */
int tarnames_check(const struct tarnames *t, const char *full, size_t len, bool dir,
		   const char **ret_rule);
/* Whether the folder holding `full` has been placed (true for the top). */
bool tarnames_parent_placed(const struct tarnames *t, const char *full, size_t len);
bool tarnames_has_dir(const struct tarnames *t, const char *full, size_t len);
void tarnames_free(struct tarnames *t);

#endif
