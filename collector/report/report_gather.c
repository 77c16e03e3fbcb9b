/*
 * report_gather.c - what the report keeps of a bundle, as verify reads it
 * (report.h): each member of interest is cut into lines and each line
 * becomes a small record of the report's model; everything else passes.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bodyfile.h"
#include "report.h"
#include "report_int.h"
#include "textutil.h"
#include "vec.h"
#include "banned.h"

#define LINE_CAP (64u << 20)

/* The persistence files the report parses, by their path under fs/. */
static const char *const persist_globs[] = {
	"etc/crontab", "etc/anacrontab", "etc/cron.d/*", "var/spool/cron/*",
	"var/spool/cron/crontabs/*", "etc/systemd/system/*.service", "etc/systemd/system/*.timer",
	"etc/systemd/system/*/*.service", "etc/systemd/system/*/*.timer",
	"etc/systemd/user/*.service", "etc/systemd/user/*.timer",
	"root/.ssh/authorized_keys*", "home/*/.ssh/authorized_keys*", "etc/ld.so.preload",
	"etc/pam.d/*", "etc/profile", "etc/profile.d/*", "etc/bash.bashrc", "etc/rc.local",
	"root/.bashrc", "root/.profile", "root/.bash_profile", "home/*/.bashrc",
	"home/*/.profile", "home/*/.bash_profile",
};

static enum rmember kind_of(struct rbundle *b, const char *rel)
{
	static const struct { const char *name; enum rmember k; } fixed[] = {
		{ "findings.jsonl", RM_FINDINGS }, { "volatile/processes.jsonl", RM_PROCS },
		{ "volatile/open-files.jsonl", RM_FILES }, { "volatile/sockets.jsonl", RM_SOCKS },
		{ "logins/wtmp.jsonl", RM_WTMP }, { "logins/btmp.jsonl", RM_BTMP },
		{ "logins/lastlog.jsonl", RM_LASTLOG }, { "logins/lastlog2.jsonl", RM_LASTLOG },
		{ "volatile/sessions.jsonl", RM_UTMP }, { "logins/anomalies.jsonl", RM_ANOM },
		{ "volatile/sessions-anomalies.jsonl", RM_ANOM }, { "index.jsonl", RM_INDEX },
		{ "acquisition.log", RM_WORKLOG },
	};
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (strcmp(rel, fixed[i].name) == 0)
			return b->model || fixed[i].k == RM_FINDINGS ? fixed[i].k : RM_NONE;
	if (!b->model)
		return RM_NONE;   /* --text: the findings are all it shows */
	long long ns;
	char what[16];
	int end = 0;
	if (sscanf(rel, "system/net/%lld/%15[a-z].jsonl%n", &ns, what, &end) == 2 &&
	    rel[end] == '\0') {
		b->netns = ns;
		b->net_kind = strcmp(what, "links") == 0 ? 'l' : strcmp(what, "addresses") == 0 ?
			      'a' : strcmp(what, "routes") == 0 ? 'r' :
			      strcmp(what, "neighbours") == 0 ? 'n' : 0;
		return b->net_kind ? RM_NET : RM_NONE;
	}
	if (strncmp(rel, "timeline/bodyfile.", 18) == 0)
		return RM_BODY;
	if (strncmp(rel, "fs/", 3) == 0)
		for (size_t i = 0; i < sizeof(persist_globs) / sizeof(persist_globs[0]); i++)
			if (fnmatch(persist_globs[i], rel + 3, FNM_PATHNAME) == 0)
				return RM_PERSIST;
	return RM_NONE;
}

int64_t civil_secs(int y, int mo, int d, int h, int mi, int s)
{
	/* days from civil (Howard Hinnant's algorithm) */
	int yy = y - (mo <= 2);
	int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
	int64_t yoe = yy - era * 400, mp = (mo + 9) % 12;
	int64_t doy = (153 * mp + 2) / 5 + d - 1, doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (era * 146097 + doe - 719468) * 86400 + h * 3600 + mi * 60 + s;
}

int64_t rfc3339_secs(const char *t)
{
	int y, mo, d, h, mi, s;
	if (!t || sscanf(t, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &s) != 6 || mo < 1 ||
	    mo > 12)
		return INT64_MIN;
	return civil_secs(y, mo, d, h, mi, s);
}

/* The collection's time from the folder name (...-YYYYMMDDTHHMMSSZ): run.json
 * comes after the timeline, and the window must be known while it passes. */
static void window_from_id(struct rbundle *b, const char *top)
{
	size_t n = strlen(top);
	int y, mo, d, h, mi, s;
	if (b->window_to || n < 16 || sscanf(top + n - 16, "%4d%2d%2dT%2d%2d%2dZ", &y, &mo, &d, &h,
					       &mi, &s) != 6 || mo < 1 || mo > 12)
		return;
	b->window_to = civil_secs(y, mo, d, h, mi, s) + 3600;   /* the run's hour */
	b->window_from = b->window_to - 3600 - (int64_t)b->window_days * 86400;
}

int report_member(void *ctx, const char *top, const char *rel)
{
	struct rbundle *b = ctx;

	window_from_id(b, top);
	b->kind = kind_of(b, rel);
	capbuf_reset(&b->part);
	b->file = NULL;
	if (b->kind == RM_PERSIST) {
		struct rfile *f = rvec_add(&b->persist, sizeof(*f), RP_PERSIST);
		if (f) {
			*f = (struct rfile){ .path = strdup(rel + 2) };
			capbuf_init(&f->text, RP_PERSIST_BYTES);
			b->file = f;
		}
	}
	return 0;
}

