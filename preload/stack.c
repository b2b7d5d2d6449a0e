/* Stack capture and de-duplication; see stack.h. */
#include "stack.h"

#include "lock.h"
#include "logformat.h"
#include "ownfd.h"
#include "say.h"
#include "options.h"
#include "perfmap.h"
#include "sitekey.h"
#include "sockets.h"
#include "suppress.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <unwind.h>
#include <sys/syscall.h>
#include <elf.h>
#include <link.h>
#include <pthread.h>
#include <sys/single_threaded.h>
#include <sys/stat.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* uthash from Debian's uthash-dev, on our mmap allocator, and never fatal: a failed insert
 * just means the stack is not recorded. */
#define uthash_malloc(sz) sl_mem_alloc(sz)
#define uthash_free(p, sz) sl_mem_free((p), (sz))
#define HASH_NONFATAL_OOM 1
static int sl_stack_oom;
#define uthash_nonfatal_oom(e) (sl_stack_oom = 1)
#include <uthash.h>

#define SL_MAX_STACKS (1u << 17)
#define SL_CHUNK 1024
#define SL_SYM_MAX 255

struct sl_module {
	struct sl_module *next;
	uintptr_t bias;
	const char *path;
	const char *build_id; /* hex, or NULL */
};

/* A frame of a stack captured in this process (the tools' struct sl_frame is one read from a
 * log). */
struct sl_captured_frame {
	uintptr_t ip, offset;
	const struct sl_module *mod;
	const char *symbol;
	/* An interpreter's frame (langstack.c): mod is NULL, lang names the language. */
	const char *lang;
	union {
		const char *lang_file; /* with lang */
		/* Code in no module (no lang): its perf map name, kept when a record first named
		 * it (sl_stack_fill), so that the exit summary keys and shows the site as the tools
		 * do (sitekey.h). Written under the log lock, read at exit: atomic. */
		const char *jit_name;
	};
	unsigned line;
};

/* An entry of the stack table: a captured stack, de-duplicated, with its id. */
struct sl_captured_stack {
	uint64_t id;
	UT_hash_handle hh;
	uint32_t idx;
	uint32_t epoch;   /* log epoch in which the record was written */
	uint32_t native;  /* an interpreter's frames on top of this native stack, or 0 */
	uint32_t handler; /* where the program first handled the socket (handler.c), or 0 */
	uint16_t n;
	uint8_t suppressed; /* a frame matches a leak: suppression (decided at capture) */
	struct sl_captured_frame f[];
};

static struct sl_captured_stack *sl_stacks_by_id;
static struct sl_captured_stack **sl_stack_chunks[SL_MAX_STACKS / SL_CHUNK];
static uint32_t sl_nstacks;
static struct sl_module *sl_modules;
static uint32_t sl_epoch = 1;
static unsigned sl_depth = 16;
static uintptr_t sl_self_lo, sl_self_hi;

/* libunwind is loaded RTLD_LOCAL rather than linked: Debian's libunwind.so.8 also exports
 * _Unwind_RaiseException and friends and a weak backtrace(), which in the global scope of an
 * LD_PRELOAD would replace the host program's own unwinder (C++ exceptions) and glibc's
 * backtrace(). Loaded locally, only we can see it. */
static int (*sl_unw_backtrace)(void **, int);

/* The step-by-step API: the per-connection cache (stack.h) needs the stack address of a
 * caller's return address, which unw_backtrace does not give. Types only from the header; the
 * functions are looked up in the RTLD_LOCAL handle. */
#define UNW_LOCAL_ONLY
#include <libunwind.h>

static int (*sl_unw_getcontext)(unw_context_t *);
static int (*sl_unw_init_local)(unw_cursor_t *, unw_context_t *);
static int (*sl_unw_step)(unw_cursor_t *);
static int (*sl_unw_get_reg)(unw_cursor_t *, unw_regnum_t, unw_word_t *);

static void sl_unw_bind(void *h)
{
	*(void **)&sl_unw_getcontext = dlsym(h, "_Ux86_64_getcontext");
	*(void **)&sl_unw_init_local = dlsym(h, "_ULx86_64_init_local");
	*(void **)&sl_unw_step = dlsym(h, "_ULx86_64_step");
	*(void **)&sl_unw_get_reg = dlsym(h, "_ULx86_64_get_reg");
}

static int sl_unw_cursor(unw_cursor_t *c, unw_context_t *uc)
{
	return sl_unw_getcontext && sl_unw_init_local && sl_unw_step && sl_unw_get_reg &&
	       !sl_unw_getcontext(uc) && !sl_unw_init_local(c, uc);
}

#ifdef __SANITIZE_THREAD__
/* Under ThreadSanitizer, unw_backtrace's per-thread trace cache is freed by a thread-exit
 * destructor that runs after TSan has torn the thread down, and crashes. TSan builds unwind
 * step by step instead, which keeps no per-thread state. */
static int sl_backtrace(void **ips, int n)
{
	unw_context_t uc;
	unw_cursor_t c;
	int k = 0;

	if (!sl_unw_cursor(&c, &uc))
		return 0;
	while (k < n && sl_unw_step(&c) > 0) {
		unw_word_t ip;

		if (sl_unw_get_reg(&c, UNW_REG_IP, &ip) || !ip)
			break;
		ips[k++] = (void *)ip;
	}
	return k;
}
#else
static int sl_backtrace(void **ips, int n)
{
	return sl_unw_backtrace ? sl_unw_backtrace(ips, n) : 0;
}
#endif

/* Stacks come from libgcc's unwinder, linked into this library (preload.mk: -static-libgcc;
 * its symbols stay hidden): it finds a frame's FDE through glibc's _dl_find_object, with no
 * lock, no allocation, no descriptor and no other object mapped. libunwind (above) is loaded
 * only when a stack reaches code without unwind information, which it walks by frame
 * pointers: the JIT code of node or a JVM (docs/languages.md); from then on it takes every
 * stack of the process. Perl and the Python hook take a stack at every connection, where
 * libunwind's cache is ~13x cheaper: theirs are libunwind's from the first
 * (sl_stack_want_libunwind). A program whose frames all have CFI (nginx, redis, curl, a shell)
 * never maps it: libunwind and its liblzma were 10 mappings and 4 page faults more for every
 * fork child of a program holding a socket (1.29x native for a 60 us child, by themselves;
 * docs/performance.md, fork), and ~118,000 instructions at the start of a network program.
 * An unwind of 18 frames: ~0.8 us, against ~0.06 us from libunwind's trace cache once warm;
 * it runs at a new call site, one hit in SL_SITE_RECHECK and for fork, exec and close
 * records, not per connection. */
