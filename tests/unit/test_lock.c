/* sockleak's futex lock (preload/lock.c): mutual exclusion under contention, waiters woken,
 * errno never touched, and the raw system call returning -errno. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "../../preload/lock.h"

#define THREADS 4
#define ROUNDS 200000

static sl_mutex mu = SL_MUTEX_INIT;
static unsigned long counter; /* plain: only ever changed under mu */

static void *bump(void *arg)
{
	(void)arg;
	for (int i = 0; i < ROUNDS; i++) {
		sl_mutex_lock(&mu);
		counter++;
		sl_mutex_unlock(&mu);
	}
	return NULL;
}

static void test_mutual_exclusion(void **state)
{
	pthread_t t[THREADS];

	(void)state;
	counter = 0;
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, bump, NULL), 0);
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	assert_int_equal(counter, (unsigned long)THREADS * ROUNDS);
	assert_int_equal(mu.v, 0);
}

static void *hold_then_release(void *arg)
{
	struct timespec ts = {0, 50 * 1000000L};

	(void)arg;
	nanosleep(&ts, NULL);
	sl_mutex_unlock(&mu);
	return NULL;
}

static void test_waiter_is_woken(void **state)
{
	pthread_t t;

	(void)state;
	sl_mutex_lock(&mu);
	assert_int_equal(pthread_create(&t, NULL, hold_then_release, NULL), 0);
	/* Blocks in FUTEX_WAIT (the word goes to 2) until the other thread unlocks. */
	sl_mutex_lock(&mu);
	assert_int_equal(mu.v, 2);
	sl_mutex_unlock(&mu);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(mu.v, 0);
}

static void test_errno_untouched(void **state)
{
	int w = 1;
	struct timespec zero = {0, 0};

	(void)state;
	errno = 4242;
	/* A wait whose value does not match fails with EAGAIN, and one that times out with
	 * ETIMEDOUT: both come back as -errno, errno stays the caller's. */
	assert_int_equal(sl_futex(&w, FUTEX_WAIT, 0, NULL), -EAGAIN);
	assert_int_equal(sl_futex(&w, FUTEX_WAIT, 1, &zero), -ETIMEDOUT);
	assert_int_equal(sl_sys4(SYS_close, -1, 0, 0, 0), -EBADF);
	sl_mutex_lock(&mu);
	sl_mutex_unlock(&mu);
	assert_int_equal(errno, 4242);
}

static void test_reset(void **state)
{
	(void)state;
	sl_mutex_lock(&mu);
	sl_mutex_reset(&mu); /* a fork child's view: nobody else can hold it */
	sl_mutex_lock(&mu);
	sl_mutex_unlock(&mu);
	assert_int_equal(mu.v, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mutual_exclusion),
		cmocka_unit_test(test_waiter_is_woken),
		cmocka_unit_test(test_errno_untouched),
		cmocka_unit_test(test_reset),
	};

	return cmocka_run_group_tests_name("lock", tests, NULL, NULL);
}
