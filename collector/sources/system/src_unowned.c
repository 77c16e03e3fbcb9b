/*
 * src_unowned.c - executables in the system's bin and sbin folders that no
 * installed package lists (packages_int.h): a dropped tool or a binary put
 * beside the packaged ones. Links are not followed (update-alternatives
 * makes many); only regular files with an execute bit are recorded, with
 * their SHA-256. And the paths the packages sources share: the usr-merge
 * aliases they read packaged paths through, the system folders.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hostfile.h"
#include "jsonw.h"
#include "packages_int.h"
#include "sha256.h"
#include "banned.h"

static const char *const alias_dirs[6] = { "bin", "sbin", "lib", "lib32", "lib64", "libx32" };

void pkgs_find_aliases(struct pkgs *k)
{
	for (int i = 0; i < 6; i++) {
		char path[4200], want[32], *t = NULL;
		size_t tl;
		snprintf(path, sizeof(path), "%s/%s", k->root, alias_dirs[i]);
		snprintf(want, sizeof(want), "usr/%s", alias_dirs[i]);
		k->alias[i] = host_readlink(AT_FDCWD, path, &t, &tl) == 0 &&
			      (strcmp(t, want) == 0 || (t[0] == '/' && strcmp(t + 1, want) == 0));
		free(t);
	}
}

bool pkgs_system_dir(const char *p)
{
	if (strncmp(p, "/usr/", 5) == 0)
		p += 4;
	if (*p != '/')
		return false;
	p++;
	return strncmp(p, "bin/", 4) == 0 || strncmp(p, "sbin/", 5) == 0 ||
	       strncmp(p, "lib", 3) == 0;   /* lib/, lib64/, libexec/, lib/modules/ */
}

const char *pkgs_unsafe_path(const char *path)
{
	for (const char *c = path; (c = strstr(c, "..")); c += 2)
		if ((c == path || c[-1] == '/') && (c[2] == '/' || c[2] == '\0'))
			return "a '..' in the path: not followed";
	return NULL;
}

bool pkgs_on_disk(const struct pkgs *k, const char *path, char *out, size_t size)
{
	const char *usr = "";
	for (int i = 0; i < 6; i++) {
		size_t n = strlen(alias_dirs[i]);
		if (k->alias[i] && path[0] == '/' && strncmp(path + 1, alias_dirs[i], n) == 0 &&
		    (path[1 + n] == '/' || path[1 + n] == '\0')) {
			usr = "/usr";
			break;
		}
	}
	int n = snprintf(out, size, "%s%s%s", k->root, usr, path);
	return n >= 0 && (size_t)n < size;
}

static void one_dir(struct pkgs *k, const char *dir)
{
	char at[4200];
	snprintf(at, sizeof(at), "%s%s", k->root, dir);
	DIR *d = host_opendir(at);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char path[4096], disk[4200], sha[SHA256_HEX_LEN] = "";
		struct statx st;
		if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (statx(dirfd(d), e->d_name, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, STATX_BASIC_STATS, &st) < 0 ||
		    !S_ISREG(st.stx_mode) || !(st.stx_mode & 0111))
			continue;
		if (!pkgs_on_disk(k, path, disk, sizeof(disk)) || strset_has(&k->owned, disk))
			continue;
		int fd = host_open(dirfd(d), e->d_name, 0, NULL, NULL);
		if (fd >= 0) {
			sha256_fd(fd, HASH_CAP, sha, NULL);
			close(fd);
		}
		char mode[8];
		snprintf(mode, sizeof(mode), "%04o", st.stx_mode & 07777);
		struct jw w;
		jw_begin(&w, &k->ver.buf);
		jw_str(&w, "kind", "unowned");
		jw_null(&w, "manager");
		jw_null(&w, "package");
		jw_str(&w, "path", path);
		jw_str(&w, "found_sha256", sha[0] ? sha : NULL);
		jw_int(&w, "size", (int64_t)st.stx_size);
		jw_str(&w, "mode", mode);
		jw_int(&w, "uid", st.stx_uid);
		jw_int(&w, "gid", st.stx_gid);
		jw_end(&w);
		spool_flush(&k->ver);
		k->unowned++;
	}
	closedir(d);
}

void unowned_executables(struct pkgs *k)
{
	/* /usr/local is the administrator's, where unpackaged is the rule */
	static const char *const dirs[] = { "/usr/bin", "/usr/sbin", "/bin", "/sbin" };
	for (size_t i = 0; i < k->ndiv; i++) {   /* a diverted file is owned where it went */
		char from[4200], to[4200];
		if (!k->div[i].from || !k->div[i].to)
			continue;
		if (pkgs_on_disk(k, k->div[i].from, from, sizeof(from)) &&
		    pkgs_on_disk(k, k->div[i].to, to, sizeof(to)) && strset_has(&k->owned, from))
			strset_add(&k->owned, to);
	}
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		if ((i == 2 && k->alias[0]) || (i == 3 && k->alias[1]))
			continue;   /* the same folder as /usr/bin, /usr/sbin */
		one_dir(k, dirs[i]);
	}
}
