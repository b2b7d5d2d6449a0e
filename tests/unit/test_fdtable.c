/* fd table, inode map and socket slabs (preload/fdtable.c, preload/mem.c). The module keeps
 * process-wide state, so every test starts from an empty table (setup clears whatever a failed
 * test left). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../../preload/fdtable.h"

static int free_cb(struct sl_sock *s, void *ctx)
{
	(void)ctx;
	sl_sock_free(s);
	return 0;
}

static int reset(void **state)
{
	(void)state;
	for (unsigned c = 0; c < (SL_FD_LIMIT >> SL_FD_SHIFT); c++)
		if (sl_fd_chunks[c])
			for (unsigned i = 0; i < SL_FD_CHUNK; i++)
				sl_fd_chunks[c][i] = NULL;
	sl_sock_each(free_cb, NULL);
	return sl_sock_count() == 0 ? 0 : -1;
}

/* xorshift64: deterministic "random" so a failure reproduces. */
static uint64_t rng = 0x853c49e6748fea9bULL;
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* A socket as track.c makes one: fd and nfds kept by the caller. */
static struct sl_sock *sock_on(uint64_t inode, int fd)
{
	struct sl_sock *s = sl_sock_new(inode);

	assert_non_null(s);
	assert_int_equal(sl_fd_set(fd, s), 0);
	s->fd = fd;
	s->nfds = 1;
	return s;
}

static void test_fd_set_lookup_clear(void **state)
{
	struct sl_sock *s;

	(void)state;
	s = sl_sock_new(100);
	assert_non_null(s);
	assert_int_equal(s->inode, 100);
	assert_int_equal(s->flags & SL_F_USED, SL_F_USED);
	assert_int_equal(s->fd, -1);
	assert_null(sl_fd_lookup(5));
	assert_int_equal(sl_fd_set(5, s), 0);
	assert_ptr_equal(sl_fd_lookup(5), s);
	assert_null(sl_fd_lookup(4));
	assert_null(sl_fd_lookup(6));
	assert_ptr_equal(sl_fd_clear(5), s);
	assert_null(sl_fd_lookup(5));
	assert_null(sl_fd_clear(5));
	sl_sock_free(s);
	assert_int_equal(sl_sock_count(), 0);
}

static void test_fd_high_numbers(void **state)
{
	static const int fds[] = {0,
				  4095,
				  4096,
				  65535,
				  65536,
				  70000,
				  1 << 20,
				  (int)(SL_FD_LIMIT - SL_FD_CHUNK),
				  (int)(SL_FD_LIMIT - 1)};
	struct sl_sock *s = sl_sock_new(7);

	(void)state;
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		assert_int_equal(sl_fd_set(fds[i], s), 0);
		assert_ptr_equal(sl_fd_lookup(fds[i]), s);
	}
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		assert_ptr_equal(sl_fd_clear(fds[i]), s);
		assert_null(sl_fd_lookup(fds[i]));
	}
}

static void test_fd_out_of_range(void **state)
{
	struct sl_sock *s = sl_sock_new(8);

	(void)state;
	/* Negative numbers are never descriptors; every non-negative int is (the top level
	 * covers all 32-bit values, so the hot path has no bounds check). */
	assert_int_equal(sl_fd_set(-1, s), EBADF);
	assert_int_equal(sl_fd_set(INT_MIN, s), EBADF);
	assert_int_equal(sl_fd_set((int)SL_FD_LIMIT, s), EBADF);
	assert_null(sl_fd_lookup(-1));
	assert_null(sl_fd_lookup(INT_MIN));
	assert_null(sl_fd_lookup((int)SL_FD_LIMIT));
	assert_null(sl_fd_lookup(INT_MAX));
	assert_null(sl_fd_clear(-1));
	assert_null(sl_fd_clear((int)SL_FD_LIMIT));
	assert_null(sl_fd_clear(INT_MAX));
	assert_int_equal(sl_fd_set(INT_MAX, s), 0);
	assert_ptr_equal(sl_fd_lookup(INT_MAX), s);
	assert_ptr_equal(sl_fd_clear(INT_MAX), s);
	assert_null(sl_fd_lookup(INT_MAX));
}

static void test_inode_lookup_basic(void **state)
{
	struct sl_sock *a, *b;

	(void)state;
	assert_null(sl_sock_by_inode(0));
	assert_null(sl_sock_by_inode(12345));
	a = sl_sock_new(12345);
	b = sl_sock_new(12346);
	assert_ptr_equal(sl_sock_by_inode(12345), a);
	assert_ptr_equal(sl_sock_by_inode(12346), b);
	assert_true(b->gen != a->gen);
	sl_sock_free(a);
	assert_null(sl_sock_by_inode(12345));
	assert_ptr_equal(sl_sock_by_inode(12346), b);
	/* A double free is ignored: the count and the map stay right. */
	sl_sock_free(a);
	assert_int_equal(sl_sock_count(), 1);
	assert_ptr_equal(sl_sock_by_inode(12346), b);
}

