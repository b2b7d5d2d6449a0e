/* The suppression matcher (preload/suppmatch.c), shared by the library and the tools, against
 * LeakSanitizer's semantics: the cases of compiler-rt's own test of TemplateMatch
 * (sanitizer_suppressions_test.cpp, Suppressions.Match), then frames as sockleak matches them
 * (issue 12: module base names, binaries named after their source file, Python paths). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../preload/suppmatch.h"

#define MATCH(t, s) assert_true(sl_supp_template_match(t, s))
#define NO_MATCH(t, s) assert_false(sl_supp_template_match(t, s))

static void test_lsan_matches(void **state)
{
	(void)state;
	MATCH("foobar$", "foobar");
	MATCH("foobar", "foobar");
	MATCH("*foobar*", "foobar");
	MATCH("foobar", "prefix_foobar_postfix");
	MATCH("*foobar*", "prefix_foobar_postfix");
	MATCH("foo*bar", "foo_middle_bar");
	MATCH("foo*bar", "foobar");
	MATCH("foo*bar*baz", "foo_middle_bar_another_baz");
	MATCH("foo*bar*baz", "foo_middle_barbaz");
	MATCH("^foobar", "foobar");
	MATCH("^foobar", "foobar_postfix");
	MATCH("^*foobar", "foobar");
	MATCH("^*foobar", "prefix_foobar");
	MATCH("foobar$", "prefix_foobar");
	MATCH("*foobar*$", "foobar");
	MATCH("*foobar*$", "foobar_postfix");
	MATCH("^foobar$", "foobar");
}

static void test_lsan_mismatches(void **state)
{
	(void)state;
	NO_MATCH("foo", "baz");
	NO_MATCH("foobarbaz", "foobar");
	NO_MATCH("foobarbaz", "barbaz");
	NO_MATCH("foo*bar", "foobaz");
	NO_MATCH("foo*bar", "foo_baz");
	NO_MATCH("^foobar", "prefix_foobar");
	NO_MATCH("foobar$", "foobar_postfix");
	NO_MATCH("^foobar$", "prefix_foobar");
	NO_MATCH("^foobar$", "foobar_postfix");
	NO_MATCH("foo^bar", "foobar");
	NO_MATCH("foo$bar", "foobar");
	NO_MATCH("foo$^bar", "foobar");
}

/* What follows from TemplateMatch's code: no string matches nothing, an empty pattern or a
 * lone '*' matches any string, chunks are found leftmost without backtracking. */
static void test_lsan_edges(void **state)
{
	(void)state;
	NO_MATCH("foo", NULL);
	NO_MATCH("", "");
	NO_MATCH("*", "");
	MATCH("", "x");
	MATCH("*", "x");
	MATCH("^", "x");
	NO_MATCH("$", "");
	NO_MATCH("$", "x"); /* "$" alone: only the end of a string that is never empty */
	NO_MATCH("foo$", "foofoo");
	MATCH("foo*$", "foofoo");
	MATCH("^a*c$", "abc");
	NO_MATCH("^a*c$", "abcd");
}

#define FRAME(p, fn, file, mod) sl_supp_frame_match(p, fn, file, mod)

static void test_frames(void **state)
{
	const char *bin = "/ci/build/s1_seed000", *lib = "/usr/lib/x86_64-linux-gnu/libfoo.so.1";

	(void)state;
	/* a binary named after its source file: by module, and by source file */
	assert_true(FRAME("s1_seed000", "serve", NULL, bin));
	assert_true(FRAME("s1_seed000.c", "serve", "/ci/src/s1_seed000.c", bin));
	assert_true(FRAME("s1_seed000.c", "serve", "s1_seed000.c", NULL));
	assert_false(FRAME("s1_seed000.c", "serve", NULL, bin));
	/* a library by name, full path or base name (anchored) */
	assert_true(FRAME("libfoo.so", NULL, NULL, lib));
	assert_true(FRAME("^libfoo.so", NULL, NULL, lib));
	assert_true(FRAME("^/usr/lib/", NULL, NULL, lib));
	assert_false(FRAME("^libbar", NULL, NULL, lib));
	/* functions, anchored or not */
	assert_true(FRAME("accept_conn", "my_accept_conn_loop", NULL, bin));
	assert_false(FRAME("^accept_conn$", "my_accept_conn_loop", NULL, NULL));
	assert_true(FRAME("^accept_conn$", "accept_conn", NULL, NULL));
	/* an interpreter's frame: its source file */
	assert_true(FRAME("*urllib3*", "urlopen",
			  "/usr/lib/python3/dist-packages/urllib3/connectionpool.py", NULL));
	assert_true(FRAME("urllib3/connectionpool.py", "urlopen",
			  "/usr/lib/python3/dist-packages/urllib3/connectionpool.py", NULL));
	assert_false(FRAME("requests", "urlopen",
			   "/usr/lib/python3/dist-packages/urllib3/connectionpool.py", NULL));
	/* nothing known matches nothing */
	assert_false(FRAME("x", NULL, NULL, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lsan_matches),
		cmocka_unit_test(test_lsan_mismatches),
		cmocka_unit_test(test_lsan_edges),
		cmocka_unit_test(test_frames),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
