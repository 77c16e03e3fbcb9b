/*
 * checks_other.c - the checks of sockets, the loader and the logins, and
 * the joins made once every member is read (findings.h; README
 * "Findings" says what each looks at and what a benign cause can be).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "findings_int.h"
#include "jsonx.h"
#include "banned.h"

#define SOCKS "volatile/sockets.jsonl"

/* ---- peeks: fields of a record without parsing it -------------------- */

/* The first `key` (`"name":`) in the line: its integer, or dflt. */
static int64_t peek_int(const char *line, size_t len, const char *key, int64_t dflt)
{
	const char *k = memmem(line, len, key, strlen(key));
	if (!k)
		return dflt;
	const char *v = k + strlen(key), *end = line + len;
	char buf[24];
	size_t n = 0;
	while (v < end && n + 1 < sizeof(buf) && (*v == '-' || (*v >= '0' && *v <= '9')))
		buf[n++] = *v++;
	buf[n] = '\0';
	return n ? strtoll(buf, NULL, 10) : dflt;
}

/* The first `key` (`"name":"`) in the line: its string's raw bytes. */
static void peek_str(const char *line, size_t len, const char *key, char *out, size_t size)
{
	const char *k = memmem(line, len, key, strlen(key));
	size_t n = 0;
	if (k)
		for (const char *v = k + strlen(key); v < line + len && *v != '"' && n + 1 < size; v++)
			out[n++] = *v;
	out[n] = '\0';
}

/* ---- sockets ------------------------------------------------------------ */

/* Every socket a process owns is noted (without parsing) for the joins;
 * the lines worth a finding of their own are parsed. */
static bool socket_pre(struct findings *f, const char *line, size_t len)
{
	const char *o = memmem(line, len, "\"owners\":[{", 11);
	if (o) {
		struct sock_note s = { .netns = peek_int(line, len, "\"netns\":", -1),
				       .inode = peek_int(line, len, "\"inode\":", -1) };
		peek_str(line, len, "\"state\":\"", s.state, sizeof(s.state));
		peek_str(line, len, "\"proto\":\"", s.proto, sizeof(s.proto));
		const char *l = memmem(line, len, "\"local\":{", 9);
		const char *r = memmem(line, len, "\"remote\":{", 10);
		if (l) {
			char a[64];
			peek_str(l, (size_t)(line + len - l), "\"addr\":\"", a, sizeof(a));
			snprintf(s.local, sizeof(s.local), "%s:%lld", a,
				 (long long)peek_int(l, (size_t)(line + len - l), "\"port\":", 0));
		}
		if (r) {
			char a[64];
			peek_str(r, (size_t)(line + len - r), "\"addr\":\"", a, sizeof(a));
			snprintf(s.remote, sizeof(s.remote), "%s:%lld", a,
				 (long long)peek_int(r, (size_t)(line + len - r), "\"port\":", 0));
		}
		for (const char *p = o; p && p < line + len;) {   /* each owner */
			p = memmem(p, (size_t)(line + len - p), "{\"pid\":", 7);
			if (!p)
				break;
			s.pid = peek_int(p, (size_t)(line + len - p), "{\"pid\":", -1);
			note_socket(f, &s);
			p += 7;
		}
	}
	return HAS(line, len, "\"single_view\":true") ||
	       HAS(line, len, "\"proto\":\"raw") || HAS(line, len, "\"proto\":\"packet");
}

static json_t *sock_seen(json_t *rec)
{
	json_t *s = json_object();
	static const char *const k[] = { "netns", "proto", "family", "state", "inode", "local",
		"remote", "owners", "seen_by", NULL };
	for (int i = 0; k[i]; i++)
		if (json_object_get(rec, k[i]))
			json_object_set(s, k[i], json_object_get(rec, k[i]));
	return s;
}

static const char *owner_comm(json_t *rec)
{
	const char *c = rec_str(json_array_get(json_object_get(rec, "owners"), 0), "comm");
	return c ? c : "no owner";
}

