/* Internal declarations shared by the modules of libsockleak.so: the primitives, defined in
 * prim.c, the bottom of the library's layers. Each file calls only its own layer or lower ones,
 * never in a cycle (preload/layers, checked by make check-layers; docs/architecture.md):
 *   primitives -> tables -> records and stacks -> tracking, watchdog and fork
 *   -> exported wrappers and init.
 * Everything here is hidden (-fvisibility=hidden); only the wrappers in interpose.c and the
 * public sockleak_* API are exported (see exports.map). */
#ifndef SL_H
#define SL_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lock.h"

#define SL_EXPORT __attribute__((visibility("default")))
#define SL_LIKELY(x) __builtin_expect(!!(x), 1)
#define SL_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define SL_TLS __thread __attribute__((tls_model("initial-exec")))
/* State the atfork child handlers write (locks, per-process counters): kept in one section,
 * which the link sorts together (preload.mk), so that a fork child copies one page of ours
 * on write, not one per module (a child that exits at once: issue 10). */
#define SL_FORK_STATE __attribute__((section(".data.sl_fork")))
/* The code such a child runs (the atfork child handlers, the destructor's early return),
 * likewise in one section: a fork child maps the text pages it touches again, one fault each
 * (and its neighbours: fault-around, 16 pages), so one place is one fault (issue 15). Named
 * .text.hot.*, which the link puts first in .text: beside the PLT and the compiler's
 * __do_global_dtors_aux, which every exit runs too, where after them it was a fault apart. */
#define SL_FORK_CODE __attribute__((section(".text.hot.sl_fork")))

#ifndef SL_VERSION
#define SL_VERSION "0.0.0"
#endif

/* Set while this thread runs sockleak's own code (bookkeeping, unwinding, logging). Any wrapper
 * entered while it is set (recursion from libunwind or the writer, or a signal handler that
 * interrupted us) passes straight through to libc: no lock, no state, so it cannot deadlock. */
extern SL_TLS int sl_busy;

/* vfork() calls in flight (incremented by our vfork, decremented by the child at exec): the bits
 * of SL_VFORK_COUNT. While one is, the process may be a vfork child running on its parent's
 * memory, where nothing of ours may be touched: sl_vfork_child() asks the kernel for our pid
 * to tell. SL_ADOPT_PENDING: a fork child whose inherited records are not marked as such yet
 * (fdtable.h): the first sl_enter marks them. One word, so that sl_enter tests both with the
 * one load it always made; in the fork child's page of state (SL_FORK_STATE). */
#define SL_ADOPT_PENDING (1 << 30)
#define SL_VFORK_COUNT (SL_ADOPT_PENDING - 1)
extern int sl_vfork_pending;
int sl_vfork_child(void);
/* sl_enter's slow path (fdtable.c): 1 in a vfork child; else marks a fork child's inherited
 * records if that is pending, and 0. */
int sl_enter_slow(void);
/* This process's pid as our atfork handlers know it (forks.c sets it). A different getpid()
 * means we run in a vfork child (or a raw clone) that shares the parent's memory: only raw
 * syscalls then. */
extern pid_t sl_self_pid;
/* The path this library was loaded from, as LD_PRELOAD named it (the loader keeps that name):
 * what an exec's LD_PRELOAD must still name for the new image to be tracked. SL_PATH_MAX
 * (options.h) bytes, set by sl_forks_init; "" when unknown. */
extern char sl_self_path[];
const char *sl_self_lib(void);

static inline int sl_enter(void)
{
	if (sl_busy)
		return 0;
	if (SL_UNLIKELY(__atomic_load_n(&sl_vfork_pending, __ATOMIC_RELAXED)) && sl_enter_slow())
		return 0;
	sl_busy = 1;
	return 1;
}
static inline void sl_leave(void) { sl_busy = 0; }

/* Milliseconds on CLOCK_MONOTONIC, refreshed by the watchdog every scan and by slow paths, so
 * the hot path can stamp a read with a load instead of a clock call. */
extern uint64_t sl_coarse_ms;
static inline uint64_t sl_coarse_now(void)
{
	return __atomic_load_n(&sl_coarse_ms, __ATOMIC_RELAXED);
}

uint64_t sl_mono_ms(void); /* exact, and refreshes sl_coarse_ms */
uint64_t sl_wall_ns(void); /* CLOCK_REALTIME */
pid_t sl_gettid(void);

/* One global lock for socket state, taken only on transitions (open, EOF, close, dup, fork,
 * scan). Never held while calling into the dynamic loader or libunwind (they take the loader's
 * lock, and a constructor running under that lock may call our wrappers). */
extern sl_mutex sl_mu;
static inline void sl_lock(void) { sl_mutex_lock(&sl_mu); }
static inline void sl_unlock(void) { sl_mutex_unlock(&sl_mu); }

/* The process's options (options.h), set once at init and read-only after. */
struct sl_opts;
extern struct sl_opts sl_opt;

/* Lazy process-wide initialisation (options, our own module range, atfork, exit hook).
 * Safe to call from any wrapper, including before our constructor ran. */
extern int sl_inited;
void sl_init_slow(void);
static inline void sl_init(void)
{
	if (SL_UNLIKELY(!__atomic_load_n(&sl_inited, __ATOMIC_ACQUIRE)))
		sl_init_slow();
}

/* Allocation from mmap, never malloc: wrappers run inside malloc implementations and in
 * constructors before libc is ready for them. Caller holds sl_lock. */
void *sl_mem_alloc(size_t size);
void sl_mem_free(void *p, size_t size);
void *sl_map(size_t size); /* zeroed pages, or NULL */
/* A growing array in pages of its own (no lock needed: the caller owns p): room for need
 * bytes, doubling *cap (bytes); the first used bytes are kept. Returns the array, or NULL
 * with p left as it was. */
void *sl_pages_grow(void *p, size_t used, size_t *cap, size_t need);
/* Append to such an array: arr (a typed pointer) holds n entries in cap bytes. Evaluates to the
 * new last entry (arr moved and n counted), or NULL with neither changed when it cannot grow. */
#define SL_PAGES_APPEND(arr, n, cap) \
	({ \
		__typeof__(arr) sl_g_ = sl_pages_grow((arr), (n) * sizeof(*(arr)), &(cap), \
						      ((n) + 1) * sizeof(*(arr))); \
		sl_g_ ? ((arr) = sl_g_, &(arr)[(n)++]) : NULL; \
	})

#endif
