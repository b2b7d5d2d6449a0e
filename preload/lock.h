/* sockleak's own locks and raw system calls.
 *
 * Not pthread mutexes: since glibc 2.34, pthread_mutex_lock on a process-private mutex is a
 * plain store while glibc believes the process single-threaded, and the watchdog may run on a
 * thread glibc does not know about (rthread.h). These are a futex word (0 free, 1 held, 2 held
 * with waiters) with atomic operations whatever glibc believes, and raw system calls that
 * never touch errno, so taking or releasing one inside a wrapper leaves the program's errno. */
#ifndef SL_LOCK_H
#define SL_LOCK_H

#include <errno.h>
#include <stddef.h>
#include <linux/futex.h>
#include <sys/syscall.h>

/* Included by sl.h (sl_lock), so nothing of sl.h's here. */

/* clang-format off */
typedef struct { int v; } sl_mutex;
#define SL_MUTEX_INIT {0}
/* clang-format on */

/* A system call returning -errno, errno untouched. */
#if defined(__x86_64__)
static inline long sl_sys4(long n, long a, long b, long c, long d)
{
	register long r10 __asm__("r10") = d;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10)
			 : "rcx", "r11", "memory");
	return ret;
}
#else
#include <unistd.h>
static inline long sl_sys4(long n, long a, long b, long c, long d)
{
	int saved = errno;
	long r = syscall(n, a, b, c, d);

	if (r == -1)
		r = -errno;
	errno = saved;
	return r;
}
#endif

static inline long sl_futex(int *w, int op, int val, const void *timeout)
{
	return sl_sys4(SYS_futex, (long)w, op | FUTEX_PRIVATE_FLAG, val, (long)timeout);
}

/* Uncontended, one compare-and-swap each way, inline (every connection takes the state lock
 * twice: accept and close); the contended paths are lock.c's. */
void sl_mutex_lock_slow(sl_mutex *m, int c);
void sl_mutex_wake(sl_mutex *m);

static inline void sl_mutex_lock(sl_mutex *m)
{
	int c = 0;

	if (__builtin_expect(!__atomic_compare_exchange_n(&m->v, &c, 1, 0, __ATOMIC_ACQUIRE,
							  __ATOMIC_RELAXED),
			     0))
		sl_mutex_lock_slow(m, c);
}

static inline void sl_mutex_unlock(sl_mutex *m)
{
	if (__builtin_expect(__atomic_exchange_n(&m->v, 0, __ATOMIC_RELEASE) == 2, 0))
		sl_mutex_wake(m);
}
/* In a fork child, where no other thread exists to hold it. */
static inline void sl_mutex_reset(sl_mutex *m) { __atomic_store_n(&m->v, 0, __ATOMIC_RELAXED); }

#endif
