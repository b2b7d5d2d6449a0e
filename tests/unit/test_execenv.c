/* Will an exec's new image be tracked (preload/execenv.c)? Every reason an environment loses
 * sockleak, the ways LD_PRELOAD may still name it, and the exec-target check that keeps failed
 * execs (a shell trying each PATH entry) from leaving records. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "../../preload/execenv.h"

#define SELF "/opt/sockleak/lib/libsockleak.so"
#define LOG "/tmp/sockleak-run.x/log"

static const char *why(char **envp) { return sl_execenv_why(envp, SELF, LOG, 0); }

static void test_cleared(void **state)
{
	char *none[] = {NULL};
	char *path_only[] = {"PATH=/bin", NULL};

	(void)state;
	assert_string_equal(why(none), "environment cleared");
	assert_string_equal(why(path_only), "environment cleared");
	assert_string_equal(sl_execenv_why(NULL, SELF, LOG, 0), "environment cleared");
}

static void test_kept(void **state)
{
	char *same[] = {"LD_PRELOAD=" SELF, "SOCKLEAK_OPTIONS=grace_ms=1:log_path=" LOG, NULL};
	/* other libraries around it, spaces as separators, the sanitizer runtime first */
	char *mixed[] = {"SOCKLEAK_OPTIONS=log_path=" LOG ":scan_ms=5",
			 "LD_PRELOAD=/usr/lib/libasan.so.8 " SELF ":/usr/lib/libjemalloc.so.2",
			 NULL};
	/* found by name in the loader's search path, or another copy of libsockleak */
	char *by_name[] = {"LD_PRELOAD=libsockleak.so", "SOCKLEAK_OPTIONS=log_path=" LOG, NULL};
	char *copy[] = {"LD_PRELOAD=/build/libsockleak.so", "SOCKLEAK_OPTIONS=log_path=" LOG, NULL};
	/* the last log_path wins, as in the library */
	char *last[] = {"LD_PRELOAD=" SELF,
			"SOCKLEAK_OPTIONS=log_path=/elsewhere/log:log_path=" LOG, NULL};

	(void)state;
	assert_null(why(same));
	assert_null(why(mixed));
	assert_null(why(by_name));
	assert_null(why(copy));
	assert_null(why(last));
}

static void test_preload_lost(void **state)
{
	char *removed[] = {"SOCKLEAK_OPTIONS=log_path=" LOG, NULL};
	char *replaced[] = {"LD_PRELOAD=/usr/lib/libjemalloc.so.2",
			    "SOCKLEAK_OPTIONS=log_path=" LOG, NULL};
	char *empty[] = {"LD_PRELOAD=", "SOCKLEAK_OPTIONS=log_path=" LOG, NULL};
	/* a name that only contains ours is not ours */
	char *lookalike[] = {"LD_PRELOAD=/opt/notlibsockleak.so", "SOCKLEAK_OPTIONS=log_path=" LOG,
			     NULL};
	char *prefix_var[] = {"LD_PRELOADX=" SELF, "SOCKLEAK_OPTIONS=log_path=" LOG, NULL};

	(void)state;
	assert_string_equal(why(removed), "LD_PRELOAD removed");
	assert_string_equal(why(replaced), "LD_PRELOAD replaced");
	assert_string_equal(why(empty), "LD_PRELOAD removed");
	assert_string_equal(why(lookalike), "LD_PRELOAD replaced");
	assert_string_equal(why(prefix_var), "LD_PRELOAD removed");
}

static void test_options_lost(void **state)
{
	char *removed[] = {"LD_PRELOAD=" SELF, NULL};
	char *changed[] = {"LD_PRELOAD=" SELF, "SOCKLEAK_OPTIONS=log_path=/elsewhere/log", NULL};
	char *no_path[] = {"LD_PRELOAD=" SELF, "SOCKLEAK_OPTIONS=grace_ms=5", NULL};

	(void)state;
	assert_string_equal(why(removed), "SOCKLEAK_OPTIONS removed");
	assert_string_equal(why(changed), "SOCKLEAK_OPTIONS changed");
	assert_string_equal(why(no_path), "SOCKLEAK_OPTIONS changed");
	/* a process that logs to stderr passes that on without any SOCKLEAK_OPTIONS */
	assert_null(sl_execenv_why(removed, SELF, "stderr", 0));
}

/* Loaded from /etc/ld.so.preload: LD_PRELOAD does not matter, where the records go does. */
static void test_global_preload(void **state)
{
	char *none[] = {NULL};
	char *kept[] = {"SOCKLEAK_OPTIONS=log_path=" LOG, NULL};
	char *replaced[] = {"LD_PRELOAD=/usr/lib/libjemalloc.so.2",
			    "SOCKLEAK_OPTIONS=log_path=" LOG, NULL};

	(void)state;
	assert_null(sl_execenv_why(kept, SELF, LOG, 1));
	assert_null(sl_execenv_why(replaced, SELF, LOG, 1));
	assert_null(sl_execenv_why(none, SELF, "stderr", 1));
	assert_string_equal(sl_execenv_why(none, SELF, LOG, 1), "SOCKLEAK_OPTIONS removed");
	/* the file's own separators: newlines and tabs too */
	assert_true(sl_preload_names_us("/usr/lib/libfoo.so\n" SELF "\n", SELF));
	assert_true(sl_preload_names_us("/usr/lib/libfoo.so\t/other/libsockleak.so", SELF));
	assert_false(sl_preload_names_us("/usr/lib/libfoo.so\n", SELF));
}

static void test_target(void **state)
{
	(void)state;
	assert_true(sl_exec_target_ok("/bin/sh", SL_EXEC_FILE));
	assert_false(sl_exec_target_ok("/nonexistent/sockleak-x", SL_EXEC_FILE));
	assert_false(sl_exec_target_ok("sh", SL_EXEC_FILE)); /* execve does not search */
	assert_false(sl_exec_target_ok("", SL_EXEC_FILE));
	assert_false(sl_exec_target_ok(NULL, SL_EXEC_SEARCH));
	setenv("PATH", "/nonexistent:/bin:/usr/bin", 1);
	assert_true(sl_exec_target_ok("sh", SL_EXEC_SEARCH));
	assert_false(sl_exec_target_ok("no-such-program-sockleak", SL_EXEC_SEARCH));
	assert_true(sl_exec_target_ok("/bin/sh", SL_EXEC_SEARCH));
	assert_true(sl_exec_target_ok("(fexecve)", SL_EXEC_FD));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cleared),        cmocka_unit_test(test_kept),
		cmocka_unit_test(test_preload_lost),   cmocka_unit_test(test_options_lost),
		cmocka_unit_test(test_global_preload), cmocka_unit_test(test_target),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
