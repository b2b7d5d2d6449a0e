/* Interpreters: their own frames on the stacks, and sockets their runtime closed.
 *
 * An interpreter's native stack names its eval loop, not the program: every Python leak of one
 * kind was one site "in sock_initobj_impl". The interpreter hands us its frames instead, through
 * exported calls, made by a hook that sockleak installs in it (docs/languages.md):
 *
 *   sockleak_lang_stack(fd, "python", "file\tline\tfunction\n...")
 *       the interpreter's frames where fd was accepted or is being connected: they go on top of
 *       the fd's open stack (the native one the accept/socket wrapper took).
 *   sockleak_lang_eof_hook(cb), sockleak_lang_eof_stack(fd, "python", frames)
 *       the same for the EOF stack, through a callback (sl_lang_eof, below).
 *   sockleak_lang_gc_probe(fd)
 *       fd is about to be closed by the runtime's finaliser (the hook drops a probe socket at
 *       start-up): the return address of that close() is the finaliser's call site. From then
 *       on a tracked connection closed from there was left to the garbage collector (or the
 *       interpreter's shutdown), never closed by the program: a `gc_closed` leak.
 *
 * Cost: nothing for programs that never call them, and one compare in close() of a tracked
 * socket (sl_lang_gc_close). For Python, the library puts the hook's directory in PYTHONPATH at
 * start-up (sl_lang_init), so LD_PRELOAD alone is enough. */
#include "lang.h"

#include "fdtable.h"
#include "log.h"
#include "options.h"
#include "records.h"
#include "stack.h"
#include "track.h"
#include "watchdog.h"

#include <dlfcn.h>
#include <link.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>


/* The interpreter's frames on top of the socket's open or EOF stack. */
static int sl_lang_frames(int fd, int eof, const char *lang, const char *frames)
{
	struct sl_sock *s;
	uint32_t base, idx;
	int saved = errno, r = -1;

	if (!lang || !frames || fd < 0 || !sl_fd_lookup(fd) || !sl_enter()) {
		errno = EBADF;
		return -1;
	}
	sl_lock();
	s = sl_fd_lookup(fd);
	base = !s ? 0 : eof ? s->eof_stack : s->open_stack;
	sl_unlock();
	if (s && (idx = sl_stack_with_lang(base, lang, frames)) != 0) {
		uint32_t *at;

		sl_lock();
		/* Still the same socket, with the stack we built on. */
		if (sl_fd_lookup(fd) == s && *(at = eof ? &s->eof_stack : &s->open_stack) == base) {
			*at = idx;
			r = 0;
		}
		sl_unlock();
	}
	sl_leave();
	errno = r ? EBADF : saved;
	return r;
}

SL_EXPORT int sockleak_lang_stack(int fd, const char *lang, const char *frames)
{
	return sl_lang_frames(fd, 0, lang, frames);
}

SL_EXPORT int sockleak_lang_eof_stack(int fd, const char *lang, const char *frames)
{
	return sl_lang_frames(fd, 1, lang, frames);
}

/* EOF: CPython raises no audit event when recv() returns b"", so the hook registers a ctypes
 * callback that the library calls, after it recorded the EOF, from the thread that read it.
 * The callback takes the GIL (ctypes does PyGILState_Ensure) and hands the frames to
 * sockleak_lang_eof_stack. Called only when that is what the thread does next anyway: the
 * read was made by CPython itself (its return address is in the interpreter, libpython or the
 * _socket extension, whose socket calls hold no lock but the released GIL) from a thread Python
 * knows (PyGILState_GetThisThreadState), and never with a lock of ours held. A read made by
 * another library (OpenSSL, a database client) that may hold its own locks is left alone. */
typedef void (*sl_eof_fn)(int fd);
static sl_eof_fn sl_py_eof;
static void *(*sl_py_this_tstate)(void);
static const void *sl_py_core; /* link map of the module with PyEval_GetFrame */
int sl_lang_eof_on;

SL_EXPORT int sockleak_lang_eof_hook(void (*cb)(int fd))
{
	Dl_info di;
	struct link_map *lm = NULL;
	void *f = dlsym(RTLD_DEFAULT, "PyEval_GetFrame");

	*(void **)&sl_py_this_tstate = dlsym(RTLD_DEFAULT, "PyGILState_GetThisThreadState");
	if (!cb || !f || !sl_py_this_tstate || !dladdr1(f, &di, (void **)&lm, RTLD_DL_LINKMAP) ||
	    !lm) {
		errno = ENOENT;
		return -1;
	}
	sl_py_core = lm;
	__atomic_store_n(&sl_py_eof, cb, __ATOMIC_RELEASE);
	__atomic_store_n(&sl_lang_eof_on, 1, __ATOMIC_RELEASE);
	return 0;
}

