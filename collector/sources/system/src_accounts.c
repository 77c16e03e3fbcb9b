/*
 * src_accounts.c - users and groups parsed from the host's own /etc/passwd
 * and /etc/group (system/users.jsonl, groups.jsonl, exact bytes), and from
 * every account's home the files intruders leave or edit: SSH authorized
 * keys, shell and tool histories, shell start-up files.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capbuf.h"
#include "copy.h"
#include "hostfile.h"
#include "jsonw.h"
#include "source.h"
#include "strset.h"
#include "textutil.h"
#include "walksteps.h"
#include "banned.h"

#define HOME_FILE_CAP (64ull << 20)
#define ACCT_CAP (32u << 20)

static const char *const home_files[] = {
	".ssh/authorized_keys", ".ssh/authorized_keys2", ".ssh/known_hosts", ".ssh/config",
	".ssh/rc", ".bash_history", ".zsh_history", ".sh_history", ".ash_history", ".history",
	".python_history", ".mysql_history", ".psql_history", ".sqlite_history", ".lesshst",
	".viminfo", ".wget-hsts", ".bashrc", ".bash_profile", ".bash_login", ".bash_logout",
	".profile", ".zshrc", ".zprofile", ".local/share/recently-used.xbel",
	".config/autostart", ".config/systemd/user", ".config/environment.d",
	".local/share/systemd/user",
};
/* a folder among them: every file under it, raw, links recorded (a tree step) */
#define HOME_TREE_FILE (1ull << 20)
#define HOME_TREE_TOTAL (16ull << 20)

/* A uid or gid: a number when the field is one (0 to 2^32 - 1, decimal
 * digits only), else null and the field's bytes as <key>_raw. */
static void id_field(struct jw *w, const char *key, const char *s, size_t n)
{
	uint64_t v = 0;
	bool ok = n > 0 && n <= 10;
	for (size_t i = 0; ok && i < n; i++) {
		ok = s[i] >= '0' && s[i] <= '9';
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (ok && v <= 0xffffffffu) {
		jw_int(w, key, (int64_t)v);
		return;
	}
	char raw[16];
	snprintf(raw, sizeof(raw), "%s_raw", key);
	jw_null(w, key);
	jw_bytes(w, raw, s, n);
}

/* One JSON line per passwd(5)/group(5) line, every field exact. */
static void parse_lines(const char *buf, size_t len, bool users, struct capbuf *out,
			struct strset *homes)
{
	static const char *const ukeys[] = { "name", "password", "uid", "gid", "gecos", "home", "shell" };
	static const char *const gkeys[] = { "name", "password", "gid", "members" };
	const char *const *keys = users ? ukeys : gkeys;
	size_t nkeys = users ? 7 : 4;
	uint64_t off = 0;

	for (const char *p = buf, *end = buf + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		struct jw w;
		jw_begin(&w, out);
		jw_int(&w, "offset", (int64_t)off);
		const char *f = p;
		for (size_t k = 0; k < nkeys; k++) {
			const char *c = k + 1 < nkeys ? memchr(f, ':', (size_t)(le - f)) : NULL;
			const char *fe = c ? c : le;
			if (f > le) {
				jw_null(&w, keys[k]);
				continue;
			}
			if (strcmp(keys[k], "uid") == 0 || strcmp(keys[k], "gid") == 0)
				id_field(&w, keys[k], f, (size_t)(fe - f));
			else
				jw_bytes(&w, keys[k], f, (size_t)(fe - f));
			if (users && k == 5 && homes && fe > f && *f == '/' &&
			    !memchr(f, '\0', (size_t)(fe - f))) {
				/* the whole home: a cut one names another folder */
				char *h = strndup(f, (size_t)(fe - f));
				if (h)
					strset_add(homes, h);
				free(h);
			}
			f = c ? c + 1 : le + 1;
		}
		jw_bytes(&w, "line", p, (size_t)(le - p));
		jw_end(&w);
		off += (uint64_t)(le - p) + 1;
		p = nl ? nl + 1 : end;
	}
}

static int one_table(struct run *r, const char *path, bool users, const char *member,
		     struct strset *homes)
{
	struct capbuf in, out;
	int ret;

	capbuf_init(&in, ACCT_CAP);
	capbuf_init(&out, ACCT_CAP * 4);
	int e = host_read_small(AT_FDCWD, path, &in);
	if (e < 0 && e != -E2BIG)
		run_log(r, "accounts: cannot read '%s': %s", path, strerror(-e));
	else
		parse_lines(in.buf ? in.buf : "", in.len, users, &out, homes);
	ret = run_emit(r, "accounts", member, &out);
	capbuf_release(&in);
	capbuf_release(&out);
	return ret;
}

int src_accounts_collect(struct run *r)
{
	struct strset homes = { 0 };
	int ret = one_table(r, "/etc/passwd", true, "system/users.jsonl", &homes);

	if (ret == 0)
		ret = one_table(r, "/etc/group", false, "system/groups.jsonl", NULL);
	strset_add(&homes, "/root");
	size_t found = 0;
	for (size_t i = 0; ret == 0 && i < homes.nslots; i++) {
		const char *h = homes.slots[i];
		if (!h || strcmp(h, "/") == 0)
			continue;
		for (size_t k = 0; ret == 0 && k < sizeof(home_files) / sizeof(home_files[0]); k++) {
			char path[4200];
			struct statx st;
			if (xsnprintf(path, sizeof(path), "%s/%s", h, home_files[k]) < 0) {
				/* a cut path would name another file */
				run_log(r, "accounts: home '%s': path too long, not looked at",
					shown(h).s);
				break;
			}
			/* a home from /etc/passwd may name any folder: the probe
			 * never stats onto a slow mount, nor through a user's link */
			int se = host_stat_path(path, STATX_TYPE, &st);
			if (se < 0 && se != -EREMOTE && se != -ELOOP)
				continue;   /* absent or unreadable: nothing to record for a per-home probe */
			found++;
			if (se < 0) {   /* a slow mount, a user's link: recorded with why it is not read */
				ret = host_copy(r, "accounts", path, HOME_FILE_CAP, COPY_OPTIONAL);
				continue;
			}
			if (S_ISDIR(st.stx_mode)) {   /* user units, XDG autostart entries */
				struct step tree = { .kind = STEP_TREE, .arg = path, .max_depth = 8,
						     .max_file = HOME_TREE_FILE,
						     .max_total = HOME_TREE_TOTAL };
				ret = walk_step(r, &tree, NULL);
				continue;
			}
			ret = host_copy(r, "accounts", path, HOME_FILE_CAP, COPY_OPTIONAL);
		}
	}
	run_log(r, "accounts: %zu home directories looked at, %zu files found", homes.count, found);
	strset_free(&homes);
	return ret;
}
