/* The raw watchdog thread; see rthread.h for why and for what may run on it.
 *
 * x86-64 glibc keeps the thread control block at the thread pointer (%fs base) and the static
 * TLS blocks of the modules loaded at start-up just below it. The new thread gets one mapping:
 * a guard page, its stack, a copy of the creator's static TLS, and a zeroed control block of
 * which only the ABI-fixed header (tcbhead_t: self pointers, stack and pointer guards) is
 * filled in. errno and every initial-exec TLS variable are then the thread's own. */
#include "rthread.h"

#include "lock.h"

#include <link.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/single_threaded.h>

#define SL_RT_GUARD 4096
#define SL_RT_STACK (256 * 1024)  /* as the pthread had */
#define SL_RT_TCB (8 * 1024)      /* above the thread pointer: glibc's struct pthread, ~2.3 KB */
#define SL_RT_HDR 0x80            /* the tcbhead_t fields copied (through feature_1, ssp_base) */
#define SL_RT_TLS_MAX (16u << 20) /* a TLS block further below is not static TLS */
#define SL_PAGE_UP(x) (((x) + 4095u) & ~(size_t)4095u)

static void *sl_rt_map;
static size_t sl_rt_len;
/* Set by the kernel to the thread's id at clone, cleared (and futex-woken) once the thread is
 * gone: then, and only then, its stack may be unmapped. */
static int sl_rt_tid SL_FORK_STATE;
static size_t sl_rt_below; /* bytes of static TLS we copy, below the thread pointer */
static void (*sl_rt_fn)(void *);
static void *sl_rt_arg;

int sl_rthread_usable(void)
{
#if defined(__x86_64__) && defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__) && \
	!defined(__SANITIZE_THREAD__)
	/* Once the program has threads glibc is multi-threaded anyway: a pthread costs nothing
	 * more, and is the thread debuggers and profilers know best. */
	return __libc_single_threaded;
#else
	return 0;
#endif
}

#if defined(__x86_64__)
struct sl_tls_scan {
	uintptr_t tp, self, low;
	int found;
};

/* The TLS this thread's code touches is libc's (errno, locale) and ours. Both are static TLS
 * (loaded at start-up), so everything from the lower of the two blocks up to the thread
 * pointer is one allocation. Other modules' blocks are left out: one loaded by dlopen has its
 * block in the heap, anywhere. */
static int sl_tls_low(struct dl_phdr_info *info, size_t size, void *ctx)
{
	struct sl_tls_scan *t = ctx;
	const char *name = info->dlpi_name ? info->dlpi_name : "";
	const char *base = strrchr(name, '/');
	int ours = 0;
	uintptr_t d;

	if (size < offsetof(struct dl_phdr_info, dlpi_tls_data) + sizeof(info->dlpi_tls_data))
		return 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type == PT_LOAD && t->self >= lo && t->self < lo + ph->p_memsz)
			ours = 1;
	}
	if (!ours && strcmp(base ? base + 1 : name, "libc.so.6"))
		return 0;
	d = (uintptr_t)info->dlpi_tls_data;
	if (!d || d >= t->tp || t->tp - d > SL_RT_TLS_MAX)
		return 0; /* not static TLS after all: found stays short, and we use a pthread */
	t->found++;
	if (d < t->low)
		t->low = d;
	return 0;
}

static int sl_rt_entry(void *unused)
{
	(void)unused;
	sl_busy = 1; /* everything this thread calls passes through our wrappers untouched */
	prctl(PR_SET_NAME, "sockleak", 0, 0, 0);
	sl_rt_fn(sl_rt_arg);
	return 0; /* glibc's clone() then makes the exit system call for this thread only */
}

