/*
 * cmd_selfcheck.c - `irsnap selfcheck`: the responder's first lines on the
 * paper log (issue 23, item 4), before anything is collected: the
 * binary's own SHA-256 and path, its version, commit and source hash, the
 * architecture it was built for and the one it runs on, whether it is
 * static (no program interpreter), and whether it runs from a read-only
 * mount (the write-protected media the procedure asks for). Reads nothing
 * of the host but /proc/self; writes nothing.
 *
 * Exit status: 0 all as it should be, 1 a warning (writable media, not
 * static, another architecture), 2 usage error.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "build_info.h"
#include "capbuf.h"
#include "commands.h"
#include "mountinfo.h"
#include "procfs.h"
#include "sha256.h"
#include "textutil.h"
#include "banned.h"

#if defined(__x86_64__)
#define BUILT_FOR "x86_64"
#elif defined(__aarch64__)
#define BUILT_FOR "aarch64"
#else
#define BUILT_FOR "unknown"
#endif

/* Whether the ELF file has a PT_INTERP header: -1 unreadable. */
static int has_interp(int fd)
{
	Elf64_Ehdr eh;
	if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum > 256)
		return -1;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + i * sizeof(ph))) != (ssize_t)sizeof(ph))
			return -1;
		if (ph.p_type == PT_INTERP)
			return 1;
	}
	return 0;
}

/* The mount holding fd: "fstype source on point (options)". */
static void mount_of(int fd, char *out, size_t len)
{
	struct statx st;
	snprintf(out, len, "its mount not found");
	if (statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &st) < 0 || !(st.stx_mask & STATX_MNT_ID))
		return;
	int pfd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct capbuf mi;
	capbuf_init(&mi, 16u << 20);
	struct mi_line m;
	if (pfd >= 0 && proc_read(pfd, "self/mountinfo", &mi) >= 0 &&
	    mountinfo_find(mi.buf, mi.len, st.stx_mnt_id, &m) == 0) {
		/* every field through shown(): a FUSE subtype or source is
		 * whatever its mounter named, escape sequences included */
		char f[4][200];
		const struct mi_field *src[4] = { &m.fstype, &m.source, &m.mount_point, &m.options };
		for (int i = 0; i < 4; i++) {
			size_t k = src[i]->n < sizeof(f[i]) ? src[i]->n : sizeof(f[i]) - 1;
			memcpy(f[i], src[i]->s, k);
			f[i][k] = '\0';
		}
		snprintf(out, len, "%.60s %.200s on %.200s (%.200s)", shown(f[0]).s, shown(f[1]).s,
			 shown(f[2]).s, shown(f[3]).s);
	}
	capbuf_release(&mi);
	if (pfd >= 0)
		close(pfd);
}

int cmd_selfcheck(int argc, char **argv)
{
	if (argc > 1) {
		bool help = strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0;
		fputs("usage: irsnap selfcheck\n\n"
		      "The responder's first lines on the paper log: this binary's SHA-256 and\n"
		      "path, version, commit and source hash, the architecture, whether it is\n"
		      "static and whether it runs from a read-only mount. Reads only /proc/self.\n"
		      "\n  -h, --help    this text\n"
		      "\nExit status: 0 as it should be, 1 a warning (writable media, not static,\n"
		      "another architecture), 2 usage error.\n", help ? stdout : stderr);
		return help ? EXIT_COMPLETE : EXIT_USAGE;
	}
	int warn = 0;
	char sha[SHA256_HEX_LEN], path[4096], where[768];
	ssize_t pl = readlink("/proc/self/exe", path, sizeof(path) - 1);
	path[pl > 0 ? pl : 0] = '\0';
	sha256_self(sha);
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	struct stat st;
	struct statvfs vfs;
	bool ro = fd >= 0 && fstatvfs(fd, &vfs) == 0 && (vfs.f_flag & ST_RDONLY);
	int interp = fd >= 0 ? has_interp(fd) : -1;
	long long size = fd >= 0 && fstat(fd, &st) == 0 ? (long long)st.st_size : -1;
	where[0] = '\0';
	if (fd >= 0)
		mount_of(fd, where, sizeof(where));
	if (fd >= 0)
		close(fd);
	struct utsname u;
	if (uname(&u) < 0)
		snprintf(u.machine, sizeof(u.machine), "unknown");

	printf("irsnap: selfcheck: irsnap %s, commit %s, source sha256 %s\n", IRSNAP_VERSION,
	       IRSNAP_COMMIT, IRSNAP_SOURCE_SHA256);
	printf("irsnap: selfcheck: binary %s, sha256 %s, %lld bytes\n", shown(path).s,
	       sha[0] ? sha : "(unreadable)", size);
	bool same = strcmp(u.machine, BUILT_FOR) == 0;
	printf("irsnap: selfcheck: built for %s, running on %s%s\n", BUILT_FOR, shown(u.machine).s,
	       same ? "" : " (WARNING: another architecture: an emulator?)");
	printf("irsnap: selfcheck: static: %s\n", interp == 0 ? "yes (no program interpreter)" :
	       interp > 0 ? "NO (WARNING: it has a program interpreter: it would load host code)" :
	       "unknown (the binary could not be read)");
	printf("irsnap: selfcheck: media: %s, %s%s\n", ro ? "read-only" : "WRITABLE", where,
	       ro ? "" : " (WARNING: run irsnap from write-protected media)");
	printf("irsnap: selfcheck: uid %d, euid %d\n", (int)getuid(), (int)geteuid());
	warn = !ro || interp != 0 || !same || !sha[0];
	return warn ? EXIT_PARTIAL : EXIT_COMPLETE;
}