static void body_line(struct rbundle *b, const char *s, size_t n)
{
	struct body r;
	b->body_rows++;
	if (!body_parse(s, n, &r))
		return;
	const int64_t t[4] = { r.mtime, r.atime, r.ctime, r.btime };
	struct rbody row = { .t = INT64_MIN, .size = r.size, .uid = r.uid };
	for (int i = 0; i < 4; i++) {
		bool in = t[i] > 0 && t[i] >= b->window_from && (!b->window_to || t[i] <= b->window_to);
		row.macb[i] = in ? "macb"[i] : '.';
		if (in && t[i] > row.t)
			row.t = t[i];
	}
	if (row.t == INT64_MIN)
		return;
	memcpy(row.mode, r.mode, sizeof(row.mode));
	row.name = strndup(r.name, r.nlen);
	if (!row.name)
		return;
	if (b->body.n >= 4 * RP_BODY)
		rbody_keep_recent(&b->body, RP_BODY);
	struct rbody *slot = rvec_add(&b->body, sizeof(row), 4 * RP_BODY);
	if (slot)
		*slot = row;
	else
		free(row.name);
}

static void one_line(struct rbundle *b, const char *s, size_t n)
{
	if (n == 0)
		return;
	switch (b->kind) {
	case RM_BODY:
		body_line(b, s, n);
		return;
	case RM_INDEX:   /* only the systemd links are wanted: skip the rest unparsed */
		if (!memmem(s, n, "\"kind\":\"symlink\"", 16) || !memmem(s, n, "/systemd/", 9))
			return;
		break;
	default:
		break;
	}
	json_t *rec = json_loadb(s, n, 0, NULL);
	if (!json_is_object(rec)) {
		json_decref(rec);
		return;
	}
	switch (b->kind) {
	case RM_FINDINGS:
		json_array_append(b->found, rec);
		break;
	case RM_PROCS:
		rproc_add(b, rec);
		break;
	case RM_FILES:
		rfile_add(b, rec);
		break;
	case RM_SOCKS:
		rsock_add(b, rec);
		break;
	case RM_NET: {
		struct rnet *x = rvec_add(&b->net, sizeof(*x), RP_NET);
		if (x) {
			*x = (struct rnet){ .netns = b->netns, .kind = b->net_kind, .rec = rec };
			return;   /* kept */
		}
		break;
	}
	case RM_WTMP: case RM_BTMP: case RM_LASTLOG: case RM_UTMP:
		rlogin_add(b, rec, b->kind == RM_WTMP ? RL_WTMP : b->kind == RM_BTMP ? RL_BTMP :
			   b->kind == RM_LASTLOG ? RL_LASTLOG : RL_UTMP);
		break;
	case RM_ANOM: {
		json_t **x = rvec_add(&b->anoms, sizeof(*x), RP_ANOMS);
		if (x) {
			*x = rec;
			return;
		}
		break;
	}
	case RM_INDEX:
		rlink_add(b, rec);
		break;
	default:
		break;
	}
	json_decref(rec);
}

int report_data(void *ctx, const void *buf, size_t n)
{
	struct rbundle *b = ctx;
	const char *p = buf, *end = p + n;

	switch (b->kind) {
	case RM_NONE:
		return 0;
	case RM_WORKLOG:
		capbuf_add(&b->worklog, buf, n);
		return 0;
	case RM_PERSIST:
		if (b->file)
			capbuf_add(&b->file->text, buf, n);
		return 0;
	case RM_FINDINGS:
		capbuf_add(&b->findings, buf, n);
		break;
	default:
		break;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl) {
			capbuf_add(&b->part, p, (size_t)(end - p));
			break;
		}
		if (b->part.len) {
			capbuf_add(&b->part, p, (size_t)(nl - p));
			if (!b->part.truncated)
				one_line(b, b->part.buf, b->part.len);
			capbuf_reset(&b->part);
			b->part.truncated = false;
		} else {
			one_line(b, p, (size_t)(nl - p));
		}
		p = nl + 1;
	}
	return 0;
}

int report_member_end(void *ctx, const char *rel)
{
	struct rbundle *b = ctx;
	(void)rel;
	if (b->part.len && !b->part.truncated && b->kind != RM_WORKLOG && b->kind != RM_PERSIST)
		one_line(b, b->part.buf, b->part.len);
	capbuf_reset(&b->part);
	b->part.truncated = false;
	b->kind = RM_NONE;
	b->file = NULL;
	return 0;
}

void report_read(struct rbundle *b, const char *path, const struct capbuf *pub,
		 const char *fpr, bool model)
{
	struct capbuf report;
	struct stat st;

	b->path = path;
	b->model = model;
	if (!b->window_days)
		b->window_days = 7;
	b->fails = -EIO;
	b->found = json_array();
	capbuf_init(&b->findings, 16u << 20);
	capbuf_init(&b->part, LINE_CAP);
	capbuf_init(&b->worklog, RP_WORKLOG);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		say("cannot read '%s': %s", shown(path).s, fd < 0 ? strerror(errno) :
		    "not a regular file");
		if (fd >= 0)
			close(fd);
		return;
	}
	const struct verify_tap tap = { .member = report_member, .data = report_data,
					.member_end = report_member_end, .ctx = b };
	capbuf_init(&report, 1u << 20);
	b->fails = verify_bundle_tapped(fd, pub && pub->len ? pub->buf : NULL, pub ? pub->len : 0,
					fpr, &b->res, &report, &tap);
	close(fd);
	capbuf_release(&report);
	capbuf_release(&b->part);
	if (b->res.run_json)
		b->run = json_loadb(b->res.run_json, b->res.run_json_len, 0, NULL);
	if (model)
		report_link(b);
}