int sl_rthread_start(void (*fn)(void *), void *arg)
{
	struct sl_tls_scan t;
	uint64_t all = ~0ull, old;
	size_t below, off, len;
	uintptr_t tls, ntp;
	char *m;
	int tid;

	if (!sl_rthread_usable() || __atomic_load_n(&sl_rt_tid, __ATOMIC_ACQUIRE))
		return -1;
	__asm__("mov %%fs:0, %0" : "=r"(t.tp));
	/* The static TLS layout below the thread pointer is the same in every thread and never
	 * changes: found once (a restart after set*id, or a fork child, reuses it). */
	if (!sl_rt_below) {
		t.low = t.tp;
		t.self = (uintptr_t)&sl_rthread_start;
		t.found = 0;
		dl_iterate_phdr(sl_tls_low, &t);
		if (t.found != 2)
			return -1;
		sl_rt_below = t.tp - t.low;
	}
	below = sl_rt_below;
	off = t.tp & 4095u;
	len = SL_RT_GUARD + SL_RT_STACK + SL_PAGE_UP(below) + SL_PAGE_UP(off + SL_RT_TCB);
	if (sl_rt_map && sl_rt_len == len) {
		m = sl_rt_map; /* a fork child's copy of its parent's, whose thread is not here */
	} else {
		if (sl_rt_map)
			munmap(sl_rt_map, sl_rt_len);
		sl_rt_map = NULL;
		m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK,
			 -1, 0);
		if (m == MAP_FAILED)
			return -1;
		if (mprotect(m, SL_RT_GUARD, PROT_NONE)) {
			munmap(m, len);
			return -1;
		}
	}
	/* The same offset in its page as the creator's thread pointer keeps every alignment. */
	tls = (uintptr_t)m + SL_RT_GUARD + SL_RT_STACK;
	ntp = tls + SL_PAGE_UP(below) + off;
	memcpy((void *)(ntp - below), (const void *)(t.tp - below), below);
	memcpy((void *)ntp, (const void *)t.tp, SL_RT_HDR);
	((uintptr_t *)ntp)[0] = ntp; /* tcbhead_t.tcb */
	((uintptr_t *)ntp)[2] = ntp; /* tcbhead_t.self */
	sl_rt_map = m;
	sl_rt_len = len;
	sl_rt_fn = fn;
	sl_rt_arg = arg;
	/* Born with every signal blocked, glibc's own (cancellation, set*id) included: no signal
	 * of the program's may run on this thread. */
	sl_sys4(SYS_rt_sigprocmask, SIG_SETMASK, (long)&all, (long)&old, sizeof(all));
	tid = clone(sl_rt_entry, (void *)tls,
		    CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
			    CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID |
			    CLONE_CHILD_CLEARTID,
		    NULL, &sl_rt_tid, (void *)ntp, &sl_rt_tid);
	sl_sys4(SYS_rt_sigprocmask, SIG_SETMASK, (long)&old, 0, sizeof(old));
	if (tid <= 0) {
		__atomic_store_n(&sl_rt_tid, 0, __ATOMIC_RELEASE);
		munmap(m, len);
		sl_rt_map = NULL;
		return -1;
	}
	return 0;
}

void sl_rthread_join(void)
{
	int t;

	/* The kernel's wake for CLONE_CHILD_CLEARTID is a shared futex: wait on a shared one. */
	while ((t = __atomic_load_n(&sl_rt_tid, __ATOMIC_ACQUIRE)) != 0)
		sl_sys4(SYS_futex, (long)&sl_rt_tid, FUTEX_WAIT, t, 0);
	if (sl_rt_map)
		munmap(sl_rt_map, sl_rt_len);
	sl_rt_map = NULL;
}

SL_FORK_CODE void sl_rthread_atfork_child(void)
{
	/* The parent's thread is not in the child; its stack's copy is kept for the child's own
	 * watchdog, if it ever starts one (sl_rthread_start): a child that exits at once makes
	 * no system call for it. */
	__atomic_store_n(&sl_rt_tid, 0, __ATOMIC_RELAXED);
}
#else
int sl_rthread_start(void (*fn)(void *), void *arg)
{
	(void)fn;
	(void)arg;
	return -1;
}
void sl_rthread_join(void) {}
SL_FORK_CODE void sl_rthread_atfork_child(void) {}
#endif
