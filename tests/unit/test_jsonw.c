/* jsonw writes what jansson reads back: every byte pair as a string, the
 * _b64 sibling exact, integers, nulls, booleans and raw values. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "jsonx.h"
#include "tap.h"
#include "textutil.h"

int main(void)
{
	struct capbuf cb;
	struct jw w;
	json_error_t err;
	char in[3];

	capbuf_init(&cb, 1 << 20);
	for (int a = 0; a < 256; a++)
		for (int b = 0; b < 256; b += 7) {
			in[0] = (char)a;
			in[1] = (char)b;
			in[2] = 'z';
			capbuf_reset(&cb);
			jw_begin(&w, &cb);
			jw_bytes(&w, "k", in, 3);
			jw_int(&w, "n", -42);
			jw_end(&w);
			json_t *o = json_loadb(cb.buf, cb.len, JSON_ALLOW_NUL, &err);
			if (!o) {
				CHECK(!"jansson cannot read jsonw's output");
				return tap_done("jsonw");
			}
			const char *b64 = json_string_value(json_object_get(o, "k_b64"));
			unsigned char back[8];
			if (utf8_valid(in, 3)) {
				CHECK(!b64);
				CHECK(json_string_length(json_object_get(o, "k")) == 3 &&
				      memcmp(json_string_value(json_object_get(o, "k")), in, 3) == 0);
			} else {
				CHECK(b64 && base64_decode(back, sizeof(back), b64, strlen(b64)) == 3 &&
				      memcmp(back, in, 3) == 0);
			}
			CHECK(json_integer_value(json_object_get(o, "n")) == -42);
			CHECK(cb.buf[cb.len - 1] == '\n' && memchr(cb.buf, '\n', cb.len) == cb.buf + cb.len - 1);
			json_decref(o);
		}
	/* arrays of byte strings and nested objects: the same JSON as jansson's
	 * json_set_bytes_array (jsonx.h) builds, item for item */
	static const char *const sets[][4] = {
		{ "a", "b\n\"c", "", NULL },
		{ "ok", "bad\xff\xfe", "\xe2\x80\xae", "x\x01y" },
		{ "\xc3", "plain", NULL, NULL },
	};
	for (size_t t = 0; t < sizeof(sets) / sizeof(sets[0]); t++) {
		const char *items[4];
		size_t lens[4], n = 0;
		for (; n < 4 && sets[t][n]; n++) {
			items[n] = sets[t][n];
			lens[n] = strlen(sets[t][n]);
		}
		capbuf_reset(&cb);
		jw_begin(&w, &cb);
		jw_int(&w, "pid", 7);
		jw_bytes_array(&w, "cmdline", items, lens, n);
		struct jw sub;
		jw_object(&w, "ns", &sub);
		jw_int(&sub, "net", 4026531840LL);
		jw_bytes(&sub, "name", items[0], lens[0]);
		jw_object_end(&sub);
		jw_bool(&w, "after", 0);
		jw_end(&w);
		json_t *got = json_loadb(cb.buf, cb.len, JSON_ALLOW_NUL, &err);
		json_t *want = json_object(), *ns = json_object();
		json_set_int(want, "pid", 7);
		json_set_bytes_array(want, "cmdline", items, lens, n);
		json_set_int(ns, "net", 4026531840LL);
		json_set_bytes(ns, "name", items[0], lens[0]);
		json_set_new(want, "ns", ns);
		json_set_bool(want, "after", 0);
		CHECK(got && json_equal(got, want));
		json_decref(got);
		json_decref(want);
	}

	capbuf_reset(&cb);
	jw_begin(&w, &cb);
	jw_str(&w, "s", NULL);
	jw_bool(&w, "t", 1);
	jw_raw(&w, "r", "[1,2]");
	jw_end(&w);
	CHECK(strcmp(cb.buf, "{\"s\":null,\"t\":true,\"r\":[1,2]}\n") == 0);

	/* binary as hex: short (on the stack) and long (allocated) alike */
	unsigned char bin[100];
	for (size_t i = 0; i < sizeof(bin); i++)
		bin[i] = (unsigned char)(i * 37 + 1);
	for (size_t n = 0; n <= sizeof(bin); n += 33) {
		capbuf_reset(&cb);
		jw_begin(&w, &cb);
		jw_hex(&w, "h", bin, n);
		jw_end(&w);
		json_t *o = json_loadb(cb.buf, cb.len, 0, &err);
		const char *h = o ? json_string_value(json_object_get(o, "h")) : NULL;
		int ok = h && strlen(h) == 2 * n;
		for (size_t i = 0; ok && i < n; i++)
			ok = hex_digit(h[2 * i]) * 16 + hex_digit(h[2 * i + 1]) == bin[i];
		CHECK(ok);
		json_decref(o);
	}
	capbuf_release(&cb);
	return tap_done("jsonw");
}
