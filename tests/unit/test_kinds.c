/* The leak kinds table (preload/kinds.h) against the documentation: every kind the library can
 * write has its entry in the `kind` row of docs/log-format.md and under `leak` in sockleak(7),
 * and the library's names are the table's (issue 12: "idle" was written by the library and
 * unknown to the analyser). Run from the top of the tree (make check-unit does). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../preload/kinds.h"
#include "textfile.h"

#define NAME(id, name, rule, title) name,
static const char *const kinds[] = {SL_LEAK_KINDS(NAME)};
#undef NAME
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

static void test_library_names_are_the_table(void **state)
{
	(void)state;
	assert_int_equal(SL_KIND_N, NKINDS + 1);
	for (size_t i = 0; i < NKINDS; i++)
		assert_string_equal(sl_kind_name((enum sl_kind)(i + 1)), kinds[i]);
	assert_string_equal(sl_kind_name(SL_KIND_NONE), "none");
	assert_string_equal(sl_kind_name(SL_KIND_N), "none");
}

/* In the `kind` row of the leak record: "`NAME`: meaning". */
static void test_kinds_in_log_format(void **state)
{
	char *md = tf_read("docs/log-format.md"), *row = strstr(md, "\n| `kind` | `"), *end;
	char want[64];

	(void)state;
	assert_non_null(row);
	end = strchr(row + 1, '\n');
	assert_non_null(end);
	*end = '\0';
	for (size_t i = 0; i < NKINDS; i++) {
		snprintf(want, sizeof(want), "`%s`: ", kinds[i]);
		if (!strstr(row, want))
			fail_msg("docs/log-format.md: kind %s is not in the leak record's kind row",
				 kinds[i]);
	}
	free(md);
}

/* Under the ".TP .B leak" entry of sockleak(7), up to the next ".TP": ".B NAME" lines. */
static void test_kinds_in_man_page(void **state)
{
	char *man = tf_read("docs/sockleak.7"), *sec = strstr(man, "\n.TP\n.B leak\n"), *end;
	char want[64];

	(void)state;
	assert_non_null(sec);
	end = strstr(sec + 4, "\n.TP\n");
	if (end)
		*end = '\0';
	for (size_t i = 0; i < NKINDS; i++) {
		snprintf(want, sizeof(want), "\n.B %s\n", kinds[i]);
		if (!strstr(sec, want))
			fail_msg("docs/sockleak.7: kind %s is not under the leak record", kinds[i]);
	}
	free(man);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_library_names_are_the_table),
		cmocka_unit_test(test_kinds_in_log_format),
		cmocka_unit_test(test_kinds_in_man_page),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
