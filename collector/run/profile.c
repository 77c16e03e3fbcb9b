/* profile.c - parsing collection profiles (profile.h). */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capbuf.h"
#include "profile.h"
#include "profiles_builtin.h"   /* generated from the manifests folder */
#include "source.h"
#include "banned.h"

#define PROFILE_FILE_CAP (1u << 20)

const char *profile_builtin(const char *name)
{
	for (size_t i = 0; i < sizeof(builtin_profiles) / sizeof(builtin_profiles[0]); i++)
		if (strcmp(builtin_profiles[i].name, name) == 0)
			return builtin_profiles[i].text;
	return NULL;
}

static int parse_size(const char *s, uint64_t *ret)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	uint64_t mul = 1;

	if (end == s || s[0] == '-')
		return -EINVAL;
	if (*end == 'K' || *end == 'k')
		mul = 1ULL << 10, end++;
	else if (*end == 'M' || *end == 'm')
		mul = 1ULL << 20, end++;
	else if (*end == 'G' || *end == 'g')
		mul = 1ULL << 30, end++;
	if (*end || __builtin_mul_overflow((uint64_t)v, mul, ret))
		return -EINVAL;
	return 0;
}

static bool known_source(const char *name)
{
	return source_find(name) != NULL;
}

/* Split a line into words (spaces and tabs); words may not hold spaces. */
static size_t words(char *line, char **w, size_t max)
{
	size_t n = 0;
	char *p = line;

	while (*p && n < max) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		w[n++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (*p)
			*p++ = '\0';
	}
	return n;
}

#define FAIL(...) do { snprintf(err, errlen, __VA_ARGS__); goto fail; } while (0)