/* Is ret in CPython's own code? One entry remembered: a server reads EOF from one place. */
static int sl_py_own_code(uintptr_t ret)
{
	static uintptr_t yes;
	struct link_map *lm = NULL;
	Dl_info di;
	const char *b;

	if (ret == __atomic_load_n(&yes, __ATOMIC_RELAXED))
		return 1;
	if (!dladdr1((void *)(ret - 1), &di, (void **)&lm, RTLD_DL_LINKMAP) || !lm)
		return 0;
	b = lm->l_name ? strrchr(lm->l_name, '/') : NULL;
	if (lm != sl_py_core && !(b && !strncmp(b + 1, "_socket.", 8)))
		return 0;
	__atomic_store_n(&yes, ret, __ATOMIC_RELAXED);
	return 1;
}

void sl_lang_eof(int fd, uintptr_t ret)
{
	sl_eof_fn cb = __atomic_load_n(&sl_py_eof, __ATOMIC_ACQUIRE);
	int saved = errno;

	if (cb && !sl_busy && sl_py_own_code(ret) && sl_py_this_tstate())
		cb(fd);
	errno = saved;
}

/* The finaliser's call site of close(), once learned, and the explicit close()'s. When they
 * are the same address, something sits between the interpreter and us (a sanitizer's close
 * interceptor): the two cannot be told apart, and nothing is reported as gc_closed. */
static uintptr_t sl_gc_ret, sl_explicit_ret;
int sl_lang_gc_on;
static SL_TLS int sl_gc_probe_fd, sl_close_probe_fd; /* fd + 1 */

static int sl_probe(int fd, int *slot)
{
	if (fd < 0 || !sl_fd_lookup(fd)) {
		errno = EBADF;
		return -1;
	}
	*slot = fd + 1;
	__atomic_store_n(&sl_lang_gc_on, 1, __ATOMIC_RELAXED);
	return 0;
}

SL_EXPORT int sockleak_lang_gc_probe(int fd) { return sl_probe(fd, &sl_gc_probe_fd); }
SL_EXPORT int sockleak_lang_close_probe(int fd) { return sl_probe(fd, &sl_close_probe_fd); }

/* java: the JDK closes a socket nobody closed from its Cleaner thread ("Common-Cleaner",
 * java.lang.ref.Cleaner, which NioSocketImpl registers), or from the "Finalizer" thread for
 * finalize(); an explicit close() runs on the caller's thread. The JVM names its threads when
 * it starts them, before they run Java code: the name is read once per thread, at its first
 * close of a tracked socket, from /proc/thread-self/comm. */
static int sl_java;
static SL_TLS int sl_java_thread; /* 0: not read yet, 1: a cleaner, 2: not */

static int sl_java_cleaner_thread(void)
{
	if (!sl_java_thread) {
		char name[32];

		sl_read_small("/proc/thread-self/comm", name, sizeof(name));
		sl_java_thread =
			!strcmp(name, "Common-Cleaner") || !strcmp(name, "Finalizer") ? 1 : 2;
	}
	return sl_java_thread == 1;
}

/* perl: set at start-up when the executable is perl (sl_lang_init); the two functions that
 * tell its closes apart, found at its first close of a connection. */
static int sl_perl;
static struct sl_range sl_perl_ranges[2]; /* Perl_io_close, Perl_sv_clear */
static int sl_perl_looked;                /* 1: found, -1: not this perl */

/* No lock (fork never waits for one here): two threads may both look the same addresses up,
 * and publish the same values. */
static int sl_perl_ready(void)
{
	int st = __atomic_load_n(&sl_perl_looked, __ATOMIC_ACQUIRE);
	struct sl_range r[2];

	if (st)
		return st > 0;
	/* clang-format off */
	st = sl_stack_func_range("Perl_io_close", &r[0]) ||
	     sl_stack_func_range("Perl_sv_clear", &r[1]) ? -1 : 1;
	/* clang-format on */
	if (st > 0)
		memcpy(sl_perl_ranges, r, sizeof(r));
	__atomic_store_n(&sl_perl_looked, st, __ATOMIC_RELEASE);
	return st > 0;
}