struct sl_gcc_walk {
	void **ips;
	uintptr_t *cfas; /* the CFA of the frame each one called, or NULL */
	int n, max;
	uintptr_t last; /* an address inside the last frame's code */
};

/* libgcc's FDE lookup, linked in with its unwinder (unwind-dw2-fde.h; not in unwind.h). */
struct sl_dwarf_eh_bases {
	void *tbase, *dbase, *func;
};
const void *_Unwind_Find_FDE(void *pc, struct sl_dwarf_eh_bases *bases);

static _Unwind_Reason_Code sl_gcc_frame(struct _Unwind_Context *c, void *arg)
{
	struct sl_gcc_walk *w = arg;
	int sig = 0;
	uintptr_t ip = _Unwind_GetIPInfo(c, &sig);

	if (!ip || w->n >= w->max)
		return _URC_END_OF_STACK;
	if (w->cfas)
		w->cfas[w->n] = _Unwind_GetCFA(c);
	w->ips[w->n++] = (void *)ip;
	/* a return address points past its call; a signal frame's ip is the instruction */
	w->last = sig ? ip : ip - 1;
	return _URC_NO_REASON;
}

/* Up to max frames, ours first. Sets *cut when the walk stopped at a frame whose code has no
 * unwind information (the outermost frames, _start's and a thread's, have theirs, which says
 * the stack ends there). */
static int sl_gcc_backtrace(void **ips, uintptr_t *cfas, int max, int *cut)
{
	struct sl_gcc_walk w = {ips, cfas, 0, max, 0};
	struct sl_dwarf_eh_bases b;

	_Unwind_Backtrace(sl_gcc_frame, &w);
	*cut = w.n && w.n < max && !_Unwind_Find_FDE((void *)w.last, &b);
	return w.n;
}

/* A stack reached code without unwind information: libunwind takes the stacks from now on.
 * Never on a low descriptor budget at start-up (sl_fd_budget_low): libunwind checks memory
 * through a pipe of its own, a descriptor the program would miss, and the one sockleak may
 * hold is the log's; such stacks end at that frame. */
static int sl_unw_wanted, sl_unw_never;

static struct sl_captured_stack *sl_stack_get(uint32_t idx)
{
	struct sl_captured_stack **c;

	if (!idx || idx > SL_MAX_STACKS)
		return NULL;
	c = __atomic_load_n(&sl_stack_chunks[(idx - 1) / SL_CHUNK], __ATOMIC_ACQUIRE);
	return c ? __atomic_load_n(&c[(idx - 1) % SL_CHUNK], __ATOMIC_ACQUIRE) : NULL;
}

uint64_t sl_stack_id(uint32_t idx)
{
	struct sl_captured_stack *s = sl_stack_get(idx);

	return s ? s->id : 0;
}

/* dl_iterate_phdr callback: find our own text range. */
static int sl_self_cb(struct dl_phdr_info *info, size_t size, void *ctx)
{
	uintptr_t self = (uintptr_t)ctx;
	uintptr_t lo = UINTPTR_MAX, hi = 0;

	(void)size;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type != PT_LOAD)
			continue;
		if (info->dlpi_addr + ph->p_vaddr < lo)
			lo = info->dlpi_addr + ph->p_vaddr;
		if (info->dlpi_addr + ph->p_vaddr + ph->p_memsz > hi)
			hi = info->dlpi_addr + ph->p_vaddr + ph->p_memsz;
	}
	if (self >= lo && self < hi) {
		sl_self_lo = lo;
		sl_self_hi = hi;
		return 1;
	}
	return 0;
}

void sl_stack_init(unsigned depth)
{
	sl_depth = depth;
	dl_iterate_phdr(sl_self_cb, (void *)(uintptr_t)&sl_stack_init);
}

/* When libunwind is dlopen'ed (~118,000 instructions and 28 system calls: the files and
 * mappings of libunwind and liblzma): at the first stack that needs it (sl_walk), in the
 * middle of the program's life. Its first unwind (~0.3 ms: it opens a pipe and sets up its
 * caches, from mmap, not the heap) follows. Left alone, that pipe would take the lowest free
 * numbers, which a program expects to get itself: our pipe()/pipe2() wrappers move it high
 * while libunwind runs on this thread (priming it, or any unwind: it makes the pipe again
 * when it finds it closed), see sl_stack_own_pipe. */
static SL_TLS int sl_unw_loading;

int sl_stack_loading(void) { return sl_unw_loading; }

void sl_stack_own_pipe(int fds[2])
{
	char path[40];
	int rw;

	/* libunwind reads a byte from one end and writes one to the other, on the same pipe:
	 * one descriptor opened read-write on it serves as both ends, so sockleak holds one
	 * descriptor, not two, of the program's budget (sl_fd_budget_low). */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fds[0]);
	rw = (int)syscall(SYS_openat, AT_FDCWD, path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (rw >= 0) {
		syscall(SYS_close, fds[0]);
		syscall(SYS_close, fds[1]);
		fds[0] = fds[1] = sl_place_high(rw);
		sl_own_extra(fds[0]);
		return;
	}
	for (int i = 0; i < 2; i++) {
		fds[i] = sl_place_high(fds[i]);
		sl_own_extra(fds[i]);
	}
}

/* libunwind's set-up, done at the first stack: the caching policy (setting it initialises
 * libunwind, which opens its pipe). */
static int (*sl_unw_policy)(void *, int);
static void **sl_unw_as;

static void sl_unwind_load(void)
{
	void *h;

	/* RTLD_LAZY: its functions are bound at their first call (the first stack, under
	 * sl_unwind_mu), not all at start-up: 46,000 of the 266,000 instructions the preload
	 * added to the start of /bin/true. */
	h = dlopen("libunwind.so.8", RTLD_LAZY | RTLD_LOCAL);
	if (h) {
		*(void **)&sl_unw_backtrace = dlsym(h, "unw_backtrace");
		sl_unw_bind(h);
		sl_unw_as = dlsym(h, "_ULx86_64_local_addr_space");
		*(void **)&sl_unw_policy = dlsym(h, "_ULx86_64_set_caching_policy");
	}
	if (!sl_unw_backtrace) {
		static const char msg[] = "sockleak: libunwind.so.8 not found: stacks are not "
					  "recorded (install Debian's libunwind8)\n";
		sl_log_text(msg, sizeof(msg) - 1);
	}
}