int profile_parse(const char *text, size_t len, const char *origin, struct profile *ret,
		  char *err, size_t errlen)
{
	struct profile p = { 0 };
	char *copy = malloc(len + 1);
	unsigned lineno = 0;

	if (!copy) {
		snprintf(err, errlen, "%s: out of memory", origin);
		return -ENOMEM;
	}
	memcpy(copy, text, len);
	copy[len] = '\0';
	p.origin = strdup(origin);
	if (!p.origin)
		FAIL("%s: out of memory", origin);
	const char *nul = memchr(text, '\0', len);
	if (nul) {   /* a C string would end there, silently dropping the rest */
		unsigned at = 1;
		for (const char *q = text; q < nul; q++)
			at += *q == '\n';
		FAIL("%s: line %u: a NUL byte (not a text profile)", origin, at);
	}
	for (char *line = copy, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		if (strchr(line, '\r'))   /* every path would end in a CR, "absent" */
			FAIL("%s: line %u: a carriage return (a CRLF file? save it with LF)",
			     origin, lineno);
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		char *w[12];
		size_t n = words(line, w, 12);
		if (n == 0)
			continue;
		if (n == 12)
			FAIL("%s: line %u: too many words", origin, lineno);
		if (strcmp(w[0], "profile") == 0) {
			if (n != 2 || p.name)
				FAIL("%s: line %u: 'profile' takes one name, once", origin, lineno);
			if (!(p.name = strdup(w[1])))
				FAIL("%s: out of memory", origin);
			continue;
		}
		if (strcmp(w[0], "budget") == 0) {
			uint64_t v;
			if (n != 2 || parse_size(w[1], &v) < 0 || v == 0 || v > 86400 * 7)
				FAIL("%s: line %u: 'budget' takes a number of seconds", origin, lineno);
			p.budget_seconds = (unsigned)v;
			continue;
		}
		if (strcmp(w[0], "images") == 0) {
			uint64_t v;
			uint64_t ms = 0;
			size_t l = n == 3 ? strlen(w[2]) : 0;
			bool in_ms = l > 2 && !strcmp(w[2] + l - 2, "ms");
			if (in_ms)
				w[2][l - 2] = '\0';
			if ((n != 2 && n != 3) || parse_size(w[1], &v) < 0 ||
			    (n == 3 && (parse_size(w[2], &ms) < 0 || ms == 0 || ms > 86400000 ||
					(!in_ms && ms > 86400))))
				FAIL("%s: line %u: 'images' takes a size (bytes, or with K, M or G) "
				     "and maybe a time (seconds, or with ms)", origin, lineno);
			p.images_total = v ? v : 1;   /* 0: copy none (1 byte holds no image) */
			p.images_ms = (unsigned)(in_ms ? ms : ms * 1000);
			continue;
		}
		if (strcmp(w[0], "findings-window") == 0) {
			uint64_t v;
			if (n != 2 || parse_size(w[1], &v) < 0 || v == 0 || v > 3650)
				FAIL("%s: line %u: 'findings-window' takes a number of days (1 to 3650)",
				     origin, lineno);
			p.findings_window_days = (unsigned)v;
			continue;
		}
		if (strcmp(w[0], "packages-root") == 0) {
			if (n != 2 || w[1][0] != '/' || strlen(w[1]) >= 1024 || p.packages_root)
				FAIL("%s: line %u: 'packages-root' takes one absolute path (of at most "
				     "1023 bytes), once", origin, lineno);
			size_t l = strlen(w[1]);
			while (l > 1 && w[1][l - 1] == '/')
				w[1][--l] = '\0';
			if (!(p.packages_root = strdup(strcmp(w[1], "/") == 0 ? "" : w[1])))
				FAIL("%s: out of memory", origin);
			continue;
		}
		if (strcmp(w[0], "fs-deadline") == 0) {
			uint64_t v;
			if (n != 2 || parse_size(w[1], &v) < 0 || v == 0 || v > 600)
				FAIL("%s: line %u: 'fs-deadline' takes a number of seconds (1 to 600)",
				     origin, lineno);
			p.fs_deadline_ms = (unsigned)v * 1000;
			continue;
		}
		struct step s = { .line = lineno, .max_file = 64ULL << 20, .max_total = 0,
				  .max_depth = 64 };
		if (strcmp(w[0], "step") == 0)
			s.kind = STEP_SOURCE;
		else if (strcmp(w[0], "copy") == 0)
			s.kind = STEP_COPY;
		else if (strcmp(w[0], "tree") == 0)
			s.kind = STEP_TREE;
		else if (strcmp(w[0], "list") == 0)
			s.kind = STEP_LIST, s.max_file = 0;
		else if (strcmp(w[0], "timeline") == 0)
			s.kind = STEP_TIMELINE, s.max_file = 0;
		else if (strcmp(w[0], "disk") == 0)
			s.kind = STEP_DISK, s.max_file = 0;
		else
			FAIL("%s: line %u: unknown directive '%s'", origin, lineno, w[0]);
		if (n < 2)
			FAIL("%s: line %u: '%s' needs an argument", origin, lineno, w[0]);
		if (s.kind == STEP_SOURCE) {
			if (n != 2)
				FAIL("%s: line %u: 'step' takes one source name", origin, lineno);
			if (!known_source(w[1]))
				FAIL("%s: line %u: unknown source '%s' (see irsnap list)", origin, lineno, w[1]);
		} else if (w[1][0] != '/') {
			FAIL("%s: line %u: '%s' needs an absolute path, not '%s'", origin, lineno, w[0], w[1]);
		} else if (strlen(w[1]) >= PATH_MAX) {
			FAIL("%s: line %u: a path of %zu bytes (at most %d)", origin, lineno,
			     strlen(w[1]), PATH_MAX - 1);
		}
		if (s.kind == STEP_DISK && n != 2)
			FAIL("%s: line %u: 'disk' takes one path", origin, lineno);
		for (size_t k = 2; k < n; k++) {
			uint64_t v;
			bool has_val = k + 1 < n;
			if (strcmp(w[k], "hash-exec") == 0 && s.kind == STEP_TIMELINE) {
				s.hash_exec = true;
			} else if (strcmp(w[k], "hash-code") == 0 && s.kind == STEP_TIMELINE) {
				s.hash_code = true;
			} else if (has_val && strcmp(w[k], "max-file") == 0 &&
				   (s.kind == STEP_COPY || s.kind == STEP_TREE) && parse_size(w[k + 1], &v) == 0) {
				s.max_file = v, k++;
			} else if (has_val && strcmp(w[k], "max-total") == 0 &&
				   (s.kind == STEP_TREE || s.kind == STEP_LIST) &&
				   parse_size(w[k + 1], &v) == 0) {
				s.max_total = v, k++;
			} else if (has_val && strcmp(w[k], "copy-exec") == 0 && s.kind == STEP_LIST &&
				   parse_size(w[k + 1], &v) == 0) {
				s.max_file = v, k++;
			} else if (has_val && strcmp(w[k], "max-depth") == 0 && s.kind != STEP_SOURCE &&
				   s.kind != STEP_COPY && parse_size(w[k + 1], &v) == 0 && v > 0 && v <= 4096) {
				s.max_depth = (unsigned)v, k++;
			} else {
				FAIL("%s: line %u: '%s' does not take '%s' (or its value is wrong)", origin,
				     lineno, w[0], w[k]);
			}
		}
		/* a step that copies is always capped in total: a /tmp full of
		 * binaries once filled the output */
		if ((s.kind == STEP_TREE || (s.kind == STEP_LIST && s.max_file)) && !s.max_total)
			s.max_total = DEFAULT_MAX_TOTAL;
		s.arg = strdup(w[1]);
		struct step *v = reallocarray(p.steps, p.nsteps + 1, sizeof(*v));
		if (v)   /* moved even when the strdup failed: never keep the old one */
			p.steps = v;
		if (!v || !s.arg) {
			free(s.arg);
			FAIL("%s: out of memory", origin);
		}
		p.steps[p.nsteps++] = s;
	}
	if (!p.name && !(p.name = strdup("unnamed")))
		FAIL("%s: out of memory", origin);
	if (p.nsteps == 0) {
		snprintf(err, errlen, "%s: no steps", origin);
		goto fail;
	}
	free(copy);
	*ret = p;
	return 0;
fail:
	free(copy);
	profile_free(&p);
	return -EINVAL;
}

