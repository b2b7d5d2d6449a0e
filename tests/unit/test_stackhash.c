/* Stack ids (preload/stackhash.c): equal frames give equal ids, order matters, 0 never occurs
 * (0 means "no stack" in the log). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "../../preload/stack.h"

static void test_deterministic(void **state)
{
	uintptr_t a[] = {0x401000, 0x7f0000123456, 0x55d0c1a0b2c4};
	uintptr_t b[] = {0x401000, 0x7f0000123456, 0x55d0c1a0b2c4};

	(void)state;
	assert_int_equal(sl_stack_hash(a, 3), sl_stack_hash(a, 3));
	assert_int_equal(sl_stack_hash(a, 3), sl_stack_hash(b, 3));
}

static void test_known_value_fnv1a(void **state)
{
	/* FNV-1a 64 of no bytes is its offset basis; pinned so ids stay stable across releases. */
	(void)state;
	assert_int_equal(sl_stack_hash(NULL, 0), 0xcbf29ce484222325ULL);
}

static void test_order_sensitive(void **state)
{
	uintptr_t a[] = {0x1000, 0x2000, 0x3000};
	uintptr_t b[] = {0x3000, 0x2000, 0x1000};
	uintptr_t c[] = {0x2000, 0x1000, 0x3000};

	(void)state;
	assert_int_not_equal(sl_stack_hash(a, 3), sl_stack_hash(b, 3));
	assert_int_not_equal(sl_stack_hash(a, 3), sl_stack_hash(c, 3));
}

static void test_length_and_value_sensitive(void **state)
{
	uintptr_t a[] = {0x1000, 0x2000, 0x3000};
	uintptr_t b[] = {0x1000, 0x2000, 0x3001};

	(void)state;
	assert_int_not_equal(sl_stack_hash(a, 2), sl_stack_hash(a, 3));
	assert_int_not_equal(sl_stack_hash(a, 3), sl_stack_hash(b, 3));
	assert_int_not_equal(sl_stack_hash(a, 0), sl_stack_hash(a, 1));
}

static void test_never_zero(void **state)
{
	uintptr_t ips[4];
	uint64_t x = 0x9e3779b97f4a7c15ULL;

	(void)state;
	for (unsigned i = 0; i < 200000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		ips[i % 4] = (uintptr_t)x;
		assert_int_not_equal(sl_stack_hash(ips, 1 + i % 4), 0);
	}
	memset(ips, 0, sizeof(ips));
	assert_int_not_equal(sl_stack_hash(ips, 4), 0);
}

static void test_few_collisions(void **state)
{
	/* 4096 single-frame stacks at nearby addresses: all ids distinct (64-bit FNV). */
	static uint64_t h[4096];
	uintptr_t ip;

	(void)state;
	for (unsigned i = 0; i < 4096; i++) {
		ip = 0x401000 + i;
		h[i] = sl_stack_hash(&ip, 1);
		for (unsigned k = 0; k < i; k++)
			assert_int_not_equal(h[k], h[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_known_value_fnv1a),
		cmocka_unit_test(test_order_sensitive),
		cmocka_unit_test(test_length_and_value_sensitive),
		cmocka_unit_test(test_never_zero),
		cmocka_unit_test(test_few_collisions),
	};

	return cmocka_run_group_tests_name("stackhash", tests, NULL, NULL);
}