static void socket_line(struct findings *f, const char *m, json_t *rec, const char *b, size_t n)
{
	(void)b; (void)n;
	const char *proto = rec_str(rec, "proto");
	json_t *ev = ev_list(ev_record(m, "netns", rec_int(rec, "netns", -1), "inode",
				       rec_int(rec, "inode", -1)));
	if (rec_true(rec, "single_view")) {
		finding(f, "socket_one_view", SEV_MEDIUM, "T1014", sock_seen(rec), ev,
			"a %s socket (inode %lld, %s) in one of the two views: hidden from one, or "
			"made or closed between them", proto ? proto : "?",
			(long long)rec_int(rec, "inode", -1), owner_comm(rec));
		return;
	}
	bool packet = proto && strcmp(proto, "packet") == 0;
	finding(f, packet ? "packet_socket" : "raw_socket", SEV_LOW, packet ? "T1040" : NULL,
		sock_seen(rec), ev, "a %s socket owned by %s: it sees or forges traffic below TCP "
		"(DHCP clients and ping have one too)", proto ? proto : "?", owner_comm(rec));
}

/* ---- the loader ------------------------------------------------------- */

static void preload_file(struct findings *f, const char *m, json_t *rec, const char *b, size_t n)
{
	(void)rec;
	size_t i = 0;
	while (i < n && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r'))
		i++;
	if (i == n)
		return;
	json_t *seen = json_object();
	json_set_bytes(seen, "content", b, n < 4096 ? n : 4096);
	finding(f, "ld_so_preload", SEV_HIGH, "T1574.006", seen, ev_list(ev_member(m)),
		"/etc/ld.so.preload is not empty: every program loads its libraries first");
}

/* ---- logins ------------------------------------------------------------- */

static void login_anomaly(struct findings *f, const char *m, json_t *rec, const char *b,
			  size_t n)
{
	(void)b; (void)n;
	const char *kind = rec_str(rec, "kind"), *src = rec_str(rec, "source");
	const char *detail = rec_str(rec, "detail");
	int64_t off = rec_int(rec, "offset", -1);
	json_t *ev = ev_list(off >= 0 ? ev_record(m, "offset", off, NULL, 0) : ev_member(m));
	if (off >= 0)
		finding(f, "login_record_anomaly", SEV_MEDIUM, "T1070.002", json_deep_copy(rec), ev,
			"%s at offset %lld: %s (%s)", src ? src : "login records", (long long)off,
			kind ? kind : "an anomaly", detail ? detail : "");
	else
		finding(f, "login_record_anomaly", SEV_MEDIUM, "T1070.002", json_deep_copy(rec), ev,
			"%s: %s (%s)", src ? src : "login records", kind ? kind : "an anomaly",
			detail ? detail : "");
}

const struct check checks_other[] = {
	{ "sockets", SOCKS, { NULL }, false, socket_line, socket_pre },
	{ "ld_so_preload", "fs/etc/ld.so.preload", { NULL }, true, preload_file, NULL },
	{ "login_record_anomaly", "logins/anomalies.jsonl", { NULL }, false, login_anomaly, NULL },
	{ "session_anomaly", "volatile/sessions-anomalies.jsonl", { NULL }, false, login_anomaly,
	  NULL },
};
const size_t nchecks_other = sizeof(checks_other) / sizeof(checks_other[0]);

/* ---- the joins ----------------------------------------------------------- */

void checks_join(struct findings *f)
{
	for (size_t i = 0; i < f->nsocks; i++) {
		const struct sock_note *s = &f->socks[i];
		const struct flagged *g = flag_of(f, s->pid);
		bool listen = strcmp(s->state, "LISTEN") == 0;
		if (!g || g->sev > SEV_MEDIUM || (!listen && strcmp(s->state, "ESTABLISHED") != 0))
			continue;
		json_t *seen = json_object(), *ev = json_array();
		json_set_int(seen, "pid", s->pid);
		json_set_str(seen, "process_check", g->check);
		json_set_str(seen, "proto", s->proto);
		json_set_str(seen, "state", s->state);
		json_set_str(seen, "local", s->local);
		json_set_str(seen, "remote", s->remote);
		json_array_append_new(ev, ev_record(SOCKS, "netns", s->netns, "inode", s->inode));
		json_array_append_new(ev, ev_record("volatile/processes.jsonl", "pid", s->pid,
						    g->start_ticks >= 0 ? "start_ticks" : NULL,
						    g->start_ticks));
		finding(f, "flagged_process_network", SEV_HIGH, listen ? NULL : "T1071", seen, ev,
			"pid %lld, flagged by %s, %s %s %s", (long long)s->pid, g->check,
			listen ? "listens on" : "is connected", listen ? s->local : "to",
			listen ? "" : s->remote);
	}
}
