/*
 * html.c - the report page's writer (report_int.h): escaping of every byte
 * from a bundle, and the head whose Content-Security-Policy allows only
 * the one style sheet and the one script this file inlines, named by
 * their SHA-256 (anything else - a tag or an event handler that an
 * escaping bug let through - is refused by the browser as well).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "report_int.h"
#include "sha256.h"
#include "textutil.h"
#include "banned.h"

static const char style[] =
	"body{font:14px/1.4 sans-serif;margin:1em 2em;color:#111}"
	"h1{font-size:1.4em}h2{border-bottom:2px solid #888;margin-top:2em}"
	"table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;"
	"padding:2px 6px;vertical-align:top;text-align:left}th{background:#eee}"
	"code,pre,.m{font-family:monospace;white-space:pre-wrap;word-break:break-all}"
	".invalid{background:#b00;color:#fff;font-weight:bold;padding:.4em;margin:.4em 0}"
	".valid{background:#060;color:#fff;font-weight:bold;padding:.4em}"
	".high{background:#fcc}.medium{background:#fe9}.low{background:#eef}"
	".flag{background:#fcc;border-radius:3px;padding:0 3px;margin-left:4px;font-size:.85em}"
	".over{color:#a40;font-style:italic}ul.tree{list-style:none;padding-left:1.2em}"
	"details>summary{cursor:pointer}nav a{margin-right:1em}.fill{background:#ffd}";

static const char script[] =
	"document.querySelectorAll('input.filter').forEach(function(i){"
	"i.addEventListener('input',function(){var q=i.value.toLowerCase();"
	"var t=document.getElementById(i.dataset.table);if(!t)return;"
	"t.querySelectorAll('tbody tr').forEach(function(r){"
	"r.hidden=q!==''&&r.textContent.toLowerCase().indexOf(q)<0;});});});"
	"function op(){var h=decodeURIComponent(location.hash.slice(1));"
	"var e=h&&document.getElementById(h);"
	"for(;e;e=e.parentElement)if(e.tagName==='DETAILS')e.open=true;}"
	"window.addEventListener('hashchange',op);op();";

static void put(struct page *p, const char *s, size_t n)
{
	if (p->err || !n)
		return;
	if (fwrite(s, 1, n, p->f) != n)
		p->err = -(errno ? errno : EIO);
}

void h_raw(struct page *p, const char *markup)
{
	put(p, markup, strlen(markup));
}

void h_fmt(struct page *p, const char *fmt, ...)
{
	va_list ap;
	if (p->err)
		return;
	va_start(ap, fmt);
	if (vfprintf(p->f, fmt, ap) < 0)
		p->err = -(errno ? errno : EIO);
	va_end(ap);
}

/* The bidirectional controls reorder what is shown around them. */
static bool bidi(const unsigned char *s, size_t n)
{
	if (n != 3 || s[0] != 0xe2)
		return false;
	unsigned c = (unsigned)((s[1] & 0x3f) << 6 | (s[2] & 0x3f)) | 0x2000;
	return (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) ||
	       c == 0x200e || c == 0x200f;
}

void h_textn(struct page *p, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	char esc[16];
	size_t run = 0;   /* bytes that need nothing, written at once */

	for (size_t i = 0; i < n;) {
		const char *rep = NULL;
		size_t len = 1;
		switch (u[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default:
			if (u[i] >= 0x80) {
				len = utf8_seq_len(u + i, n - i);
				if (len == 0) {
					snprintf(esc, sizeof(esc), "\\x%02x", u[i]);
					rep = esc;
					len = 1;
				} else if (bidi(u + i, len)) {
					snprintf(esc, sizeof(esc), "\\u%02x%02x", 0x20,
						 (unsigned)((u[i + 1] & 0x3f) << 6 |
							    (u[i + 2] & 0x3f)) & 0xff);
					rep = esc;
				}
			} else if ((u[i] < 0x20 && u[i] != '\n' && u[i] != '\t') || u[i] == 0x7f) {
				snprintf(esc, sizeof(esc), "\\x%02x", u[i]);
				rep = esc;
			}
		}
		if (rep) {
			put(p, s + i - run, run);
			run = 0;
			put(p, rep, strlen(rep));
		} else {
			run += len;
		}
		i += len;
	}
	put(p, s + n - run, run);
}

void h_text(struct page *p, const char *s)
{
	if (s)
		h_textn(p, s, strlen(s));
}

void h_td(struct page *p, const char *s)
{
	h_raw(p, "<td>");
	h_text(p, s ? s : "-");
	h_raw(p, "</td>");
}

void h_tdi(struct page *p, long long v)
{
	h_fmt(p, "<td>%lld</td>", v);
}

void h_time(struct page *p, int64_t t)
{
	char ts[RFC3339_LEN];
	if (fmt_rfc3339_ns(ts, t, 0) < 0)
		h_fmt(p, "%lld", (long long)t);
	else
		h_raw(p, ts);
}

/* 'sha256-BASE64' of a text, for the policy. */
static void csp_hash(const char *s, char out[64])
{
	char hex[SHA256_HEX_LEN];
	unsigned char raw[32];
	sha256_hex(s, strlen(s), hex);
	for (int i = 0; i < 32; i++)
		raw[i] = (unsigned char)(hex_digit(hex[2 * i]) << 4 | hex_digit(hex[2 * i + 1]));
	base64_encode(out, raw, sizeof(raw));
}

void h_head(struct page *p, const char *title)
{
	char hs[64], hj[64];
	csp_hash(style, hs);
	csp_hash(script, hj);
	h_raw(p, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n");
	h_fmt(p, "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'sha256-%s'; script-src 'sha256-%s'; img-src 'none'; base-uri 'none'; "
	      "form-action 'none'\">\n", hs, hj);
	h_raw(p, "<meta name=\"referrer\" content=\"no-referrer\"><title>");
	h_text(p, title);
	h_fmt(p, "</title>\n<style>%s</style>\n</head><body>\n", style);
}

void h_tail(struct page *p)
{
	h_fmt(p, "\n<script>%s</script>\n</body></html>\n", script);
}

void h_section(struct page *p, const char *id, const char *title)
{
	h_fmt(p, "<section id=\"%s-%s\"><h2>", p->bp, id);
	h_text(p, title);
	h_raw(p, "</h2>\n");
	if (p->b->fails != 0)
		h_raw(p, "<div class=\"invalid\">INVALID: this bundle failed verification; "
		      "nothing below is evidence</div>\n");
}

void h_section_end(struct page *p)
{
	h_raw(p, "</section>\n");
}

void h_over(struct page *p, size_t over, const char *what)
{
	if (over)
		h_fmt(p, "<p class=\"over\">%zu more %s not shown (the report's cap)</p>\n", over,
		      what);
}

void h_filter(struct page *p, const char *table_id)
{
	h_fmt(p, "<p>filter: <input class=\"filter\" data-table=\"%s-%s\" size=\"40\"></p>\n",
	      p->bp, table_id);
}
