/* tools/jwrite.c, the tools' one JSON writer: its bytes are those of jansson's dump with
 * JSON_ENSURE_ASCII | JSON_PRESERVE_ORDER (compact or indented), which the json and sarif
 * reports and `sockleak top --format json` were written with before, so moving a writer to it
 * changes no byte. Checked against jansson itself: reals, and a document of hostile strings
 * (invalid UTF-8, controls, quotes, non-ASCII, astral characters). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "../../tools/escape.h"
#include "../../tools/jwrite.h"

/* what jwrite wrote, NUL-terminated (owned by w) */
static const char *text(struct sl_jsondoc *w)
{
	sl_jsondoc_raw(w, "", 1);
	w->n--;
	return w->b;
}

static void reals_are_jansson_s(void **state)
{
	static const double fixed[] = {0,
				       -0.0,
				       1,
				       -4.2,
				       1.5,
				       0.1,
				       1e20,
				       1e-5,
				       7e22,
				       2.5e16,
				       3.14159e-300,
				       1e300,
				       12.345678901234567,
				       702.28558900021017};
	unsigned seed = 12;
	(void)state;
	for (int i = 0; i < 5000; i++) {
		double x = i < (int)(sizeof fixed / sizeof *fixed)
				   ? fixed[i]
				   : (double)rand_r(&seed) / (rand_r(&seed) | 1) *
					     (i % 3 ? 1e-3 : 1e9);
		json_t *j = json_real(x);
		char *want = json_dumps(j, JSON_ENCODE_ANY);
		struct sl_jsondoc w;

		sl_jsondoc_init(&w, 0, 0);
		sl_jsondoc_real(&w, x);
		assert_string_equal(text(&w), want);
		free(want);
		json_decref(j);
		sl_jsondoc_free(&w);
	}
}

static void a_real_json_cannot_say_is_null(void **state)
{
	struct sl_jsondoc w;
	(void)state;
	sl_jsondoc_init(&w, 0, 0);
	sl_jsondoc_open(&w, '[');
	sl_jsondoc_real(&w, 1.0 / 0.0);
	sl_jsondoc_real(&w, 0.0 / 0.0);
	sl_jsondoc_close(&w, ']');
	assert_string_equal(text(&w), "[null,null]");
	sl_jsondoc_free(&w);
}

/* The strings a log or a process can hand the tools */
static const char *const hostile[] = {
	"plain",
	"",
	"quo\"te back\\slash",
	"\x01\x1f\b\f\n\r\t ctl",
	"caf\xc3\xa9 \xe2\x82\xac",
	"\xf0\x9f\x98\x80 astral",
	"bad \xff\xfe byte",
	"cut \xe2\x82",
	"\xed\xa0\x80 surrogate",
	"</script><!--",
};

static json_t *jansson_str(const char *s)
{
	char buf[256];
	sl_utf8_copy(buf, sizeof buf, s, strlen(s)); /* jansson takes only UTF-8 */
	return json_string(buf);
}

static void documents_are_jansson_s(void **state)
{
	(void)state;
	for (int indent = 0; indent <= 2; indent += 2) {
		json_t *root = json_object(), *arr = json_array(), *empty = json_array();
		struct sl_jsondoc w;
		char *want;
		size_t n = sizeof hostile / sizeof *hostile;

		sl_jsondoc_init(&w, indent, 0);
		sl_jsondoc_open(&w, '{');
		sl_jsondoc_kint(&w, "n", -42);
		json_object_set_new(root, "n", json_integer(-42));
		sl_jsondoc_key(&w, "strings");
		sl_jsondoc_open(&w, '[');
		for (size_t i = 0; i < n; i++) {
			sl_jsondoc_open(&w, '{');
			sl_jsondoc_kstr(&w, "s", hostile[i]);
			sl_jsondoc_key(&w, "ok");
			sl_jsondoc_bool(&w, (int)(i & 1));
			sl_jsondoc_key(&w, "none");
			sl_jsondoc_null(&w);
			sl_jsondoc_close(&w, '}');
			json_array_append_new(arr, json_pack("{s:o,s:b,s:n}", "s",
							     jansson_str(hostile[i]), "ok",
							     (int)(i & 1), "none"));
		}
		sl_jsondoc_close(&w, ']');
		json_object_set_new(root, "strings", arr);
		sl_jsondoc_key(&w, "empty");
		sl_jsondoc_open(&w, '[');
		sl_jsondoc_close(&w, ']');
		json_object_set_new(root, "empty", empty);
		sl_jsondoc_key(&w, "real");
		sl_jsondoc_real(&w, 179.00201500020921);
		json_object_set_new(root, "real", json_real(179.00201500020921));
		sl_jsondoc_close(&w, '}');
		want = json_dumps(root, JSON_ENSURE_ASCII | JSON_PRESERVE_ORDER |
						(indent ? JSON_INDENT(indent) : JSON_COMPACT));
		assert_non_null(want);
		assert_string_equal(text(&w), want);
		free(want);
		json_decref(root);
		sl_jsondoc_free(&w);
	}
}

/* escape.c's sl_strs and sl_hex, which the writers format frame names and titles with instead
 * of sl_snprintf: the same bytes, cut on the same character boundary at every room */
static void strs_are_sl_snprintf_s(void **state)
{
	static const char *const parts[][3] = {
		{"handler", " (", "app+0x10"},
		{"\xc3\xa9\xc3\xa9\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80x"},
		{"", "", ""},
		{"close_wait: ", "peer closed", ", opened in f\xe2\x80\xae"},
	};
	static const unsigned long long hex[] = {0, 1, 0x10, 0x29d90, 0xffffffffffffffffull};
	(void)state;
	for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) {
		for (size_t cap = 1; cap < 40; cap++) {
			char want[64], got[64];
			int rw = sl_snprintf(want, cap, "%s%s%s", parts[i][0], parts[i][1],
					     parts[i][2]);
			int rg = sl_strs(got, cap, parts[i][0], parts[i][1], parts[i][2],
					 (char *)NULL);
			assert_int_equal(rg, rw);
			assert_string_equal(got, want);
		}
	}
	for (size_t i = 0; i < sizeof hex / sizeof *hex; i++) {
		char want[24], got[19];
		snprintf(want, sizeof want, "0x%llx", hex[i]);
		assert_string_equal(sl_hex(got, hex[i]), want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reals_are_jansson_s),
		cmocka_unit_test(a_real_json_cannot_say_is_null),
		cmocka_unit_test(documents_are_jansson_s),
		cmocka_unit_test(strs_are_sl_snprintf_s),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