/* The map's hash, copied so the test can aim keys at one cluster of slots. If the map's hash
 * changes, the test still checks the map, with less pressure on the probe chains. */
static size_t home_of(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (size_t)x;
}

#define NKEYS 6000

static void check_all(const uint64_t *keys, struct sl_sock **socks, const char *live, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct sl_sock *s = sl_sock_by_inode(keys[i]);

		if (live[i] && s != socks[i])
			fail_msg("key %zu (inode %#llx) lost", i, (unsigned long long)keys[i]);
		if (!live[i] && s)
			fail_msg("deleted key %zu (inode %#llx) still found", i,
				 (unsigned long long)keys[i]);
	}
}

static void test_inode_map_backward_shift(void **state)
{
	/* Half the keys hash into a 200-slot window that straddles the end of the table (so probe
	 * chains wrap around), half are sequential like real inode numbers. Random deletes must
	 * leave every remaining key reachable: a wrong backward shift strands keys behind a hole. */
	static uint64_t keys[NKEYS];
	static struct sl_sock *socks[NKEYS];
	static char live[NKEYS];
	const size_t mask = 16383; /* the table size once NKEYS are in */
	size_t nlive = 0;

	(void)state;
	for (size_t i = 0; i < NKEYS; i++) {
		uint64_t k;

		if (i % 2) {
			k = 1000000 + i;
		} else {
			do
				k = rnd() | 1;
			while (((home_of(k) + 100) & mask) >= 200);
		}
		keys[i] = k;
	}
	for (size_t i = 0; i < NKEYS; i++) {
		socks[i] = sl_sock_new(keys[i]);
		assert_non_null(socks[i]);
		live[i] = 1;
		nlive++;
	}
	assert_int_equal(sl_sock_count(), NKEYS);
	check_all(keys, socks, live, NKEYS);
	for (int round = 0; round < 4; round++) {
		for (size_t d = 0; d < NKEYS / 3; d++) {
			size_t i = rnd() % NKEYS;

			if (live[i]) {
				sl_sock_free(socks[i]);
				live[i] = 0;
				nlive--;
			}
		}
		assert_int_equal(sl_sock_count(), nlive);
		check_all(keys, socks, live, NKEYS);
		/* Re-insert some of the deleted keys: they must land in a reachable slot. */
		for (size_t i = 0; i < NKEYS; i += 3)
			if (!live[i]) {
				socks[i] = sl_sock_new(keys[i]);
				assert_non_null(socks[i]);
				live[i] = 1;
				nlive++;
			}
		check_all(keys, socks, live, NKEYS);
	}
	for (size_t i = 0; i < NKEYS; i++)
		if (live[i])
			sl_sock_free(socks[i]);
	assert_int_equal(sl_sock_count(), 0);
	for (size_t i = 0; i < NKEYS; i++)
		assert_null(sl_sock_by_inode(keys[i]));
}

static void test_new_on_existing_inode_evicts_stale(void **state)
{
	struct sl_sock *old, *s;
	uint32_t gen;

	(void)state;
	old = sock_on(42, 7);
	assert_int_equal(sl_fd_set(9, old), 0); /* a dup we saw */
	old->nfds = 2;
	assert_int_equal(sl_fd_set(70001, old), 0); /* and one in a far chunk */
	old->nfds = 3;
	old->eof_ms = 99;
	gen = old->gen;
	s = sl_sock_new(42);
	assert_non_null(s);
	assert_ptr_equal(sl_sock_by_inode(42), s);
	assert_true(s->gen != gen);
	assert_int_equal(s->eof_ms, 0);
	assert_int_equal(s->nfds, 0);
	assert_int_equal(s->fd, -1);
	assert_null(sl_fd_lookup(7));
	assert_null(sl_fd_lookup(9));
	assert_null(sl_fd_lookup(70001));
	assert_int_equal(sl_sock_count(), 1);
}

static void test_new_on_existing_single_fd_evicts_stale(void **state)
{
	struct sl_sock *s;

	(void)state;
	sock_on(43, 11);
	s = sl_sock_new(43);
	assert_non_null(s);
	assert_null(sl_fd_lookup(11));
	assert_int_equal(sl_sock_count(), 1);
}

