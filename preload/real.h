/* The real libc functions behind our wrappers (the list: interposed.h), bound once with
 * dlsym(RTLD_NEXT).
 * A wrapper called before binding finished (another library's constructor, or dlsym itself
 * calling back into us) gets the raw system call instead; see real.c. */
#ifndef SL_REAL_H
#define SL_REAL_H

#include "interposed.h"

/* One slot per HOT and LIBC entry of interposed.h, in its order. The hot slots are never NULL
 * (real.c); the others are NULL until bound. */
struct sl_real {
#define SL_REAL_SLOT(field, symbol, ret, params, ...) ret(*field) params;
	SL_INTERPOSED(SL_REAL_SLOT, SL_REAL_SLOT, SL_INTERPOSED_NONE)
#undef SL_REAL_SLOT
};

extern struct sl_real sl_real;

/* Binds everything once. Returns 0 when this thread is the one binding (re-entry): the caller
 * must then use the raw syscall. */
int sl_real_bind(void);
/* Out of line, so that the wrappers' fast path needs no stack frame: bind, then return *slot
 * (NULL when the caller must fall back to the raw syscall). */
void *sl_real_slow(void **slot) __attribute__((noinline, cold));

/* libc's function behind a slot, bound first: never a binding stub; NULL when dlsym found
 * none (handler.c uses it to put a function of its own in front of libc's). */
void *sl_real_libc(void **slot);

/* Call the real function, binding on first use; the fallback (the raw syscall) while binding
 * re-enters. */
#define SL_CALL(name, fallback, ...) \
	({ \
		__typeof__(sl_real.name) f_ = __atomic_load_n(&sl_real.name, __ATOMIC_ACQUIRE); \
		if (SL_UNLIKELY(!f_)) \
			f_ = (__typeof__(f_))sl_real_slow((void **)&sl_real.name); \
		f_ ? f_(__VA_ARGS__) : (fallback); \
	})

#define SL_NOSYS (errno = ENOSYS, -1)

#endif
