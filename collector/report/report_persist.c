/*
 * report_persist.c - the persistence section (report_int.h): the copies
 * under fs/ parsed - cron entries, systemd units and timers with the links
 * that enable them, authorized_keys entries - and the loader, PAM and
 * shell start-up files with their comments left out.
 */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"
#include "banned.h"

typedef void line_fn(struct page *p, const struct rfile *f, const char *s, size_t n);

static void each_line(struct page *p, const struct rfile *f, line_fn *fn)
{
	const char *t = f->text.buf ? f->text.buf : "", *end = t + f->text.len;
	while (t < end) {
		const char *nl = memchr(t, '\n', (size_t)(end - t));
		size_t n = (size_t)((nl ? nl : end) - t);
		fn(p, f, t, n);
		t += n + 1;
	}
}

static bool is(const struct rfile *f, const char *glob)
{
	return f->path && fnmatch(glob, f->path, FNM_PATHNAME) == 0;
}

static bool cron_file(const struct rfile *f)
{
	return is(f, "/etc/crontab") || is(f, "/etc/cron.d/*") || is(f, "/var/spool/cron/*") ||
	       is(f, "/var/spool/cron/crontabs/*");
}

static bool unit_file(const struct rfile *f)
{
	return f->path && strstr(f->path, "/systemd/") && (fnmatch("*.service", f->path, 0) == 0 ||
							  fnmatch("*.timer", f->path, 0) == 0);
}

static bool key_file(const struct rfile *f)
{
	return is(f, "/*/.ssh/authorized_keys*") || is(f, "/*/*/.ssh/authorized_keys*");
}

static void cron_line(struct page *p, const struct rfile *f, const char *s, size_t n)
{
	struct cron_entry c;
	bool sys = is(f, "/etc/crontab") || is(f, "/etc/cron.d/*");
	if (!parse_cron_line(s, n, sys, &c))
		return;
	h_raw(p, "<tr>");
	h_td(p, f->path);
	h_td(p, c.sched);
	h_td(p, sys ? c.user : strrchr(f->path, '/') + 1);
	h_raw(p, "<td class=\"m\">");
	h_text(p, c.cmd);
	h_raw(p, "</td></tr>\n");
}

static void key_line(struct page *p, const struct rfile *f, const char *s, size_t n)
{
	struct key_entry k;
	if (!parse_key_line(s, n, &k))
		return;
	h_raw(p, "<tr>");
	h_td(p, f->path);
	h_td(p, k.type);
	h_raw(p, "<td class=\"m\">");
	h_text(p, k.fpr);
	h_raw(p, "</td><td class=\"m\">");
	h_text(p, k.options);
	h_raw(p, "</td>");
	h_td(p, k.comment);
	h_raw(p, "</tr>\n");
}

static void unit_line(struct page *p, const struct rfile *f, const char *s, size_t n)
{
	char key[64], val[2048];
	(void)f;
	if (!parse_unit_line(s, n, key, val, sizeof(val)))
		return;
	h_raw(p, "<b>");
	h_text(p, key);
	h_raw(p, "</b>=");
	h_text(p, val);
	h_raw(p, "<br>");
}

static void plain_line(struct page *p, const struct rfile *f, const char *s, size_t n)
{
	size_t i = 0;
	(void)f;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i >= n || s[i] == '#')
		return;
	h_textn(p, s, n);
	h_raw(p, "\n");
}

static void table(struct page *p, const char *title, const char *head,
		  bool (*want)(const struct rfile *), line_fn *fn)
{
	const struct rfile *f = p->b->persist.v;
	h_fmt(p, "<h3>%s</h3><table><thead><tr>%s</tr></thead><tbody>\n", title, head);
	for (size_t i = 0; i < p->b->persist.n; i++)
		if (want(&f[i]))
			each_line(p, &f[i], fn);
	h_raw(p, "</tbody></table>\n");
}

/* The links under /etc/systemd that name this unit: how it is enabled. */
static void enabled_by(struct page *p, const char *unit_path)
{
	const struct rlink *k = p->b->links.v;
	const char *base = strrchr(unit_path, '/');
	size_t shown = 0;
	for (size_t i = 0; base && i < p->b->links.n; i++) {
		const char *t = strrchr(k[i].target, '/');
		if (!t || strcmp(t, base) != 0)
			continue;
		h_raw(p, shown++ ? ", " : "<br><b>enabled through</b> ");
		h_text(p, k[i].path);
	}
	if (!shown)
		h_raw(p, "<br><i>no link under /etc/systemd names it</i>");
}

static bool other_file(const struct rfile *f)
{
	return !cron_file(f) && !unit_file(f) && !key_file(f);
}

void sec_persist(struct page *p)
{
	const struct rfile *f = p->b->persist.v;
	const struct rlink *k = p->b->links.v;

	h_section(p, "persist", "Persistence");
	h_fmt(p, "<p>%zu files copied under fs/ parsed (their bytes and hashes are in the "
	      "bundle).</p>\n", p->b->persist.n);
	table(p, "Cron", "<th>file</th><th>schedule</th><th>user</th><th>command</th>", cron_file,
	      cron_line);
	h_raw(p, "<h3>systemd units and timers</h3><table><thead><tr><th>unit</th><th>what it "
	      "runs</th></tr></thead><tbody>\n");
	for (size_t i = 0; i < p->b->persist.n; i++) {
		if (!unit_file(&f[i]))
			continue;
		h_raw(p, "<tr>");
		h_td(p, f[i].path);
		h_raw(p, "<td class=\"m\">");
		each_line(p, &f[i], unit_line);
		enabled_by(p, f[i].path);
		h_raw(p, "</td></tr>\n");
	}
	h_raw(p, "</tbody></table>\n<details><summary>every link under /etc/systemd (");
	h_fmt(p, "%zu)</summary><table><tbody>\n", p->b->links.n);
	for (size_t i = 0; i < p->b->links.n; i++) {
		h_raw(p, "<tr>");
		h_td(p, k[i].path);
		h_td(p, k[i].target);
		h_raw(p, "</tr>\n");
	}
	h_raw(p, "</tbody></table></details>\n");
	h_over(p, p->b->links.over, "links");
	table(p, "authorized_keys", "<th>file</th><th>type</th><th>fingerprint</th>"
	      "<th>options</th><th>comment</th>", key_file, key_line);
	h_raw(p, "<h3>Loader, PAM and shell start-up files (comments left out)</h3>\n");
	for (size_t i = 0; i < p->b->persist.n; i++) {
		if (!other_file(&f[i]))
			continue;
		h_raw(p, "<details><summary>");
		h_text(p, f[i].path);
		h_fmt(p, " (%zu bytes%s)</summary><pre>", f[i].text.len, f[i].text.truncated ?
		      ", the report's cap cut it" : "");
		each_line(p, &f[i], plain_line);
		h_raw(p, "</pre></details>\n");
	}
	h_over(p, p->b->persist.over, "persistence files");
	h_section_end(p);
}