static void test_new_on_existing_inode_clears_many_fds(void **state)
{
	/* More dups than any fixed batch: every stale fd must go, or it would name the new record
	 * (the evicted record is the first one reused). */
	struct sl_sock *old, *s;

	(void)state;
	old = sock_on(44, 100);
	for (int fd = 101; fd < 140; fd++) {
		assert_int_equal(sl_fd_set(fd, old), 0);
		old->nfds++;
	}
	s = sl_sock_new(44);
	assert_non_null(s);
	for (int fd = 100; fd < 140; fd++)
		if (sl_fd_lookup(fd))
			fail_msg("fd %d of the evicted record still maps to a socket", fd);
	assert_int_equal(sl_sock_count(), 1);
}

static void test_sock_fds_lists_every_dup(void **state)
{
	static const int dups[] = {9, 4100, 70000, (int)(SL_FD_LIMIT - 1)};
	struct sl_sock *s, *other;
	int out[16], n;

	(void)state;
	s = sock_on(500, 3);
	other = sock_on(501, 4);
	n = sl_sock_fds(s, out, 16);
	assert_int_equal(n, 1);
	assert_int_equal(out[0], 3);
	for (size_t i = 0; i < sizeof(dups) / sizeof(dups[0]); i++) {
		assert_int_equal(sl_fd_set(dups[i], s), 0);
		s->nfds++;
	}
	n = sl_sock_fds(s, out, 16);
	assert_int_equal(n, 5);
	assert_int_equal(out[0], 3);
	for (int i = 1; i < n; i++)
		assert_int_equal(out[i], dups[i - 1]);
	/* max bounds the output; max 0 writes nothing. */
	out[2] = -7;
	assert_int_equal(sl_sock_fds(s, out, 2), 2);
	assert_int_equal(out[2], -7);
	assert_int_equal(sl_sock_fds(s, out, 0), 0);
	/* After the first fd is closed, the rest are still listed. */
	sl_fd_clear(3);
	s->nfds--;
	n = sl_sock_fds(s, out, 16);
	assert_int_equal(n, 4);
	assert_int_equal(out[0], 9);
	n = sl_sock_fds(other, out, 16);
	assert_int_equal(n, 1);
	assert_int_equal(out[0], 4);
}

static void test_add_shared_dedups_keeps_newest(void **state)
{
	struct sl_sock *s = sl_sock_new(600);

	(void)state;
	sl_sock_add_shared(s, 100);
	sl_sock_add_shared(s, 100);
	sl_sock_add_shared(s, 200);
	assert_int_equal(s->nshared, 2);
	assert_int_equal(s->shared[0], 100);
	assert_int_equal(s->shared[1], 200);
	sl_sock_add_shared(s, 300);
	sl_sock_add_shared(s, 400);
	sl_sock_add_shared(s, 500);
	sl_sock_add_shared(s, 600);
	assert_int_equal(s->nshared, SL_SHARED_MAX);
	assert_int_equal(s->shared[0], 300);
	assert_int_equal(s->shared[1], 400);
	assert_int_equal(s->shared[2], 500);
	assert_int_equal(s->shared[3], 600);
	sl_sock_add_shared(s, 400); /* known: no change */
	assert_int_equal(s->nshared, SL_SHARED_MAX);
	assert_int_equal(s->shared[0], 300);
	assert_int_equal(s->shared[3], 600);
}

static int ptr_cmp(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;

	return x < y ? -1 : x > y;
}

static void test_slab_reuse_after_free(void **state)
{
	enum { N = 2500 }; /* more than two slabs */
	static struct sl_sock *first[N];
	static uintptr_t seen[N];
	struct sl_sock *s, *t;
	uint64_t total;

	(void)state;
	s = sl_sock_new(1);
	sl_sock_free(s);
	t = sl_sock_new(2);
	assert_ptr_equal(t, s); /* the freed record is the first reused */
	assert_int_equal(t->inode, 2);
	assert_null(sl_sock_by_inode(1));
	sl_sock_free(t);
	for (int i = 0; i < N; i++) {
		first[i] = sl_sock_new(10000 + (uint64_t)i);
		seen[i] = (uintptr_t)first[i];
	}
	qsort(seen, N, sizeof(seen[0]), ptr_cmp);
	for (int i = 0; i < N; i++)
		sl_sock_free(first[i]);
	total = sl_sock_total;
	/* Freed records come back before any new slab is mapped. */
	for (int i = 0; i < N; i++) {
		uintptr_t p = (uintptr_t)sl_sock_new(20000 + (uint64_t)i);

		assert_non_null(bsearch(&p, seen, N, sizeof(seen[0]), ptr_cmp));
	}
	assert_int_equal(sl_sock_total, total + N);
	assert_int_equal(sl_sock_count(), N);
}

