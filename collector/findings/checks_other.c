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

/* ---- sockets ------------------------------------------------------------ */

/* Every socket a process owns is noted (without parsing) for the joins;
 * the lines worth a finding of their own are parsed. */
/* The fields of a socket record before its owners, in one pass over its
 * keys (in the writer's order, src_net.c); a key is a quoted name followed
 * by a colon, which no byte inside a JSON string can fake (its quotes are
 * escaped: a name ending in a backslash matches none of ours). */
static void sock_fields(const char *line, size_t len, struct sock_note *s)
{
	const char *p = line, *end = line + len;
	int in = 0;   /* 1: inside "local", 2: inside "remote" */

	while (p < end) {
		const char *k = memchr(p, '"', (size_t)(end - p));
		if (!k)
			break;
		k++;
		const char *ke = memchr(k, '"', (size_t)(end - k));
		if (!ke || ke + 2 > end || ke[1] != ':') {
			p = ke ? ke + 1 : end;
			continue;
		}
		size_t kl = (size_t)(ke - k), n = 0;
		const char *v = ke + 2;
#define KEY(lit) (kl == sizeof(lit) - 1 && memcmp(k, lit, kl) == 0)
		char *str = KEY("state") ? s->state : KEY("proto") ? s->proto :
			    KEY("addr") ? (in == 1 ? s->laddr : in == 2 ? s->raddr : NULL) : NULL;
		size_t size = KEY("state") ? sizeof(s->state) : KEY("proto") ? sizeof(s->proto) :
			      sizeof(s->laddr);
		if (KEY("owners"))
			break;
		if (str && v < end && *v == '"') {
			for (const char *q = v + 1; q < end && *q != '"' && n + 1 < size; q++)
				str[n++] = *q;
			str[n] = '\0';
		} else if (KEY("netns") || KEY("inode") || KEY("port")) {
			long long x = strtoll(v, NULL, 10);   /* a digit or '-' follows */
			if (KEY("netns"))
				s->netns = x;
			else if (KEY("inode"))
				s->inode = x;
			else if (in == 1)
				s->lport = x;
			else if (in == 2)
				s->rport = x;
		} else if (KEY("local") || KEY("remote")) {
			in = KEY("local") ? 1 : 2;
		}
#undef KEY
		p = v;
	}
}

/* Every socket a process owns is noted (without parsing) for the joins;
 * the lines worth a finding of their own are parsed. */
static bool socket_pre(struct findings *f, const char *line, size_t len)
{
	struct sock_note s = { .netns = -1, .inode = -1 };

	sock_fields(line, len < 4096 ? len : 4096, &s);
	const char *o = memmem(line, len, "\"owners\":[{", 11);
	for (const char *p = o; p && p < line + len;) {   /* each owner */
		p = memmem(p, (size_t)(line + len - p), "{\"pid\":", 7);
		if (!p)
			break;
		s.pid = strtoll(p + 7, NULL, 10);
		note_socket(f, &s);
		p += 7;
	}
	/* single_view is a record's last key */
	size_t tail = len < 48 ? len : 48;
	return HAS(line + len - tail, tail, "\"single_view\":true") ||
	       strncmp(s.proto, "raw", 3) == 0 || strcmp(s.proto, "packet") == 0;
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
		char local[80], remote[80];
		snprintf(local, sizeof(local), "%s:%lld", s->laddr, (long long)s->lport);
		snprintf(remote, sizeof(remote), "%s:%lld", s->raddr, (long long)s->rport);
		json_set_str(seen, "local", local);
		json_set_str(seen, "remote", remote);
		json_array_append_new(ev, ev_record(SOCKS, "netns", s->netns, "inode", s->inode));
		json_array_append_new(ev, ev_record("volatile/processes.jsonl", "pid", s->pid,
						    g->start_ticks >= 0 ? "start_ticks" : NULL,
						    g->start_ticks));
		finding(f, "flagged_process_network", SEV_HIGH, listen ? NULL : "T1071", seen, ev,
			"pid %lld, flagged by %s, %s %s %s", (long long)s->pid, g->check,
			listen ? "listens on" : "is connected", listen ? local : "to",
			listen ? "" : remote);
	}
}
