/* findings_out.c - what the checks call: the finding writer, evidence
 * pointers, the flags the joins read, record fields (findings_int.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "findings_int.h"
#include "jsonx.h"
#include "vec.h"
#include "banned.h"

static const char *const sev_names[SEV_COUNT] = { "high", "medium", "low", "info" };

const char *severity_name(enum severity s)
{
	return (unsigned)s < SEV_COUNT ? sev_names[s] : "?";
}

static unsigned check_count(struct findings *f, const char *check)
{
	char key[64];
	snprintf(key, sizeof(key), "#%s", check);
	json_t *n = json_object_get(f->seen_files, key);
	unsigned v = n ? (unsigned)json_integer_value(n) : 0;
	json_object_set_new(f->seen_files, key, json_integer(v + 1));
	return v;
}

void finding(struct findings *f, const char *check, enum severity sev, const char *technique,
	     json_t *seen, json_t *evidence, const char *fmt, ...)
{
	char title[512];
	va_list ap;

	unsigned n = check_count(f, check);
	if (n >= PER_CHECK_CAP) {   /* counted, not written: one summary at the end */
		f->per_check_cap_hit++;
		f->count[sev]++;
		json_decref(seen);
		json_decref(evidence);
		return;
	}
	va_start(ap, fmt);
	vsnprintf(title, sizeof(title), fmt, ap);
	va_end(ap);
	json_t *o = json_object();
	json_set_str(o, "check", check);
	json_set_str(o, "severity", severity_name(sev));
	json_set_bytes(o, "title", title, strlen(title));
	json_set_new(o, "seen", seen ? seen : json_object());
	json_set_new(o, "evidence", evidence ? evidence : json_array());
	json_set_str(o, "technique", technique);
	json_append_line(&f->out, o);
	json_decref(o);
	f->count[sev]++;
}

json_t *ev_record(const char *member, const char *k1, int64_t v1, const char *k2, int64_t v2)
{
	json_t *e = json_object(), *keys = json_object();
	json_set_str(e, "member", member);
	if (k1)
		json_set_int(keys, k1, v1);
	if (k2)
		json_set_int(keys, k2, v2);
	json_set_new(e, "keys", keys);
	return e;
}

json_t *ev_member(const char *member)
{
	json_t *e = json_object();
	json_set_str(e, "member", member);
	json_set_new(e, "keys", json_object());
	return e;
}

json_t *ev_str(const char *member, const char *key, const char *value)
{
	json_t *e = json_object(), *k = json_object();
	json_set_str(e, "member", member);
	json_set_str(k, key, value);
	json_set_new(e, "keys", k);
	return e;
}

void copy_field(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

json_t *ev_list(json_t *first)
{
	json_t *a = json_array();
	if (first)
		json_array_append_new(a, first);
	return a;
}

void flag_process(struct findings *f, int64_t pid, int64_t start, enum severity sev,
		  const char *check)
{
	for (size_t i = 0; i < f->nflags; i++)
		if (f->flags[i].pid == pid) {
			if (sev < f->flags[i].sev) {
				f->flags[i].sev = sev;
				snprintf(f->flags[i].check, sizeof(f->flags[i].check), "%s", check);
			}
			return;
		}
	if (!vec_reserve((void **)&f->flags, &f->aflags, f->nflags + 1, sizeof(*f->flags)))
		return;
	struct flagged *g = &f->flags[f->nflags++];
	*g = (struct flagged){ .pid = pid, .start_ticks = start, .sev = sev };
	snprintf(g->check, sizeof(g->check), "%s", check);
}

const struct flagged *flag_of(const struct findings *f, int64_t pid)
{
	for (size_t i = 0; i < f->nflags; i++)
		if (f->flags[i].pid == pid)
			return &f->flags[i];
	return NULL;
}

void note_socket(struct findings *f, const struct sock_note *s)
{
	if (vec_reserve((void **)&f->socks, &f->asocks, f->nsocks + 1, sizeof(*f->socks)))
		f->socks[f->nsocks++] = *s;
}

int64_t rec_int(json_t *rec, const char *key, int64_t dflt)
{
	json_t *v = json_object_get(rec, key);
	return json_is_integer(v) ? (int64_t)json_integer_value(v) : dflt;
}

const char *rec_str(json_t *rec, const char *key)
{
	return json_string_value(json_object_get(rec, key));
}

bool rec_true(json_t *rec, const char *key)
{
	return json_is_true(json_object_get(rec, key));
}