struct visit {
	size_t n, stop_after;
	uint64_t sum;
};

static int visit_cb(struct sl_sock *s, void *ctx)
{
	struct visit *v = ctx;

	assert_true(s->flags & SL_F_USED);
	v->n++;
	v->sum += s->inode;
	return v->stop_after && v->n == v->stop_after;
}

static void test_each_visits_exactly_live(void **state)
{
	enum { N = 2100 };
	static struct sl_sock *socks[N];
	struct visit v = {0, 0, 0};
	uint64_t want = 0;
	size_t live = 0;

	(void)state;
	sl_sock_each(visit_cb, &v);
	assert_int_equal(v.n, 0);
	for (int i = 0; i < N; i++)
		socks[i] = sl_sock_new(300000 + (uint64_t)i);
	for (int i = 0; i < N; i++) {
		if (i % 3 == 0) {
			sl_sock_free(socks[i]);
		} else {
			want += socks[i]->inode;
			live++;
		}
	}
	sl_sock_each(visit_cb, &v);
	assert_int_equal(v.n, live);
	assert_int_equal(v.sum, want);
	assert_int_equal(sl_sock_count(), live);
	/* A non-zero return stops the walk. */
	memset(&v, 0, sizeof(v));
	v.stop_after = 10;
	sl_sock_each(visit_cb, &v);
	assert_int_equal(v.n, 10);
}

static void test_mem_alloc_classes(void **state)
{
	void *a, *b, *big;
	unsigned char *c;

	(void)state;
	a = sl_mem_alloc(0);
	b = sl_mem_alloc(24);
	assert_non_null(a);
	assert_non_null(b);
	assert_ptr_not_equal(a, b);
	memset(b, 0xee, 24);
	sl_mem_free(b, 24);
	c = sl_mem_alloc(32); /* same class: the freed block, zeroed */
	assert_ptr_equal(c, b);
	for (int i = 0; i < 32; i++)
		assert_int_equal(c[i], 0);
	big = sl_mem_alloc(1 << 20); /* own mapping */
	assert_non_null(big);
	memset(big, 1, 1 << 20);
	sl_mem_free(big, 1 << 20);
	sl_mem_free(c, 32);
	sl_mem_free(a, 0);
	sl_mem_free(NULL, 8);
}

/* The hot path reads the table without sl_lock while a transition writes it (under the lock);
 * TSan checks that the atomics make that race-free. */
static int stop_reader;

static void *reader(void *arg)
{
	struct sl_sock *s = arg;
	uintptr_t wrong = 0;

	/* No cmocka asserts here: they longjmp, which is only valid on the test's thread. */
	while (!__atomic_load_n(&stop_reader, __ATOMIC_ACQUIRE))
		for (int fd = 0; fd < 64; fd++) {
			struct sl_sock *p = sl_fd_lookup(fd);

			wrong += p && (p != s || p->inode != 777);
		}
	return (void *)wrong;
}

static void test_lookup_concurrent_with_set_clear(void **state)
{
	struct sl_sock *s = sl_sock_new(777);
	void *wrong = NULL;
	pthread_t t;

	(void)state;
	__atomic_store_n(&stop_reader, 0, __ATOMIC_RELEASE);
	assert_int_equal(pthread_create(&t, NULL, reader, s), 0);
	for (int round = 0; round < 2000; round++)
		for (int fd = 0; fd < 64; fd++) {
			if (round % 2 == 0)
				assert_int_equal(sl_fd_set(fd, s), 0);
			else
				assert_ptr_equal(sl_fd_clear(fd), s);
		}
	__atomic_store_n(&stop_reader, 1, __ATOMIC_RELEASE);
	assert_int_equal(pthread_join(t, &wrong), 0);
	assert_null(wrong);
}

#define T(f) cmocka_unit_test_setup_teardown(f, reset, reset)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_fd_set_lookup_clear),
		T(test_fd_high_numbers),
		T(test_fd_out_of_range),
		T(test_inode_lookup_basic),
		T(test_inode_map_backward_shift),
		T(test_new_on_existing_inode_evicts_stale),
		T(test_new_on_existing_single_fd_evicts_stale),
		T(test_new_on_existing_inode_clears_many_fds),
		T(test_sock_fds_lists_every_dup),
		T(test_add_shared_dedups_keeps_newest),
		T(test_slab_reuse_after_free),
		T(test_each_visits_exactly_live),
		T(test_mem_alloc_classes),
		T(test_lookup_concurrent_with_set_clear),
	};

	return cmocka_run_group_tests_name("fdtable", tests, NULL, NULL);
}
