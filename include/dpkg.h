/*
 * dpkg.h - dpkg's database as irsnap reads it, without dpkg (issue 17).
 *
 * /var/lib/dpkg/status (deb-control(5) syntax: stanzas of "Field: value"
 * lines, continuation lines starting with a blank, stanzas separated by an
 * empty line), info/<package>[:<arch>].md5sums ("<32 hex>  <path without
 * the leading slash>") and info/<package>[:<arch>].list (one absolute path
 * per line). The parsers work on bytes in memory and never trust them to
 * be well formed: a field is a pointer and a length into the buffer, a
 * malformed line is skipped and counted, nothing is NUL-terminated.
 */
#ifndef IRSNAP_DPKG_H
#define IRSNAP_DPKG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dpkg_field {
	const char *s;             /* NULL: absent */
	size_t n;
};

struct dpkg_pkg {
	uint64_t offset;           /* of the stanza in the file */
	struct dpkg_field package, status, architecture, version, source, multi_arch,
		installed_size, conffiles;   /* conffiles: the continuation lines */
	unsigned bad_lines;        /* lines that were neither a field nor a continuation */
};

/* Call fn for every stanza, in order; fn returning < 0 stops. Returns the
 * stanzas seen or fn's error. */
typedef int (*dpkg_pkg_fn)(void *ctx, const struct dpkg_pkg *p);
long dpkg_status_parse(const char *buf, size_t len, dpkg_pkg_fn fn, void *ctx);

/* "install ok installed" and the other states in which a package has files
 * on disk that dpkg -V checks (everything but not-installed and
 * config-files). */
bool dpkg_has_files(const struct dpkg_pkg *p);

/* One line of the Conffiles field: " /path <md5> [obsolete|remove-on-upgrade]". */
struct dpkg_conffile {
	struct dpkg_field path, md5;
	bool obsolete, remove_on_upgrade;
};
/* The next conffile from *pos (advanced) up to end; false at the end. */
bool dpkg_conffile_next(const char **pos, const char *end, struct dpkg_conffile *ret);

/* One md5sums line: false when it is not "<32 hex> <blanks> <path>". The
 * path is as the file has it (relative to /). */
struct dpkg_sum {
	char md5[33];
	struct dpkg_field path;
};
bool dpkg_md5sums_line(const char *s, size_t n, struct dpkg_sum *ret);

#endif