int profile_load(const char *name_or_path, struct profile *ret, char *err, size_t errlen)
{
	const char *text = profile_builtin(name_or_path);
	char origin[300];

	if (text) {
		snprintf(origin, sizeof(origin), "built-in profile '%s'", name_or_path);
		return profile_parse(text, strlen(text), origin, ret, err, errlen);
	}
	if (!strchr(name_or_path, '/')) {
		snprintf(err, errlen, "no profile named '%s' (built in: triage, full, minimal; "
			 "or give a file path)", name_or_path);
		return -ENOENT;
	}
	int fd = open(name_or_path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open profile '%s': %s", name_or_path, strerror(errno));
		return -errno;
	}
	struct capbuf cb;
	capbuf_init(&cb, PROFILE_FILE_CAP);
	int r = capbuf_read_fd(&cb, fd);
	close(fd);
	if (r < 0) {
		snprintf(err, errlen, "cannot read profile '%s': %s", name_or_path,
			 r == -E2BIG ? "larger than 1 MiB" : strerror(-r));
		capbuf_release(&cb);
		return r;
	}
	r = profile_parse(cb.buf ? cb.buf : "", cb.len, name_or_path, ret, err, errlen);
	capbuf_release(&cb);
	return r;
}

void profile_free(struct profile *p)
{
	for (size_t i = 0; i < p->nsteps; i++)
		free(p->steps[i].arg);
	free(p->steps);
	free(p->name);
	free(p->origin);
	free(p->packages_root);
	memset(p, 0, sizeof(*p));
}
