/* JSON writer (preload/json.c): escaping, UTF-8 validation, truncation, structure, numbers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../preload/json.h"
#include "jsoncheck.h"

/* Escape s[0..max) and check that the sizing pass (out NULL) agrees with the writing pass. */
static const char *esc(const char *s, size_t max)
{
	static char out[4096];
	size_t need = sl_json_escape(NULL, 0, s, max), n;

	assert_true(need < sizeof(out));
	n = sl_json_escape(out, sizeof(out), s, max);
	assert_int_equal(n, need);
	out[n] = '\0';
	return out;
}

#define ESC(lit) esc(lit, sizeof(lit) - 1)

static void test_escape_plain_ascii_unchanged(void **state)
{
	(void)state;
	assert_string_equal(ESC("hello /world/ 0123 ~"), "hello /world/ 0123 ~");
	assert_string_equal(ESC(""), "");
	assert_string_equal(ESC("\x7f"), "\x7f"); /* DEL is legal raw in JSON */
}

static void test_escape_quote_and_backslash(void **state)
{
	(void)state;
	assert_string_equal(ESC("a\"b"), "a\\\"b");
	assert_string_equal(ESC("a\\b"), "a\\\\b");
	assert_string_equal(ESC("\"\\\""), "\\\"\\\\\\\"");
}

static void test_escape_control_chars(void **state)
{
	char in[2] = {0, 0}, want[8];

	(void)state;
	for (int c = 1; c < 0x20; c++) {
		in[0] = (char)c;
		snprintf(want, sizeof(want), "\\u%04x", c);
		assert_string_equal(esc(in, 1), want);
	}
	assert_string_equal(ESC("a\nb\tc"), "a\\u000ab\\u0009c");
}

static void test_escape_valid_utf8_passes(void **state)
{
	(void)state;
	assert_string_equal(ESC("\xc3\xa9"), "\xc3\xa9");                 /* é, 2 bytes */
	assert_string_equal(ESC("\xc2\x80"), "\xc2\x80");                 /* U+0080, lowest 2 */
	assert_string_equal(ESC("\xe2\x82\xac"), "\xe2\x82\xac");         /* €, 3 bytes */
	assert_string_equal(ESC("\xe0\xa0\x80"), "\xe0\xa0\x80");         /* U+0800, lowest 3 */
	assert_string_equal(ESC("\xef\xbf\xbf"), "\xef\xbf\xbf");         /* U+FFFF */
	assert_string_equal(ESC("\xf0\x9f\x98\x80"), "\xf0\x9f\x98\x80"); /* 😀, 4 bytes */
	assert_string_equal(ESC("\xf4\x8f\xbf\xbf"), "\xf4\x8f\xbf\xbf"); /* U+10FFFF */
	assert_string_equal(ESC("a\xc3\xa9z"), "a\xc3\xa9z");
}

static void test_escape_invalid_utf8_bytes(void **state)
{
	(void)state;
	assert_string_equal(ESC("\xff"), "\\u00ff");
	assert_string_equal(ESC("\x80"), "\\u0080");            /* lone continuation */
	assert_string_equal(ESC("\xc3"), "\\u00c3");            /* truncated at the end */
	assert_string_equal(ESC("\xc3z"), "\\u00c3z");          /* bad continuation */
	assert_string_equal(ESC("\xe2\x82"), "\\u00e2\\u0082"); /* truncated 3-byte */
	assert_string_equal(ESC("\xf8\x88\x80\x80\x80"), "\\u00f8\\u0088\\u0080\\u0080\\u0080");
}

static void test_escape_overlongs_rejected(void **state)
{
	(void)state;
	assert_string_equal(ESC("\xc0\xaf"), "\\u00c0\\u00af"); /* '/' in 2 bytes */
	assert_string_equal(ESC("\xc1\xbf"), "\\u00c1\\u00bf");
	assert_string_equal(ESC("\xe0\x80\xaf"), "\\u00e0\\u0080\\u00af"); /* '/' in 3 */
	assert_string_equal(ESC("\xe0\x9f\xbf"), "\\u00e0\\u009f\\u00bf"); /* U+07FF in 3 */
	assert_string_equal(ESC("\xf0\x80\x80\xaf"), "\\u00f0\\u0080\\u0080\\u00af");
	assert_string_equal(ESC("\xf0\x8f\xbf\xbf"), "\\u00f0\\u008f\\u00bf\\u00bf");
}

