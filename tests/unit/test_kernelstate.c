/* The kernel step's parsers of host text, with fixtures: modules.dep
 * lookups (a '-' in the file name read as '_', every compression suffix, a
 * name that is a prefix of another), /proc/modules lines (taint flags, a
 * hidden address, a hostile name), AppArmor's profiles file (a name with
 * spaces and parentheses), and file capabilities against getcap's text. */
#include <jansson.h>
#include <string.h>

#include "capbuf.h"
#include "filecaps.h"
#include "jsonw.h"
#include "kmod.h"
#include "lsm.h"
#include "modfiles.h"
#include "tap.h"

static const char dep[] =
	"kernel/net/netfilter/nf_tables.ko.zst: kernel/lib/libcrc32c.ko.zst\n"
	"kernel/drivers/net/veth.ko.xz:\n"
	"kernel/fs/fuse/cuse.ko:\n"
	"kernel/sound/snd-hda-intel.ko.gz: kernel/sound/snd.ko.gz\n"
	"no colon here\n"
	"/abs/path/evil.ko:";

static int dep_is(const char *name, const char *want)
{
	const char *p;
	size_t n;
	if (kmod_dep_path(dep, sizeof(dep) - 1, name, &p, &n) != 0)
		return want == NULL;
	return want && n == strlen(want) && memcmp(p, want, n) == 0;
}

static void test_dep(void)
{
	CHECK(dep_is("nf_tables", "kernel/net/netfilter/nf_tables.ko.zst"));
	CHECK(dep_is("veth", "kernel/drivers/net/veth.ko.xz"));
	CHECK(dep_is("snd_hda_intel", "kernel/sound/snd-hda-intel.ko.gz"));
	CHECK(dep_is("cuse", "kernel/fs/fuse/cuse.ko"));
	CHECK(dep_is("evil", "/abs/path/evil.ko"));
	CHECK(dep_is("nf_table", NULL));      /* a prefix is not a match */
	CHECK(dep_is("libcrc32c", NULL));     /* a dependency is not a module's line */
	CHECK(dep_is("snd", NULL));
}

/* null-safe under fault injection: a field the writer could not set is no match */
static int is_str(json_t *o, const char *key, const char *want)
{
	const char *v = json_string_value(json_object_get(o, key));
	return v && strcmp(v, want) == 0;
}

static json_t *line_json(const char *line)
{
	struct capbuf cb;
	struct jw w;
	capbuf_init(&cb, 1 << 16);
	jw_begin(&w, &cb);
	modfiles_line(&w, line, strlen(line));
	jw_end(&w);
	json_t *o = json_loads(cb.buf, 0, NULL);
	capbuf_release(&cb);
	return o;
}

static void test_modules_line(void)
{
	json_t *o = line_json("nf_tables 286720 584 nft_chain_nat,nft_ct, Live 0xffffffffc0a2d000 (OE)");
	CHECK(o && is_str(o, "name", "nf_tables"));
	CHECK(o && json_integer_value(json_object_get(o, "size")) == 286720);
	CHECK(o && json_integer_value(json_object_get(o, "refcount")) == 584);
	CHECK(o && is_str(o, "state", "Live"));
	CHECK(o && is_str(o, "taint", "OE"));
	json_decref(o);
	o = line_json("x 12 0 - Loading 0x0000000000000000");
	CHECK(o && !json_object_get(o, "taint"));
	CHECK(o && is_str(o, "address", "0x0000000000000000"));
	json_decref(o);
	o = line_json("bad\x1b[31m 99999999999999999999999 zz");   /* a number too long is kept as bytes */
	CHECK(o && json_is_string(json_object_get(o, "size")));
	CHECK(o && json_is_string(json_object_get(o, "refcount")));
	json_decref(o);
}

static void test_apparmor(void)
{
	const char *t = "/usr/bin/man (enforce)\nlsb_release (complain)\n"
			"a name (with parens) (kill)\nnomode\n\n";
	json_t *counts = json_object();
	json_t *a = lsm_apparmor_profiles(t, strlen(t), counts);
	CHECK(json_array_size(a) == 4);
	json_t *third = json_array_get(a, 2);
	CHECK(third && is_str(third, "name", "a name (with parens)"));
	CHECK(third && is_str(third, "mode", "kill"));
	CHECK(json_object_get(json_array_get(a, 3), "line") != NULL);
	CHECK(json_integer_value(json_object_get(counts, "enforce")) == 1);
	CHECK(json_integer_value(json_object_get(counts, "complain")) == 1);
	json_decref(a);
	json_decref(counts);
}

static int caps_text_is(const unsigned char *raw, size_t n, const char *want)
{
	struct filecaps c;
	struct capbuf t;
	if (filecaps_decode(raw, n, &c) != 0)
		return want == NULL;
	capbuf_init(&t, 4096);
	filecaps_text(&c, &t);
	int ok = want && t.buf && strcmp(t.buf, want) == 0;
	if (!ok)
		printf("#   got '%s', want '%s'\n", t.buf ? t.buf : "", want ? want : "(error)");
	capbuf_release(&t);
	return ok;
}

static void test_filecaps(void)
{
	/* v2, effective, cap_net_raw (13) permitted: getcap "cap_net_raw=ep" */
	static const unsigned char raw[] = { 1, 0, 0, 2, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	CHECK(caps_text_is(raw, sizeof(raw), "cap_net_raw=ep"));
	/* all 41 permitted, cap_chown also inheritable: "=p cap_chown+i" */
	static const unsigned char allp[] = { 0, 0, 0, 2, 0xff, 0xff, 0xff, 0xff, 1, 0, 0, 0,
					      0xff, 0x01, 0, 0, 0, 0, 0, 0 };
	CHECK(caps_text_is(allp, sizeof(allp), "=p cap_chown+i"));
	/* v3 with a rootid, a bit past the known names */
	static const unsigned char v3[] = { 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0, 0, 0,
					    0xe8, 3, 0, 0 };
	struct filecaps c;
	CHECK(filecaps_decode(v3, sizeof(v3), &c) == 0 && c.has_rootid && c.rootid == 1000);
	CHECK(caps_text_is(v3, sizeof(v3), "44=p"));
	CHECK(caps_text_is(raw, sizeof(raw) - 1, NULL));     /* cut */
	static const unsigned char bad[] = { 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0 };
	CHECK(caps_text_is(bad, sizeof(bad), NULL));           /* unknown revision */
}

int main(void)
{
	test_dep();
	test_modules_line();
	test_apparmor();
	test_filecaps();
	return tap_done("unit_kernelstate");
}