/* Not pthread_once: a fork while another thread is loading would leave the child's once stuck
 * forever. This lock is taken by the atfork prepare handler, so fork waits for a load, an
 * unwind or a frame lookup in progress (sl_stack_capture), and the child re-initialises it. */
static sl_mutex sl_unwind_mu SL_FORK_STATE = SL_MUTEX_INIT;
/* The perf map's readers (sl_stack_name_jit below) */
static sl_mutex sl_jit_mu SL_FORK_STATE = SL_MUTEX_INIT;
static int sl_stack_began, sl_unwind_primed;

/* At the first stack: our executable's path, filled once before any thread resolves a frame
 * with it, and the descriptor budget that rules libunwind out (sl_unw_never). */
static void sl_stack_begin(void)
{
	if (__atomic_load_n(&sl_stack_began, __ATOMIC_ACQUIRE))
		return;
	sl_mutex_lock(&sl_unwind_mu);
	if (!sl_stack_began) {
		sl_self_exe();
		sl_unw_never = sl_fd_budget_low();
		__atomic_store_n(&sl_stack_began, 1, __ATOMIC_RELEASE);
	}
	sl_mutex_unlock(&sl_unwind_mu);
}

/* libunwind loaded and primed, once sl_unw_wanted. */
static void sl_unwind_ready(void)
{
	void *ips[4];

	if (__atomic_load_n(&sl_unwind_primed, __ATOMIC_ACQUIRE))
		return;
	sl_mutex_lock(&sl_unwind_mu);
	if (!sl_unwind_primed) {
		sl_unwind_load();
		/* libunwind's initialisation opens the pipe and reads /proc: done once, here,
		 * not inside an unwind a signal handler interrupted (libunwind #16). */
		sl_unw_loading = 1;
		/* One global cache (UNW_CACHE_GLOBAL = 1) instead of per-thread caches: no
		 * thread-exit destructor of libunwind's runs in the program's threads. */
		if (sl_unw_policy && sl_unw_as)
			sl_unw_policy(*sl_unw_as, 1);
		sl_backtrace(ips, 4);
		sl_unw_loading = 0;
		__atomic_store_n(&sl_unwind_primed, 1, __ATOMIC_RELEASE);
	}
	sl_mutex_unlock(&sl_unwind_mu);
}

/* Under sl_unwind_mu: libunwind's stack once it is wanted and found, else libgcc's. */
static int sl_unwind(void **ips, int n, int *cut)
{
	int got;

	*cut = 0;
	if (!__atomic_load_n(&sl_unw_wanted, __ATOMIC_ACQUIRE) || !sl_unw_backtrace)
		return sl_gcc_backtrace(ips, NULL, n, cut);
	sl_unw_loading = 1;
	got = sl_backtrace(ips, n);
	sl_unw_loading = 0;
	return got;
}

/* A stack of up to n frames, ours first. Unwinding runs under sl_unwind_mu, which fork's
 * prepare handler takes first: no fork ever happens while a thread is inside libunwind or the
 * loader's lookups, whose own locks (libunwind's cache lock, the loader's) the child would
 * inherit held and deadlock on at its first stack. Never taken with sl_lock held. A stack
 * the linked-in unwinder could not finish is taken again by libunwind, loaded for it. */
static int sl_walk(void **ips, int n)
{
	int got, cut;

	sl_stack_begin();
	if (__atomic_load_n(&sl_unw_wanted, __ATOMIC_ACQUIRE) && !sl_unw_never)
		sl_unwind_ready();
	sl_mutex_lock(&sl_unwind_mu);
	got = sl_unwind(ips, n, &cut);
	sl_mutex_unlock(&sl_unwind_mu);
	if (cut && !sl_unw_never) {
		__atomic_store_n(&sl_unw_wanted, 1, __ATOMIC_RELEASE);
		sl_unwind_ready();
		sl_mutex_lock(&sl_unwind_mu);
		if (sl_unw_backtrace)
			got = sl_unwind(ips, n, &cut);
		sl_mutex_unlock(&sl_unwind_mu);
	}
	return got;
}

void sl_stack_want_libunwind(void) { __atomic_store_n(&sl_unw_wanted, 1, __ATOMIC_RELEASE); }

void sl_stack_atfork_prepare(void) { sl_mutex_lock(&sl_unwind_mu); }
void sl_stack_atfork_parent(void) { sl_mutex_unlock(&sl_unwind_mu); }
SL_FORK_CODE void sl_stack_atfork_child(void)
{
	sl_mutex_reset(&sl_unwind_mu);
	/* not taken at fork: fork would wait for a perf map read */
	sl_mutex_reset(&sl_jit_mu);
}

struct sl_bid_ctx {
	uintptr_t bias;
	char hex[2 * 64 + 1];
	int found;
};

static int sl_bid_cb(struct dl_phdr_info *info, size_t size, void *ctx)
{
	struct sl_bid_ctx *b = ctx;

	(void)size;
	if (info->dlpi_addr != b->bias)
		return 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		const char *p, *end;

		if (ph->p_type != PT_NOTE)
			continue;
		p = (const char *)(info->dlpi_addr + ph->p_vaddr);
		end = p + ph->p_memsz;
		while (p + sizeof(ElfW(Nhdr)) <= end) {
			const ElfW(Nhdr) *nh = (const ElfW(Nhdr) *)(const void *)p;
			const unsigned char *desc =
				(const unsigned char *)p + sizeof(*nh) + ((nh->n_namesz + 3) & ~3u);

			if ((const char *)desc + nh->n_descsz > end)
				break;
			if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 &&
			    !memcmp(p + sizeof(*nh), "GNU", 4) && nh->n_descsz <= 64) {
				for (unsigned k = 0; k < nh->n_descsz; k++)
					sl_fmt_hex(b->hex + 2 * k, desc[k], 2);
				b->hex[2 * nh->n_descsz] = '\0';
				b->found = 1;
				return 1;
			}
			p = (const char *)desc + ((nh->n_descsz + 3) & ~3u);
		}
	}
	return 1;
}