int sl_lang_gc_close(int fd, uintptr_t ret)
{
	const struct sl_sock *s;

	if (SL_UNLIKELY(sl_gc_probe_fd) && sl_gc_probe_fd == fd + 1) {
		sl_gc_probe_fd = 0;
		__atomic_store_n(&sl_gc_ret, ret, __ATOMIC_RELAXED);
		return 0;
	}
	if (SL_UNLIKELY(sl_close_probe_fd) && sl_close_probe_fd == fd + 1) {
		sl_close_probe_fd = 0;
		__atomic_store_n(&sl_explicit_ret, ret, __ATOMIC_RELAXED);
		return 0;
	}
	if (sl_java)
		return sl_java_cleaner_thread();
	if (SL_LIKELY(!sl_perl))
		return ret && ret == __atomic_load_n(&sl_gc_ret, __ATOMIC_RELAXED) &&
		       ret != __atomic_load_n(&sl_explicit_ret, __ATOMIC_RELAXED);
	/* Perl closes every handle through Perl_io_close: from Perl_do_close for close(), from
	 * Perl_sv_clear when the last reference went (scope exit, undef, global destruction).
	 * Both reach close() from the same PerlIOUnix_close, so the caller is told by the unwind
	 * (perl 5.36: io_close is the 7th frame), only for connections; reported ones too, whose
	 * late_close says who closed them (by_runtime). The read of s without sl_lock is a hint:
	 * sl_lang_gc_leak decides under it. */
	s = sl_fd_lookup(fd);
	return s && (s->role == SL_ROLE_ACCEPTED || s->role == SL_ROLE_CONNECTED) &&
	       !(s->flags & SL_F_EXEMPT) && sl_perl_ready() &&
	       sl_stack_called_from(&sl_perl_ranges[0], &sl_perl_ranges[1], 12);
}

/* Called by close() with sl_lock held, for the last descriptor of a connection the runtime
 * closed: the facts of the leak record, taken before the socket record is freed. */
int sl_lang_gc_leak(const struct sl_sock *s, int fd, struct sl_leak_info *l)
{
	struct sl_facts f = sl_sock_facts(s);
	uint64_t since;

	if (!sl_policy_gc_closed(&f, &since))
		return 0;
	/* Its last descriptor is already out of the table: this close's fd is the one. */
	sl_leak_info_of(l, s, SL_KIND_GC, sl_mono_ms(), since);
	l->fd = fd;
	l->fds[0] = fd;
	l->nfds = 1;
	return 1;
}

/* Python: put our sitecustomize first on PYTHONPATH, for interpreters only (python, python3,
 * python3.11, ...), never for set-id programs. The hook takes itself out of sys.path and
 * PYTHONPATH again and runs the program's own sitecustomize (python/sitecustomize.py). */
/* An interpreter's executable: NAME, or NAME and a version (python3.11, perl5.36.0). */
static int sl_is_exe(const char *exe, const char *name)
{
	const char *b = strrchr(exe, '/');
	size_t n = strlen(name);

	b = b ? b + 1 : exe;
	return !strncmp(b, name, n) && strspn(b + n, "0123456789.") == strlen(b + n);
}

void sl_lang_init(void)
{
	/* "?" when /proc/self/exe is unreadable: no interpreter, nothing set up. */
	const char *exe = sl_self_exe(), *lib, *old, *slash;
	char dir[SL_PATH_MAX], val[2 * SL_PATH_MAX];
	struct stat st;
	int w;

	sl_perl = sl_is_exe(exe, "perl");
	sl_java = sl_is_exe(exe, "java");
	if (sl_perl || sl_java)
		sl_lang_gc_on = 1;
	if (sl_perl)
		sl_stack_want_libunwind(); /* the close check unwinds at every connection */
	if (sl_is_exe(exe, "node") || sl_is_exe(exe, "nodejs"))
		sl_handler_init();
	if (!sl_opt.python || getauxval(AT_SECURE))
		return;
	/* Our own path, as sl_forks_init found it: sl_init ran before this, in the constructor. */
	lib = sl_self_lib();
	if (!sl_is_exe(exe, "python") || !(slash = strrchr(lib, '/')))
		return;
	w = snprintf(dir, sizeof(dir), "%.*s/sockleak-python", (int)(slash - lib), lib);
	/* Ours, a real directory (not a symlink someone planted next to the library). */
	if (w < 0 || (size_t)w >= sizeof(dir) || lstat(dir, &st) || !S_ISDIR(st.st_mode))
		return;
	old = getenv("PYTHONPATH");
	w = old && *old ? snprintf(val, sizeof(val), "%s:%s", dir, old)
			: snprintf(val, sizeof(val), "%s", dir);
	if (w > 0 && (size_t)w < sizeof(val) && !setenv("PYTHONPATH", val, 1))
		sl_stack_want_libunwind(); /* the hook takes a stack at every hand-over */
}
