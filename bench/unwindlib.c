/* Controls for what an unwinder costs a fork child (bench/fork.sh), apart from what
 * libsockleak.so's own code does. A preload whose constructor takes one stack, as sockleak's
 * did for a network program before libgcc's unwinder was linked in (libunwind dlopen'ed
 * RTLD_LOCAL in the constructor, primed with one unw_backtrace at the first stack; now only
 * for stacks through code without unwind information, preload/stack.c):
 *
 *   unwindlib.so      with libunwind.so.8, loaded that way: its and liblzma's mappings and
 *                     destructors, and the caches the first unwind sets up (its trace cache:
 *                     256 KiB, written);
 *   gccunwindlib.so   built with -DSL_BENCH_LIBGCC and -static-libgcc: libgcc's unwinder
 *                     (_Unwind_Backtrace, FDEs found through glibc's _dl_find_object) linked
 *                     into the library itself, no other object mapped.
 *
 * Nothing is exported but sl_bench_unwind, which takes one more stack. */
#ifdef SL_BENCH_LIBGCC
#include <unwind.h>
#else
#include <dlfcn.h>
#endif

int sl_bench_unwind(void **ips, int n);

#ifdef SL_BENCH_LIBGCC
struct sl_bench_walk {
	void **ips;
	int n, max;
};

static _Unwind_Reason_Code sl_bench_frame(struct _Unwind_Context *c, void *arg)
{
	struct sl_bench_walk *w = arg;

	if (w->n >= w->max)
		return _URC_END_OF_STACK;
	w->ips[w->n++] = (void *)_Unwind_GetIP(c);
	return _URC_NO_REASON;
}

int sl_bench_unwind(void **ips, int n)
{
	struct sl_bench_walk w = {ips, 0, n};

	_Unwind_Backtrace(sl_bench_frame, &w);
	return w.n;
}
#else
static int (*sl_bench_bt)(void **, int);

int sl_bench_unwind(void **ips, int n) { return sl_bench_bt ? sl_bench_bt(ips, n) : 0; }
#endif

__attribute__((constructor)) static void sl_bench_unwind_init(void)
{
	void *ips[16];

#ifndef SL_BENCH_LIBGCC
	void *h = dlopen("libunwind.so.8", RTLD_LAZY | RTLD_LOCAL);

	if (h)
		*(void **)&sl_bench_bt = dlsym(h, "unw_backtrace");
#endif
	sl_bench_unwind(ips, 16);
}