static char *sl_strdup_arena(const char *s, size_t max)
{
	size_t n = strnlen(s, max);
	char *d = sl_mem_alloc(n + 1);

	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

/* Under sl_lock: the module record for a load bias, creating it from what the caller found. */
static const struct sl_module *sl_module_get(uintptr_t bias, const char *path, const char *build_id)
{
	struct sl_module *m;

	for (m = sl_modules; m; m = m->next)
		if (m->bias == bias && !strcmp(m->path, path))
			return m;
	m = sl_mem_alloc(sizeof(*m));
	if (!m)
		return NULL;
	m->bias = bias;
	m->path = sl_strdup_arena(path, SL_PATH_MAX);
	m->build_id = build_id ? sl_strdup_arena(build_id, 130) : NULL;
	if (!m->path) {
		sl_mem_free(m, sizeof(*m));
		return NULL;
	}
	m->next = sl_modules;
	sl_modules = m;
	return m;
}

struct sl_rawframe {
	uintptr_t ip, bias;
	const char *path, *sym;
	char bid[2 * 64 + 1];
	int has_bid;
};

const char *sl_self_exe(void)
{
	static char exe[SL_PATH_MAX];

	if (!exe[0]) {
		ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

		if (n <= 0)
			strcpy(exe, "?");
		else
			exe[n] = '\0';
	}
	return exe;
}

/* Resolve frames to module, bias and symbol. No sockleak lock held: dladdr1 and
 * dl_iterate_phdr take the loader's locks. The strings stay valid while the modules stay
 * loaded, which they do: they are on the current call stack. */
/* dladdr walks the module's whole symbol table: ~1M instructions a frame in node (~100k
 * dynamic symbols), whose handler stacks (handler.c) repeat the same ~25 native frames under
 * JavaScript frames that change as V8 compiles the code again (docs/performance.md). So the
 * answers are remembered by address, under sl_unwind_mu like every resolution, and forgotten
 * whenever the loader has loaded or unloaded a module since (its adds and subs counters): a
 * name is never taken from a module that is gone. Misses (JIT code) are remembered too. */
#define SL_RCACHE 1024
struct sl_rcache {
	uintptr_t ip, bias;
	const char *path, *sym;
};
static struct sl_rcache sl_rcache[SL_RCACHE];
static unsigned long long sl_rc_gen[2];

static int sl_gen_cb(struct dl_phdr_info *info, size_t size, void *ctx)
{
	unsigned long long *g = ctx;

	if (size >= offsetof(struct dl_phdr_info, dlpi_subs) + sizeof(info->dlpi_subs)) {
		g[0] = info->dlpi_adds;
		g[1] = info->dlpi_subs;
	}
	return 1; /* the counters are the process's: the first module has them */
}

static void sl_rcache_check(void)
{
	unsigned long long g[2] = {~0ull, ~0ull};

	dl_iterate_phdr(sl_gen_cb, g);
	if (g[0] == ~0ull || g[0] != sl_rc_gen[0] || g[1] != sl_rc_gen[1]) {
		memset(sl_rcache, 0, sizeof(sl_rcache));
		sl_rc_gen[0] = g[0];
		sl_rc_gen[1] = g[1];
	}
}

/* ip's module (path NULL: none) and symbol, from the cache or dladdr. */
static const struct sl_rcache *sl_rcache_get(uintptr_t ip)
{
	struct sl_rcache *e = &sl_rcache[(ip ^ (ip >> 12)) % SL_RCACHE];
	Dl_info di;
	struct link_map *lm = NULL;

	if (ip && e->ip == ip)
		return e;
	e->ip = ip;
	e->bias = 0;
	e->path = e->sym = NULL;
	if (dladdr1((void *)ip, &di, (void **)&lm, RTLD_DL_LINKMAP) && lm) {
		e->bias = lm->l_addr;
		e->sym = di.dli_sname;
		e->path = (lm->l_name && lm->l_name[0]) ? lm->l_name : sl_self_exe();
	}
	return e;
}

static void sl_resolve(const uintptr_t *ips, unsigned n, struct sl_rawframe *raw)
{
	sl_rcache_check();
	for (unsigned i = 0; i < n; i++) {
		/* A return address may sit one past the end of its function: look up ip-1. */
		const struct sl_rcache *e = sl_rcache_get(ips[i] - (i > 0));
		struct sl_bid_ctx b;

		memset(&raw[i], 0, sizeof(raw[i]));
		raw[i].ip = ips[i];
		raw[i].path = "?";
		if (!e->path)
			continue;
		raw[i].bias = e->bias;
		raw[i].sym = e->sym;
		raw[i].path = e->path;
		/* Frames of one module are usually adjacent: reuse the build-id just found. */
		if (i > 0 && raw[i - 1].bias == raw[i].bias && raw[i - 1].has_bid) {
			memcpy(raw[i].bid, raw[i - 1].bid, sizeof(raw[i].bid));
			raw[i].has_bid = 1;
			continue;
		}
		memset(&b, 0, sizeof(b));
		b.bias = e->bias;
		dl_iterate_phdr(sl_bid_cb, &b);
		if (b.found) {
			memcpy(raw[i].bid, b.hex, sizeof(b.hex));
			raw[i].has_bid = 1;
		}
	}
}

/* Fill a new stack's frames, under sl_lock (module records are shared). */
typedef void (*sl_fill_fn)(struct sl_captured_stack *st, const void *ctx);

static void sl_fill_native(struct sl_captured_stack *st, const void *ctx)
{
	const struct sl_rawframe *raw = ctx;

	for (unsigned i = 0; i < st->n; i++) {
		st->f[i].ip = raw[i].ip;
		st->f[i].offset = raw[i].ip - raw[i].bias;
		st->f[i].mod =
			sl_module_get(raw[i].bias, raw[i].path, raw[i].has_bid ? raw[i].bid : NULL);
		st->f[i].symbol = raw[i].sym ? sl_strdup_arena(raw[i].sym, SL_SYM_MAX) : NULL;
	}
}

/* The stack with this id, made with fill if it is new. Takes sl_lock. */
static uint32_t sl_stack_store(uint64_t id, unsigned n, int supp, sl_fill_fn fill, const void *ctx)
{
	struct sl_captured_stack *st;
	uint32_t idx = 0;

	sl_lock();
	HASH_FIND(hh, sl_stacks_by_id, &id, sizeof(id), st);
	if (st) {
		idx = st->idx;
		goto out;
	}
	if (sl_nstacks >= SL_MAX_STACKS)
		goto out;
	{
		uint32_t ci = sl_nstacks / SL_CHUNK;

		if (!sl_stack_chunks[ci]) {
			struct sl_captured_stack **c = sl_mem_alloc(SL_CHUNK * sizeof(*c));

			if (!c)
				goto out;
			__atomic_store_n(&sl_stack_chunks[ci], c, __ATOMIC_RELEASE);
		}
	}
	st = sl_mem_alloc(sizeof(*st) + n * sizeof(st->f[0]));
	if (!st)
		goto out;
	st->id = id;
	st->n = (uint16_t)n;
	st->suppressed = (uint8_t)supp;
	st->native = 0;
	st->handler = 0;
	memset(st->f, 0, n * sizeof(st->f[0]));
	fill(st, ctx);
	sl_stack_oom = 0;
	HASH_ADD(hh, sl_stacks_by_id, id, sizeof(st->id), st);
	if (sl_stack_oom) /* uthash could not grow its table: the stack is not recorded */
		goto out;
	st->idx = ++sl_nstacks;
	__atomic_store_n(&sl_stack_chunks[(st->idx - 1) / SL_CHUNK][(st->idx - 1) % SL_CHUNK], st,
			 __ATOMIC_RELEASE);
	idx = st->idx;
out:
	sl_unlock();
	return idx;
}

/* Per-thread cache of the last stacks taken (stack.h): the lookup is inline in the caller. */
SL_TLS struct sl_sites sl_sites;

/* Where the return addresses into frames #1 and #2 are stored (frame #0: the function ret
 * returns to): the stack address below the CFA of the frame before, whose value the unwinder
 * read as that frame's ip. 0 when it was not found there. */
static uintptr_t sl_ret_slot(unw_cursor_t *c)
{
	unw_word_t sp = 0, ip = 0;
	uintptr_t w;

	if (sl_unw_step(c) <= 0 || sl_unw_get_reg(c, UNW_REG_SP, &sp) ||
	    sl_unw_get_reg(c, UNW_REG_IP, &ip) || !ip || sp < 8)
		return 0;
	memcpy(&w, (const void *)(uintptr_t)(sp - 8), sizeof(w));
	return w == ip ? (uintptr_t)sp - 8 : 0;
}

/* The same with libunwind, stepping. */
static void sl_unw_caller_slots(uintptr_t ret, uintptr_t slot[2])
{
	unw_context_t uc;
	unw_cursor_t c;
	unw_word_t ip = 0;

	sl_unw_loading = 1;
	/* Our own frames first (this one, caller_slots, capture_site, track.c's, the wrapper),
	 * then the program's function that called the wrapper, then its callers. */
	for (int k = 0, ok = sl_unw_cursor(&c, &uc); ok && k < 9 && sl_unw_step(&c) > 0; k++) {
		if (sl_unw_get_reg(&c, UNW_REG_IP, &ip))
			break;
		if (ip == ret) {
			slot[0] = sl_ret_slot(&c);
			slot[1] = slot[0] ? sl_ret_slot(&c) : 0;
			break;
		}
	}
	sl_unw_loading = 0;
}

/* The same with the linked-in unwinder. A frame's context gives the frame's ip and the CFA of
 * the frame it called (its own stack pointer at the call), right above the slot the call
 * stored that ip in. */
static void sl_gcc_caller_slots(uintptr_t ret, uintptr_t slot[2])
{
	void *ips[12];
	uintptr_t cfa[12];
	int cut, n = sl_gcc_backtrace(ips, cfa, 12, &cut);

	for (int k = 0; k + 1 < n; k++) {
		if ((uintptr_t)ips[k] != ret)
			continue;
		for (int j = 0; j < 2 && k + j + 1 < n && cfa[k + j + 1] >= 8; j++) {
			uintptr_t w, at = cfa[k + j + 1] - 8;

			memcpy(&w, (const void *)at, sizeof(w));
			if (w != (uintptr_t)ips[k + j + 1])
				break;
			slot[j] = at;
		}
		break;
	}
}

/* The slots of the callers of ret's function, as sp + 8 * at (stack.h): 0 when frame #1 has
 * none, or when a slot is too far from sp for the entry; without a frame #2, frame #1 stands
 * for it. A walk of a few frames, under sl_unwind_mu as sl_stack_capture (fork waits for
 * it): only at a new entry. */
static int sl_stack_caller_slots(uintptr_t ret, uintptr_t sp, unsigned at[2])
{
	uintptr_t slot[2] = {0, 0};

	sl_mutex_lock(&sl_unwind_mu);
	if (__atomic_load_n(&sl_unw_wanted, __ATOMIC_ACQUIRE) && sl_unw_backtrace)
		sl_unw_caller_slots(ret, slot);
	else
		sl_gcc_caller_slots(ret, slot);
	sl_mutex_unlock(&sl_unwind_mu);
	if (!slot[1])
		slot[1] = slot[0];
	for (int k = 0; k < 2; k++) {
		if (slot[k] <= sp || (slot[k] - sp) % 8 || (slot[k] - sp) / 8 > UINT16_MAX)
			return 0;
		at[k] = (unsigned)((slot[k] - sp) / 8);
	}
	return 1;
}

/* A miss, or one hit in SL_SITE_RECHECK. Keeps errno: sl_track_accept saves none. */
uint32_t sl_stack_capture_site(unsigned i, uintptr_t ret, uintptr_t sp)
{
	int saved = errno;
	uint32_t idx = sl_stack_capture();
	unsigned at[2];

	if (!sl_sites.hits || sl_sites.hits > SL_SITE_RECHECK) /* a recheck, or the first miss */
		sl_sites.hits = SL_SITE_RECHECK;
	/* A recheck of an entry whose callers still match keeps the slots it found. */
	if (idx && sl_site_match(i, ret, sp)) {
		sl_sites.idx[i] = idx;
	} else if (idx && sl_stack_caller_slots(ret, sp, at)) {
		sl_sites.ret[i] = (uint32_t)ret;
		sl_sites.sp[i] = (uint32_t)sp;
		sl_sites.idx[i] = idx;
		sl_sites.at1[i] = (uint16_t)at[0];
		sl_sites.at2[i] = (uint16_t)at[1];
		sl_sites.up1[i] = sl_site_word(sp, at[0]);
		sl_sites.up2[i] = sl_site_word(sp, at[1]);
	}
	errno = saved;
	return idx;
}

/* A stack's frames match a suppression: said after it was stored, once no lock of ours is
 * held for the match. Its socket cannot be reported before its next scan. */
static void sl_stack_set_suppressed(uint32_t idx)
{
	struct sl_captured_stack *st;

	sl_lock();
	st = sl_stack_get(idx);
	if (st)
		st->suppressed = 1;
	sl_unlock();
}

/* A stack seen for the first time: resolved and stored. Its frames are resolved into a
 * buffer of the process, not of the thread's stack (64 of them are 11 KiB, and a thread may
 * have 16 KiB in all: issue 10), under sl_unwind_mu, held until they are stored; sl_lock
 * nests inside it, the order fork's prepare handler takes them in. */
static uint32_t sl_stack_record(const uintptr_t *keep, unsigned n, uint64_t id)
{
	static struct sl_rawframe raw[SL_STACK_MAX];
	const char *names[SL_STACK_MAX][2]; /* symbol, module: the loader's strings */
	uint32_t idx;
	int supp = 0;

	sl_mutex_lock(&sl_unwind_mu);
	sl_resolve(keep, n, raw);
	for (unsigned i = 0; i < n; i++) {
		names[i][0] = raw[i].sym;
		names[i][1] = raw[i].path;
	}
	idx = sl_stack_store(id, n, 0, sl_fill_native, raw);
	sl_mutex_unlock(&sl_unwind_mu);
	/* Matched here, on the program's thread, with no lock of ours held: once per stack, so
	 * the watchdog only reads a flag. The socket this stack belongs to cannot be reported
	 * before its next scan. */
	for (unsigned i = 0; i < n && !supp; i++)
		supp = sl_supp_frame_any(names[i][0], NULL, names[i][1]);
	if (supp && idx)
		sl_stack_set_suppressed(idx);
	return idx;
}

static uint32_t sl_stack_capture_n(unsigned depth)
{
	void *ips[SL_STACK_MAX + 10];
	uintptr_t keep[SL_STACK_MAX];
	struct sl_captured_stack *st;
	unsigned n = 0;
	uint32_t idx = 0;
	uint64_t id;
	int got;

	/* Our own frames on top are at most the wrapper, track.c, this function, sl_walk's and
	 * the unwinder's. */
	got = sl_walk(ips, (int)(depth + 8));
	for (int i = 0; i < got && n < depth; i++) {
		uintptr_t ip = (uintptr_t)ips[i];

		if (ip >= sl_self_lo && ip < sl_self_hi)
			continue;
		keep[n++] = ip;
	}
	if (!n)
		return 0;
	id = sl_stack_hash(keep, n);
	sl_lock();
	HASH_FIND(hh, sl_stacks_by_id, &id, sizeof(id), st);
	if (st)
		idx = st->idx;
	sl_unlock();
	return idx ? idx : sl_stack_record(keep, n, id);
}

uint32_t sl_stack_capture(void) { return sl_stack_capture_n(sl_depth); }

/* Deep: a handler's stack reaches the program's code under a runtime's own frames (node: ~18
 * of them between write() and the JavaScript function that wrote). */
uint32_t sl_stack_capture_deep(void) { return sl_stack_capture_n(SL_STACK_MAX); }

int sl_stack_called_from(const struct sl_range *callee, const struct sl_range *caller,
			 unsigned depth)
{
	void *ips[26];
	int got, found = 0;

	/* the caller's depth counts from the unwinder's caller: sl_walk's and ours are on top */
	depth += 2;
	if (depth > sizeof(ips) / sizeof(ips[0]))
		depth = sizeof(ips) / sizeof(ips[0]);
	got = sl_walk(ips, (int)depth);
	/* return addresses: ip-1 is inside the call */
	for (int i = 1; i < got && !found; i++) {
		uintptr_t a = (uintptr_t)ips[i - 1] - 1, b = (uintptr_t)ips[i] - 1;

		if (a >= callee->lo && a < callee->hi)
			found = b >= caller->lo && b < caller->hi ? 1 : -1;
	}
	return found > 0;
}

int sl_stack_func_range(const char *name, struct sl_range *r)
{
	void *f = dlsym(RTLD_DEFAULT, name);
	const ElfW(Sym) *sym = NULL;
	Dl_info di;

	r->lo = r->hi = 0;
	if (!f || !dladdr1(f, &di, (void **)&sym, RTLD_DL_SYMENT) || !sym || !sym->st_size)
		return ENOENT;
	r->lo = (uintptr_t)f;
	r->hi = r->lo + sym->st_size;
	return 0;
}

/* ---- interpreters' frames (langstack.c) ---- */

#define SL_LANG_TEXT 16384

struct sl_langframes {
	const struct sl_captured_stack *base;
	const char *lang;
	unsigned n;
	const char *file[SL_LANG_MAX], *func[SL_LANG_MAX];
	unsigned line[SL_LANG_MAX];
};

static void sl_fill_lang(struct sl_captured_stack *st, const void *ctx)
{
	const struct sl_langframes *lf = ctx;
	unsigned i;

	for (i = 0; i < lf->n; i++) {
		st->f[i].lang = lf->lang;
		st->f[i].lang_file = sl_strdup_arena(lf->file[i], SL_PATH_MAX);
		st->f[i].symbol = sl_strdup_arena(lf->func[i], SL_SYM_MAX);
		st->f[i].line = lf->line[i];
	}
	st->native = lf->base ? lf->base->idx : 0;
	/* The base's strings and modules live as long as the library: share them. */
	for (unsigned k = 0; lf->base && i < st->n; i++, k++)
		st->f[i] = lf->base->f[k];
}

/* "file\tline\tfunction\n" lines, innermost first, split in place. */
static void sl_lang_parse(char *t, struct sl_langframes *lf)
{
	while (*t && lf->n < SL_LANG_MAX) {
		char *nl = strchr(t, '\n'), *tab1, *tab2;

		if (nl)
			*nl = '\0';
		tab1 = strchr(t, '\t');
		tab2 = tab1 ? strchr(tab1 + 1, '\t') : NULL;
		if (tab2) {
			*tab1 = *tab2 = '\0';
			lf->file[lf->n] = t;
			lf->line[lf->n] = (unsigned)strtoul(tab1 + 1, NULL, 10);
			lf->func[lf->n] = tab2 + 1;
			lf->n++;
		}
		if (!nl)
			break;
		t = nl + 1;
	}
}

uint32_t sl_stack_with_lang(uint32_t base, const char *lang, const char *frames)
{
	static const char *const langs[] = {"python", "perl", "ruby", "js", "java", NULL};
	/* The process's, under sl_unwind_mu, not 17 KiB of the calling thread's stack: an
	 * interpreter's threads may have small ones (issue 10). */
	static struct sl_langframes lf;
	static char text[SL_LANG_TEXT];
	const char *name = NULL;
	size_t len;
	uintptr_t key[2];
	unsigned n, nlang;
	uint32_t idx;
	int supp;

	for (int i = 0; langs[i] && !name; i++)
		if (!strcmp(lang, langs[i]))
			name = langs[i]; /* a static string: the record is written much later */
	if (!name)
		return 0;
	sl_mutex_lock(&sl_unwind_mu);
	memset(&lf, 0, sizeof(lf));
	lf.lang = name;
	len = strnlen(frames, sizeof(text) - 1);
	memcpy(text, frames, len);
	text[len] = '\0';
	/* Frames given again for the same socket (a connect after an accept-like adoption)
	 * replace the interpreter's frames, never pile up on them. */
	lf.base = sl_stack_get(base);
	if (lf.base && lf.base->native)
		base = lf.base->native;
	/* The id: the native stack's and a hash of the interpreter's frames, so that two Python
	 * functions reaching the same C path are two stacks. */
	key[0] = (uintptr_t)sl_stack_id(base);
	key[1] = 0;
	for (size_t i = 0; i < len; i++)
		key[1] = (key[1] ^ (unsigned char)text[i]) * 0x100000001b3ULL;
	sl_lang_parse(text, &lf);
	nlang = lf.n;
	lf.base = sl_stack_get(base);
	n = lf.n;
	if (lf.base)
		n += lf.base->n < SL_STACK_MAX - lf.n ? lf.base->n : SL_STACK_MAX - lf.n;
	supp = lf.base && lf.base->suppressed;
	idx = nlang ? sl_stack_store(sl_stack_hash(key, 2), n, supp, sl_fill_lang, &lf) : 0;
	sl_mutex_unlock(&sl_unwind_mu);
	/* Suppressions are matched outside our locks (as in sl_stack_record), on the stored
	 * copies of the interpreter's frames: function and source file. */
	if (idx && !supp) {
		const struct sl_captured_stack *st = sl_stack_get(idx);

		for (unsigned i = 0; st && i < nlang && !supp; i++)
			supp = sl_supp_frame_any(st->f[i].symbol, st->f[i].lang_file, NULL);
		if (supp)
			sl_stack_set_suppressed(idx);
	}
	return idx;
}

/* The open stack with the handler's stack attached: the same frames under another id, so a
 * socket record keeps one stack index (no field more per socket: docs/performance.md). */
struct sl_handled {
	const struct sl_captured_stack *open;
	uint32_t handler;
};

static void sl_fill_handled(struct sl_captured_stack *st, const void *ctx)
{
	const struct sl_handled *h = ctx;

	memcpy(st->f, h->open->f, st->n * sizeof(st->f[0]));
	st->native = h->open->native;
	st->handler = h->handler;
}

uint32_t sl_stack_with_handler(uint32_t open, uint32_t handler)
{
	struct sl_handled h = {sl_stack_get(open), handler};
	uintptr_t key[3];

	if (!h.open || !handler || h.open->handler)
		return 0;
	key[0] = (uintptr_t)h.open->id;
	key[1] = (uintptr_t)sl_stack_id(handler);
	key[2] = 0x68616e646c6572; /* "handler": never a return address */
	return sl_stack_store(sl_stack_hash(key, 3), h.open->n,
			      h.open->suppressed || sl_stack_suppressed(handler), sl_fill_handled,
			      &h);
}

uint32_t sl_stack_handler(uint32_t idx)
{
	const struct sl_captured_stack *st = sl_stack_get(idx);

	return st ? st->handler : 0;
}

int sl_stack_wants_handler(uint32_t idx)
{
	const struct sl_captured_stack *st = sl_stack_get(idx);

	return st && !st->handler;
}

void sl_stack_new_epoch(void) { __atomic_add_fetch(&sl_epoch, 1, __ATOMIC_RELAXED); }

/* Frames in no module (a JIT's code) take their name from the process's perf map (perfmap.c),
 * read before the record's log lock is taken: a map of up to 64 MiB read under it held every
 * other thread's records back for as long. The first name found for a frame is kept (the
 * closest to its capture: a JIT reuses its code's addresses) and written in each record of the
 * stack. sl_jit_mu serialises the readers (perfmap.c's buffers are static) and the names'
 * pages, which are their own (sl_mem_alloc wants sl_lock, which a record's writer may hold). */
static char *sl_jit_page;
static size_t sl_jit_used;
#define SL_JIT_PAGE 65536

/* Under sl_jit_mu. The bump comes after the copy: a fork child (which resets the lock) never
 * finds a frame naming bytes it may reuse. */
static const char *sl_jit_keep(const char *s)
{
	size_t n = strnlen(s, SL_SYM_MAX);
	char *d;

	if (!sl_jit_page || sl_jit_used + n + 1 > SL_JIT_PAGE) {
		if (!(d = sl_map(SL_JIT_PAGE)))
			return NULL;
		sl_jit_page = d;
		sl_jit_used = 0;
	}
	d = sl_jit_page + sl_jit_used;
	memcpy(d, s, n);
	d[n] = '\0';
	sl_jit_used += n + 1;
	return d;
}

void sl_stack_name_jit(uint32_t idx)
{
	struct sl_captured_stack *st = sl_stack_get(idx);
	const char *names[SL_STACK_MAX] = {NULL};
	uintptr_t ips[SL_STACK_MAX];
	unsigned n, want = 0;

	/* Written to this file already (read again under the log lock): no record needs it. */
	if (!st || __atomic_load_n(&st->epoch, __ATOMIC_RELAXED) ==
			   __atomic_load_n(&sl_epoch, __ATOMIC_RELAXED))
		return;
	n = st->n < SL_STACK_MAX ? st->n : SL_STACK_MAX;
	for (unsigned i = 0; i < n; i++) {
		const struct sl_captured_frame *f = &st->f[i];

		ips[i] = 0;
		if (!f->lang && !f->symbol && (!f->mod || !strcmp(f->mod->path, "?")) &&
		    !__atomic_load_n(&f->jit_name, __ATOMIC_ACQUIRE)) {
			ips[i] = f->ip;
			want++;
		}
	}
	if (!want)
		return;
	sl_mutex_lock(&sl_jit_mu);
	sl_perfmap_names(ips, n, names);
	for (unsigned i = 0; i < n; i++) {
		const char *d;

		if (names[i] && !__atomic_load_n(&st->f[i].jit_name, __ATOMIC_ACQUIRE) &&
		    (d = sl_jit_keep(names[i])))
			__atomic_store_n(&st->f[i].jit_name, d, __ATOMIC_RELEASE);
	}
	sl_mutex_unlock(&sl_jit_mu);
}

int sl_stack_fill(struct sl_jsonline *j, uint32_t idx, uint32_t *epoch)
{
	struct sl_captured_stack *st = sl_stack_get(idx);

	/* The epoch is read under the log lock, after the log was opened: a stack is written
	 * once per file and no more. */
	*epoch = __atomic_load_n(&sl_epoch, __ATOMIC_RELAXED);
	if (!st || __atomic_load_n(&st->epoch, __ATOMIC_RELAXED) == *epoch)
		return 0;
	sl_jsonline_id(j, SL_KEY(id), st->id);
	sl_jsonline_arr_begin(j, SL_KEY(frames));
	for (unsigned i = 0; i < st->n; i++) {
		sl_jsonline_obj_begin(j, NULL);
		if (st->f[i].lang) {
			sl_jsonline_null(j, SL_KEY(ip));
			sl_jsonline_null(j, SL_KEY(module));
			sl_jsonline_null(j, SL_KEY(offset));
			sl_jsonline_str(j, SL_KEY(symbol), st->f[i].symbol);
			sl_jsonline_null(j, SL_KEY(build_id));
			sl_jsonline_str(j, SL_KEY(lang), st->f[i].lang);
			sl_jsonline_str(j, SL_KEY(file), st->f[i].lang_file);
			sl_jsonline_u64(j, SL_KEY(line), st->f[i].line);
			sl_jsonline_obj_end(j);
			continue;
		}
		sl_jsonline_hex(j, SL_KEY(ip), st->f[i].ip);
		sl_jsonline_str(j, SL_KEY(module), st->f[i].mod ? st->f[i].mod->path : NULL);
		sl_jsonline_hex(j, SL_KEY(offset), st->f[i].offset);
		sl_jsonline_str(j, SL_KEY(symbol),
				st->f[i].symbol
					? st->f[i].symbol
					: __atomic_load_n(&st->f[i].jit_name, __ATOMIC_ACQUIRE));
		sl_jsonline_str(j, SL_KEY(build_id), st->f[i].mod ? st->f[i].mod->build_id : NULL);
		sl_jsonline_obj_end(j);
	}
	sl_jsonline_arr_end(j);
	return 1;
}

void sl_stack_written(uint32_t idx, uint32_t epoch)
{
	struct sl_captured_stack *st = sl_stack_get(idx);

	if (st)
		__atomic_store_n(&st->epoch, epoch, __ATOMIC_RELAXED);
}

/* C++ names in the exit summary are demangled with the __cxa_demangle already in the process
 * (libstdc++ or libc++ export it; a process with C++ frames has one of them loaded), found in
 * the global scope and never loaded by us: loading libstdc++ into a C host at exit would run
 * its constructors in a program that never asked for them. With none, the name stays mangled
 * (`sockleak run` and `sockleak report` demangle with their own). The summary is printed once,
 * at exit, on the exiting thread, where malloc (which __cxa_demangle uses) is allowed. */
typedef char *(*sl_demangle_fn)(const char *, char *, size_t *, int *);

static int sl_frame_line(char *buf, size_t cap, const char *prefix, unsigned i,
			 const struct sl_captured_frame *f, sl_demangle_fn demangle)
{
	/* Static: the summary is printed once, at exit, by one thread. */
	static char sym[2048], file[2048], lang[64];
	const char *jit = NULL;
	char *d = NULL;
	int st = -1, w;

	if (demangle && (f->mod || !f->lang) && f->symbol && f->symbol[0] == '_' &&
	    f->symbol[1] == 'Z')
		d = demangle(f->symbol, NULL, NULL, &st);
	/* The program names its symbols, modules and scripts (a directory called
	 * "\x1b[2J\nSUMMARY: ..." is enough): escaped for the terminal as the tools do. */
	if (!f->symbol && !f->lang)
		jit = __atomic_load_n(&f->jit_name, __ATOMIC_ACQUIRE);
	sl_term_escape(sym, sizeof(sym), d && !st ? d : f->symbol ? f->symbol : jit ? jit : "??");
	sl_term_escape(file, sizeof(file), f->mod ? f->mod->path : f->lang ? f->lang_file : NULL);
	sl_term_escape(lang, sizeof(lang), f->lang);
	if (!f->mod && f->lang)
		w = snprintf(buf, cap, "%s#%u %s %s:%u (%s)\n", prefix, i, sym, file, f->line,
			     lang);
	else if (!f->mod || !strcmp(f->mod->path, "?")) /* JIT code: an address, no offset */
		w = snprintf(buf, cap, "%s#%u %s (no module, 0x%lx)\n", prefix, i, sym,
			     (unsigned long)f->ip);
	else
		w = snprintf(buf, cap, "%s#%u %s (%s+0x%lx)\n", prefix, i, sym, file,
			     (unsigned long)f->offset);
	free(d);
	return w;
}

size_t sl_stack_format(uint32_t idx, const char *prefix, char *buf, size_t cap)
{
	struct sl_captured_stack *st = sl_stack_get(idx);
	sl_demangle_fn demangle;
	size_t len = 0;

	if (!st || !cap)
		return 0;
	*(void **)&demangle = dlsym(RTLD_DEFAULT, "__cxa_demangle");
	buf[0] = '\0';
	for (unsigned i = 0; i < st->n && len < cap; i++) {
		int w = sl_frame_line(buf + len, cap - len, prefix, i, &st->f[i], demangle);

		if (w < 0)
			break;
		len += (size_t)w;
	}
	return len < cap ? len : cap - 1;
}

unsigned sl_stack_site_frames(uint32_t idx, struct sl_site_frame *out, unsigned cap)
{
	const struct sl_captured_stack *st = sl_stack_get(idx);
	unsigned n = st ? (st->n < cap ? st->n : cap) : 0;

	for (unsigned i = 0; i < n; i++) {
		const struct sl_captured_frame *f = &st->f[i];

		memset(&out[i], 0, sizeof(out[i]));
		if (f->lang) { /* as the log has it: no module, no offset */
			out[i].lang = f->lang;
			out[i].file = f->lang_file;
			out[i].func = f->symbol;
			out[i].line = (int)f->line;
			continue;
		}
		out[i].offset = f->offset;
		out[i].module = f->mod ? f->mod->path : NULL;
		if (!f->mod || !strcmp(f->mod->path, "?")) /* named by a record, if one did */
			out[i].jit = f->symbol ? f->symbol
					       : __atomic_load_n(&f->jit_name, __ATOMIC_ACQUIRE);
	}
	return n;
}

int sl_stack_suppressed(uint32_t idx)
{
	struct sl_captured_stack *st = sl_stack_get(idx);

	return st && st->suppressed;
}

int sl_supp_match(uint32_t a, uint32_t b)
{
	return sl_supp_count() && (sl_stack_suppressed(a) || sl_stack_suppressed(b));
}
