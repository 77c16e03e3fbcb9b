/* kmod.c - a kernel module's presence, read only (kmod.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "capbuf.h"
#include "hostfile.h"
#include "kmod.h"
#include "procfs.h"
#include "banned.h"

/* Whether `text` has a line starting with `word` then `end` (or the end
 * of the line when end is '\n'). */
static bool has_line(const char *text, size_t len, const char *word, char end)
{
	size_t n = strlen(word);

	for (const char *p = text, *e = text + len; p < e;) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));
		const char *le = nl ? nl : e;
		if ((size_t)(le - p) >= n && memcmp(p, word, n) == 0 &&
		    ((size_t)(le - p) == n ? end == '\n' : p[n] == end))
			return true;
		p = nl ? nl + 1 : e;
	}
	return false;
}

bool kmod_present(int procfd, const char *name)
{
	struct capbuf cb;
	char path[320];
	struct stat st;
	bool yes = false;

	capbuf_init(&cb, 4u << 20);
	int e = proc_read(procfd, "modules", &cb);
	if (e == -ENOENT && !cb.len) {
		capbuf_release(&cb);
		return true;   /* no module support: nothing can be loaded */
	}
	yes = cb.buf && has_line(cb.buf, cb.len, name, ' ');
	capbuf_release(&cb);
	snprintf(path, sizeof(path), "/sys/module/%s", name);
	if (!yes && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		yes = true;
	struct utsname u;
	if (!yes && uname(&u) == 0) {
		char ko[128];
		/* merged /usr: /lib is a link, which host reads never follow */
		snprintf(path, sizeof(path), "/usr/lib/modules/%s/modules.builtin", u.release);
		capbuf_init(&cb, 1u << 20);
		if (host_read_small(AT_FDCWD, path, &cb) < 0 && !cb.len) {
			snprintf(path, sizeof(path), "/lib/modules/%s/modules.builtin", u.release);
			host_read_small(AT_FDCWD, path, &cb);
		}
		if (cb.buf) {
			/* lines are paths: kernel/net/netfilter/nf_tables.ko */
			snprintf(ko, sizeof(ko), "/%s.ko", name);
			for (const char *p = cb.buf; !yes && (p = strstr(p, ko)); p += strlen(ko))
				yes = p[strlen(ko)] == '\n' || p[strlen(ko)] == '\0';
		}
		capbuf_release(&cb);
	}
	return yes;
}

static bool same_module(const char *base, size_t n, const char *name)
{
	static const char *const ext[] = { ".ko.zst", ".ko.xz", ".ko.gz", ".ko" };
	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		size_t k = strlen(ext[i]);
		if (n > k && memcmp(base + n - k, ext[i], k) == 0) {
			n -= k;
			break;
		}
	}
	if (strlen(name) != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char a = base[i] == '-' ? '_' : base[i], b = name[i] == '-' ? '_' : name[i];
		if (a != b)
			return false;
	}
	return true;
}

int kmod_dep_path(const char *dep, size_t len, const char *name, const char **path,
		  size_t *plen)
{
	for (const char *p = dep, *e = dep + len; p < e;) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));
		const char *le = nl ? nl : e;
		const char *colon = memchr(p, ':', (size_t)(le - p));
		if (colon && colon > p) {
			const char *base = colon;
			while (base > p && base[-1] != '/')
				base--;
			if (same_module(base, (size_t)(colon - base), name)) {
				*path = p;
				*plen = (size_t)(colon - p);
				return 0;
			}
		}
		p = nl ? nl + 1 : e;
	}
	return -ENOENT;
}