static void test_escape_surrogates_and_past_max_rejected(void **state)
{
	(void)state;
	assert_string_equal(ESC("\xed\xa0\x80"), "\\u00ed\\u00a0\\u0080"); /* U+D800 */
	assert_string_equal(ESC("\xed\xbf\xbf"), "\\u00ed\\u00bf\\u00bf"); /* U+DFFF */
	assert_string_equal(ESC("\xed\x9f\xbf"), "\xed\x9f\xbf");          /* U+D7FF is fine */
	assert_string_equal(ESC("\xf4\x90\x80\x80"), "\\u00f4\\u0090\\u0080\\u0080"); /* >10FFFF */
	assert_string_equal(ESC("\xf5\x80\x80\x80"), "\\u00f5\\u0080\\u0080\\u0080");
}

static void test_escape_stops_at_nul_and_max(void **state)
{
	(void)state;
	assert_string_equal(esc("abc\0def", 7), "abc");
	assert_string_equal(esc("abcdef", 3), "abc");
	/* A multi-byte sequence cut by max is not valid there: escaped byte by byte. */
	assert_string_equal(esc("\xe2\x82\xac", 2), "\\u00e2\\u0082");
}

static void test_escape_output_is_bounded(void **state)
{
	char out[8];

	(void)state;
	memset(out, '#', sizeof(out));
	/* cap 5 holds "ab" and "\\\"" (2) but not the next 6-byte escape. */
	assert_true(sl_json_escape(out, 5, "ab\"\x01z", 5) <= 5);
	assert_int_equal(out[5], '#');
	assert_int_equal(sl_json_escape(out, 0, "abc", 3), 0);
	assert_int_equal(sl_json_escape(NULL, 0, "\x01", 1), 6);
}

static void test_escape_every_byte_pair_is_valid_json(void **state)
{
	/* Exhaustive over two-byte inputs and a sample of three: the output, quoted, is a JSON
	 * string a strict reader accepts. */
	char in[4], q[64];
	size_t n;

	(void)state;
	for (unsigned a = 1; a < 256; a++)
		for (unsigned b = 1; b < 256; b++) {
			in[0] = (char)a;
			in[1] = (char)b;
			in[2] = (char)(0x80 + (a ^ b) % 64);
			for (size_t len = 2; len <= 3; len++) {
				q[0] = '"';
				n = sl_json_escape(q + 1, sizeof(q) - 2, in, len);
				q[n + 1] = '"';
				if (!jc_valid(q, n + 2))
					fail_msg("escape of %02x %02x (len %zu) is not valid JSON",
						 a, b, len);
			}
		}
}

static void test_escape_is_linear(void **state)
{
	/* The writer runs with the log lock held: escaping a long string (a path, argv[0]) must
	 * cost O(length). 256 KiB takes a few ms when linear (even under TSan), most of a
	 * second when quadratic. */
	const size_t n = 256 * 1024;
	char *s = malloc(n + 1);
	struct timespec a, b;
	double ms;

	(void)state;
	assert_non_null(s);
	memset(s, 'a', n);
	s[n] = '\0';
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(sl_json_escape(NULL, 0, s, (size_t)-1), n);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
	free(s);
	if (ms > 200)
		fail_msg("escaping %zu bytes took %.0f ms", n, ms);
}

