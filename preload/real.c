/* Binding of the real libc functions: once, under pthread_once, never from a constructor that
 * could run before libc is ready. dlsym may call calloc, and a malloc replacement may call
 * read or close, so the binding thread marks itself and any wrapper it re-enters falls back to
 * the raw system call (socket_wrapper and libfaketime learned this the hard way). */
#include "real.h"
#include "sl.h"

#include "fdtable.h"
#include "hot.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The assembly derives the slots' offsets from the same list (hot_x86_64.S): one pointer per
 * slot, in list order, nothing between them. */
#define SL_REAL_COUNT(...) +1
_Static_assert(sizeof(struct sl_real) ==
		       (0 SL_INTERPOSED(SL_REAL_COUNT, SL_REAL_COUNT, SL_INTERPOSED_NONE)) *
			       sizeof(void *),
	       "struct sl_real: one pointer per slot");
#undef SL_REAL_COUNT
_Static_assert(offsetof(struct sl_sock, last_io_ms) == SL_SOCK_LAST_IO, "hot.h");
_Static_assert(SL_FD_SHIFT == SL_HOT_FD_SHIFT, "hot.h");

/* The hot slots start out as stubs that bind and forward, so the wrappers call through them
 * with no "bound yet?" test; a symbol dlsym cannot find keeps its stub, which then makes the
 * raw system call. */
static void *sl_real_hot(void **slot, void *stub)
{
	void *p;

	sl_real_bind();
	p = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
	return p == stub ? NULL : p;
}

#define SL_STUB(field, symbol, ret, params, args, fallback, side) \
	static ret sl_stub_##field params \
	{ \
		ret(*f_) params = sl_real_hot((void **)&sl_real.field, (void *)sl_stub_##field); \
		return f_ ? f_ args : (ret)(fallback); \
	}
SL_INTERPOSED(SL_STUB, SL_INTERPOSED_NONE, SL_INTERPOSED_NONE)
#undef SL_STUB

#define SL_STUB_SLOT(field, ...) .field = sl_stub_##field,
struct sl_real sl_real = {SL_INTERPOSED(SL_STUB_SLOT, SL_INTERPOSED_NONE, SL_INTERPOSED_NONE)};
/* What each slot holds before binding, to tell a stub from libc's function (sl_real_libc). */
static const struct sl_real sl_real_stubs = {
	SL_INTERPOSED(SL_STUB_SLOT, SL_INTERPOSED_NONE, SL_INTERPOSED_NONE)};
#undef SL_STUB_SLOT

static pthread_once_t sl_bind_once = PTHREAD_ONCE_INIT;
static SL_TLS int sl_binding;

/* A hot slot keeps its stub when the symbol is missing; the others stay NULL. */
static void sl_bind(void **slot, const char *symbol, int hot)
{
	void *p = dlsym(RTLD_NEXT, symbol);

	if (p || !hot)
		__atomic_store_n(slot, p, __ATOMIC_RELEASE);
}

static void sl_bind_all(void)
{
#define SL_BIND_HOT(field, symbol, ...) sl_bind((void **)&sl_real.field, #symbol, 1);
#define SL_BIND(field, symbol, ...) sl_bind((void **)&sl_real.field, #symbol, 0);
	SL_INTERPOSED(SL_BIND_HOT, SL_BIND, SL_INTERPOSED_NONE)
#undef SL_BIND_HOT
#undef SL_BIND
}

int sl_real_bind(void)
{
	int saved = errno;

	if (sl_binding)
		return 0;
	sl_binding = 1;
	pthread_once(&sl_bind_once, sl_bind_all);
	sl_binding = 0;
	errno = saved;
	return 1;
}

void *sl_real_slow(void **slot)
{
	sl_real_bind();
	return __atomic_load_n(slot, __ATOMIC_ACQUIRE);
}

void *sl_real_libc(void **slot)
{
	size_t i = (size_t)(slot - (void **)&sl_real);
	void *p;

	sl_real_bind();
	p = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
	return p == ((void *const *)&sl_real_stubs)[i] ? NULL : p;
}
