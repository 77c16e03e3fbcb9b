/*
 * accounts.h - user and group names from the host's own /etc/passwd and
 * /etc/group, parsed by irsnap (never NSS: getpwuid would load host code).
 *
 * Names are raw bytes from the files (not NUL-free guaranteed: a name ends
 * at ':'); lookups return the first entry for an id, as getpwuid(3) does,
 * or NULL. A missing or unreadable file gives an empty table; the caller
 * records why from the return value of accounts_load().
 */
#ifndef IRSNAP_ACCOUNTS_H
#define IRSNAP_ACCOUNTS_H

#include <stddef.h>

struct account {
	unsigned id;
	const char *name;
	size_t len;
};

struct accounts {
	char *pw_buf, *gr_buf;
	struct account *users, *groups;
	size_t nusers, ngroups;
};

/* Returns 0, or the first -errno met reading either file. */
int accounts_load(struct accounts *a, const char *passwd, const char *group);
/* Parse one buffer in passwd(5) or group(5) form (field 3 is the id). */
int accounts_parse(char *buf, size_t len, struct account **ret, size_t *ret_n);
const struct account *accounts_user(const struct accounts *a, unsigned uid);
const struct account *accounts_group(const struct accounts *a, unsigned gid);
void accounts_free(struct accounts *a);

#endif