static size_t build(char *buf, size_t cap)
{
	struct sl_jsonline j;

	sl_jsonline_init(&j, buf, cap);
	sl_jsonline_obj_begin(&j, NULL);
	sl_jsonline_i64(&j, "v", 1);
	sl_jsonline_str(&j, "event", "leak");
	sl_jsonline_arr_begin(&j, "fds");
	sl_jsonline_i64(&j, NULL, 3);
	sl_jsonline_i64(&j, NULL, 4);
	sl_jsonline_arr_end(&j);
	sl_jsonline_obj_begin(&j, "o");
	sl_jsonline_obj_end(&j);
	sl_jsonline_arr_begin(&j, "e");
	sl_jsonline_arr_end(&j);
	sl_jsonline_arr_begin(&j, "frames");
	sl_jsonline_obj_begin(&j, NULL);
	sl_jsonline_hex(&j, "ip", 0x1a2b);
	sl_jsonline_null(&j, "symbol");
	sl_jsonline_obj_end(&j);
	sl_jsonline_obj_begin(&j, NULL);
	sl_jsonline_bool(&j, "t", 1);
	sl_jsonline_bool(&j, "f", 0);
	sl_jsonline_obj_end(&j);
	sl_jsonline_arr_end(&j);
	sl_jsonline_str(&j, "n", NULL);
	sl_jsonline_raw(&j, "raw", "{\"a\":[1]}");
	sl_jsonline_strn(&j, "cut", "abcdef", 3);
	sl_jsonline_obj_end(&j);
	return sl_jsonline_finish(&j);
}

#define RECORD \
	"{\"v\":1,\"event\":\"leak\",\"fds\":[3,4],\"o\":{},\"e\":[],\"frames\":[{\"ip\":" \
	"\"0x1a2b\",\"symbol\":null},{\"t\":true,\"f\":false}],\"n\":null,\"raw\":" \
	"{\"a\":[1]},\"cut\":\"abc\"}\n"

/* The exit summary's names (preload/stack.c): shown as the tools show them (tools/escape.c). */
static void test_term_escape(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(sl_term_escape(out, sizeof(out), "a\x1b[2J\n\r\t\x07\x7f"), 22);
	assert_string_equal(out, "a\\x1b[2J\\n\\r\\t\\x07\\x7f");
	sl_term_escape(out, sizeof(out),
		       "\xe2\x80\xae"
		       "evil\xc2\x9b"
		       "\xff"
		       "caf\xc3\xa9 \xe2\x82\xac");
	assert_string_equal(out, "\\u202eevil\\u009b\\xffcaf\xc3\xa9 \xe2\x82\xac");
	sl_term_escape(out, sizeof(out), NULL);
	assert_string_equal(out, "");
	/* cut before an escape that does not fit whole */
	assert_int_equal(sl_term_escape(out, 6, "abc\x1b"), 3);
	assert_string_equal(out, "abc");
}

static void test_writer_nested_commas(void **state)
{
	char buf[512];
	size_t n = build(buf, sizeof(buf));

	(void)state;
	assert_string_equal(buf, RECORD);
	assert_int_equal(n, strlen(RECORD));
	assert_true(jc_valid(buf, n));
}

static void test_writer_truncation_returns_zero(void **state)
{
	char buf[512];
	size_t full = strlen(RECORD);

	(void)state;
	/* Every capacity short of len + NUL fails cleanly, and nothing is written past cap. */
	for (size_t cap = 0; cap <= full; cap++) {
		memset(buf, '#', sizeof(buf));
		assert_int_equal(build(cap ? buf : NULL, cap), 0);
		assert_int_equal(buf[cap], '#');
	}
	assert_int_equal(build(buf, full + 1), full);
	assert_string_equal(buf, RECORD);
}

