/*
 * logind.c - systemd-logind's runtime state: /run/systemd/sessions, users
 * and seats. Each regular file is copied raw and parsed (KEY=VALUE lines,
 * values C-unescaped as systemd's env-file writer escapes them); the
 * sessions' .ref FIFOs are recorded and never opened.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "copy.h"
#include "hostfile.h"
#include "logind.h"
#include "textutil.h"
#include "banned.h"

#define LOGIND_FILE_CAP (1u << 20)


size_t logind_unescape(const char *in, size_t n, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (in[i] != '\\' || i + 1 >= n) {
			out[o++] = in[i];
			continue;
		}
		char c = in[++i];
		switch (c) {
		case 'n': out[o++] = '\n'; break;
		case 't': out[o++] = '\t'; break;
		case 'r': out[o++] = '\r'; break;
		case 'a': out[o++] = '\a'; break;
		case 'b': out[o++] = '\b'; break;
		case 'f': out[o++] = '\f'; break;
		case 'v': out[o++] = '\v'; break;
		case 'x':
			if (i + 2 < n && hex_digit(in[i + 1]) >= 0 && hex_digit(in[i + 2]) >= 0) {
				out[o++] = (char)(hex_digit(in[i + 1]) * 16 + hex_digit(in[i + 2]));
				i += 2;
			} else {
				out[o++] = '\\';
				out[o++] = 'x';
			}
			break;
		default:
			if (c >= '0' && c <= '7' && i + 2 < n && in[i + 1] >= '0' && in[i + 1] <= '7' &&
			    in[i + 2] >= '0' && in[i + 2] <= '7') {
				out[o++] = (char)((c - '0') * 64 + (in[i + 1] - '0') * 8 + (in[i + 2] - '0'));
				i += 2;
			} else {
				out[o++] = c;   /* \\, \", \' and unknown escapes: the char */
			}
		}
	}
	return o;
}

int logind_parse(const char *buf, size_t len, json_t *fields)
{
	char *tmp = malloc(len + 1);

	if (!tmp)
		return -ENOMEM;
	for (const char *p = buf, *end = buf + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		const char *eq = memchr(p, '=', (size_t)(le - p));
		if (eq && eq > p && *p != '#') {
			char key[128];
			size_t kl = (size_t)(eq - p) < sizeof(key) - 1 ? (size_t)(eq - p) : sizeof(key) - 1;
			memcpy(key, p, kl);
			key[kl] = '\0';
			size_t vl = logind_unescape(eq + 1, (size_t)(le - eq - 1), tmp);
			json_set_bytes(fields, key, tmp, vl);
		}
		p = nl ? nl + 1 : end;
	}
	free(tmp);
	return 0;
}

static int one_dir(struct run *r, const char *dir, const char *kind, struct capbuf *out)
{
	DIR *d = host_opendir(dir);
	struct dirent *de;
	int ret = 0;

	if (!d) {
		run_log(r, "sessions: no '%s' (%s)", dir, errno == EREMOTE ?
			"not read: on a file system that answers through a server, or behind "
			"root's link onto one" : strerror(errno));
		return 0;
	}
	while (ret == 0 && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char path[512];
		if (xsnprintf(path, sizeof(path), "%s/%s", dir, de->d_name) < 0)
			continue;
		ret = host_copy(r, "sessions", path, LOGIND_FILE_CAP, COPY_OPTIONAL);
		struct capbuf cb;
		capbuf_init(&cb, LOGIND_FILE_CAP);
		int e = ret == 0 ? host_read_small(AT_FDCWD, path, &cb) : -EBADF;
		if (e == 0 || e == -E2BIG) {
			json_t *o = json_object(), *f = json_object();
			json_set_str(o, "source", path);
			json_set_str(o, "kind", kind);
			json_set_bytes(o, "name", de->d_name, strlen(de->d_name));
			logind_parse(cb.buf ? cb.buf : "", cb.len, f);
			json_set_new(o, "fields", f);
			json_append_line(out, o);
			json_decref(o);
		}
		capbuf_release(&cb);
	}
	closedir(d);
	return ret;
}

int logind_collect(struct run *r, struct capbuf *out)
{
	int ret = one_dir(r, "/run/systemd/sessions", "logind-session", out);
	if (ret == 0)
		ret = one_dir(r, "/run/systemd/users", "logind-user", out);
	if (ret == 0)
		ret = one_dir(r, "/run/systemd/seats", "logind-seat", out);
	return ret;
}
