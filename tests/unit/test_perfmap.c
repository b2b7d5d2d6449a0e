/* The process's own perf map (preload/perfmap.c): names come only from a regular file of ours
 * that nobody else may write; /tmp/perf-PID.map is in a directory anyone may write to, and a
 * map others can write would let them name (and so suppress) our leaks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../preload/perfmap.h"

static char path[64];

static void write_map(mode_t mode)
{
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/perf-%d.map", (int)getpid());
	unlink(path);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("7f0000001000 100 jit_handler\n", f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static void test_own_map_names(void **state)
{
	uintptr_t ips[2] = {0x7f0000001010, 0x7f0000009000};
	const char *names[2] = {NULL, NULL};

	(void)state;
	write_map(0644);
	assert_int_equal(sl_perfmap_names(ips, 2, names), 1);
	assert_string_equal(names[0], "jit_handler");
	assert_null(names[1]);
	unlink(path);
}

static void test_writable_by_others_refused(void **state)
{
	uintptr_t ips[1] = {0x7f0000001010};
	const char *names[1] = {NULL};

	(void)state;
	write_map(0666);
	assert_int_equal(sl_perfmap_names(ips, 1, names), 0);
	write_map(0664);
	assert_int_equal(sl_perfmap_names(ips, 1, names), 0);
	assert_null(names[0]);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_own_map_names),
		cmocka_unit_test(test_writable_by_others_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