static void test_writer_long_escaped_string_truncates(void **state)
{
	char buf[64], big[200];
	struct sl_jsonline j;

	(void)state;
	memset(big, '"', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	sl_jsonline_init(&j, buf, sizeof(buf));
	sl_jsonline_obj_begin(&j, NULL);
	sl_jsonline_str(&j, "s", big);
	sl_jsonline_obj_end(&j);
	assert_int_equal(sl_jsonline_finish(&j), 0);
	assert_true(j.len < sizeof(buf));
}

static void test_writer_string_escaped(void **state)
{
	char buf[256];
	struct sl_jsonline j;
	size_t n;

	(void)state;
	sl_jsonline_init(&j, buf, sizeof(buf));
	sl_jsonline_obj_begin(&j, NULL);
	sl_jsonline_str(&j, "p", "/tmp/\"x\"\\\n\xff\xc3\xa9");
	sl_jsonline_obj_end(&j);
	n = sl_jsonline_finish(&j);
	assert_string_equal(buf, "{\"p\":\"/tmp/\\\"x\\\"\\\\\\u000a\\u00ff\xc3\xa9\"}\n");
	assert_true(jc_valid(buf, n));
}

static void test_id_null_for_zero_else_16_hex(void **state)
{
	char buf[256];
	struct sl_jsonline j;

	(void)state;
	sl_jsonline_init(&j, buf, sizeof(buf));
	sl_jsonline_obj_begin(&j, NULL);
	sl_jsonline_id(&j, "a", 0);
	sl_jsonline_id(&j, "b", 1);
	sl_jsonline_id(&j, "c", 0x9c1f03a2b44e7d10ULL);
	sl_jsonline_id(&j, "d", UINT64_MAX);
	sl_jsonline_obj_end(&j);
	assert_true(sl_jsonline_finish(&j) > 0);
	assert_string_equal(buf,
			    "{\"a\":null,\"b\":\"0000000000000001\",\"c\":\"9c1f03a2b44e7d10\","
			    "\"d\":\"ffffffffffffffff\"}\n");
}

static void test_numbers_extremes(void **state)
{
	char buf[256];
	struct sl_jsonline j;

	(void)state;
	sl_jsonline_init(&j, buf, sizeof(buf));
	sl_jsonline_arr_begin(&j, NULL);
	sl_jsonline_u64(&j, NULL, UINT64_MAX);
	sl_jsonline_u64(&j, NULL, 0);
	sl_jsonline_i64(&j, NULL, INT64_MIN);
	sl_jsonline_i64(&j, NULL, INT64_MAX);
	sl_jsonline_i64(&j, NULL, -1);
	sl_jsonline_hex(&j, NULL, 0);
	sl_jsonline_hex(&j, NULL, UINT64_MAX);
	sl_jsonline_arr_end(&j);
	assert_true(sl_jsonline_finish(&j) > 0);
	assert_string_equal(buf, "[18446744073709551615,0,-9223372036854775808,"
				 "9223372036854775807,-1,\"0x0\",\"0xffffffffffffffff\"]\n");
}

static void test_fmt_helpers(void **state)
{
	char out[32];
	size_t n;

	(void)state;
	n = sl_fmt_u64(out, 0);
	assert_int_equal(n, 1);
	assert_memory_equal(out, "0", 1);
	n = sl_fmt_u64(out, 1234567890123ULL);
	assert_int_equal(n, 13);
	assert_memory_equal(out, "1234567890123", 13);
	n = sl_fmt_hex(out, 0xab, 1);
	assert_int_equal(n, 2);
	assert_memory_equal(out, "ab", 2);
	n = sl_fmt_hex(out, 0xab, 4);
	assert_int_equal(n, 4);
	assert_memory_equal(out, "00ab", 4);
	n = sl_fmt_hex(out, 5, 40); /* width is capped at 16 digits */
	assert_int_equal(n, 16);
	assert_memory_equal(out, "0000000000000005", 16);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_plain_ascii_unchanged),
		cmocka_unit_test(test_escape_quote_and_backslash),
		cmocka_unit_test(test_escape_control_chars),
		cmocka_unit_test(test_escape_valid_utf8_passes),
		cmocka_unit_test(test_escape_invalid_utf8_bytes),
		cmocka_unit_test(test_escape_overlongs_rejected),
		cmocka_unit_test(test_escape_surrogates_and_past_max_rejected),
		cmocka_unit_test(test_escape_stops_at_nul_and_max),
		cmocka_unit_test(test_escape_output_is_bounded),
		cmocka_unit_test(test_escape_every_byte_pair_is_valid_json),
		cmocka_unit_test(test_escape_is_linear),
		cmocka_unit_test(test_term_escape),
		cmocka_unit_test(test_writer_nested_commas),
		cmocka_unit_test(test_writer_truncation_returns_zero),
		cmocka_unit_test(test_writer_long_escaped_string_truncates),
		cmocka_unit_test(test_writer_string_escaped),
		cmocka_unit_test(test_id_null_for_zero_else_16_hex),
		cmocka_unit_test(test_numbers_extremes),
		cmocka_unit_test(test_fmt_helpers),
	};

	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
