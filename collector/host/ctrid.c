/* ctrid.c - a container's id from a cgroup path (ctrid.h). */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "ctrid.h"
#include "banned.h"

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static bool has(const char *s, size_t n, const char *w)
{
	size_t k = strlen(w);
	for (size_t i = 0; i + k <= n; i++)
		if (memcmp(s + i, w, k) == 0)
			return true;
	return false;
}

int ctrid_from_cgroup(const char *text, size_t len, char id[CTR_ID_LEN + 1],
		      const char **runtime)
{
	const char *best = NULL, *line = NULL;
	size_t line_len = 0;

	for (const char *p = text, *end = text + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		/* the last run of exactly 64 hex digits, bounded by non-hex */
		for (size_t i = 0; i + CTR_ID_LEN <= n; i++) {
			if ((i && is_hex(p[i - 1])) || !is_hex(p[i]))
				continue;
			size_t k = 0;
			while (i + k < n && is_hex(p[i + k]))
				k++;
			if (k == CTR_ID_LEN) {
				best = p + i;
				line = p, line_len = n;
			}
			i += k;
		}
		p = nl ? nl + 1 : end;
	}
	if (!best)
		return -ENOENT;
	memcpy(id, best, CTR_ID_LEN);
	id[CTR_ID_LEN] = '\0';
	*runtime = has(line, line_len, "kubepods") ? "kubernetes" :
		   has(line, line_len, "docker") ? "docker" :
		   has(line, line_len, "libpod") ? "podman" :
		   has(line, line_len, "crio") ? "cri-o" :
		   has(line, line_len, "containerd") ? "containerd" : "unknown";
	return 0;
}
