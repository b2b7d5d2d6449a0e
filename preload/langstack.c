/* Interpreters: their own frames on the stacks, and sockets their runtime closed.
 *
 * An interpreter's native stack names its eval loop, not the program: every Python leak of one
 * kind was one site "in sock_initobj_impl". The interpreter hands us its frames instead, through
 * two exported calls, made by a hook that sockleak installs in it (docs/languages.md):
 *
 *   sockleak_lang_stack(fd, "python", "file\tline\tfunction\n...")
 *       the interpreter's frames where fd was accepted or is being connected: they go on top of
 *       the fd's open stack (the native one the accept/socket wrapper took).
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
#include "watchdog.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

extern struct sl_opts sl_opt;

SL_EXPORT int sockleak_lang_stack(int fd, const char *lang, const char *frames)
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
	base = s ? s->open_stack : 0;
	sl_unlock();
	if (s && (idx = sl_stack_with_lang(base, lang, frames)) != 0) {
		sl_lock();
		/* Still the same socket, with the stack we built on. */
		if (sl_fd_lookup(fd) == s && s->open_stack == base) {
			s->open_stack = idx;
			r = 0;
		}
		sl_unlock();
	}
	sl_leave();
	errno = r ? EBADF : saved;
	return r;
}

/* The finaliser's call site of close(), once learned. */
static uintptr_t sl_gc_ret;
int sl_lang_gc_on;
static SL_TLS int sl_gc_probe_fd;   /* fd + 1 */

SL_EXPORT int sockleak_lang_gc_probe(int fd)
{
	if (fd < 0 || !sl_fd_lookup(fd)) {
		errno = EBADF;
		return -1;
	}
	sl_gc_probe_fd = fd + 1;
	__atomic_store_n(&sl_lang_gc_on, 1, __ATOMIC_RELAXED);
	return 0;
}

/* perl: set at start-up when the executable is perl (sl_lang_init); the two functions that
 * tell its closes apart, found at its first close of a connection. */
static int sl_perl;
static struct sl_range sl_perl_ranges[2];   /* Perl_io_close, Perl_sv_clear */
static int sl_perl_looked;                   /* 1: found, -1: not this perl */

/* No lock (fork never waits for one here): two threads may both look the same addresses up,
 * and publish the same values. */
static int sl_perl_ready(void)
{
	int st = __atomic_load_n(&sl_perl_looked, __ATOMIC_ACQUIRE);
	struct sl_range r[2];

	if (st)
		return st > 0;
	st = sl_stack_func_range("Perl_io_close", &r[0]) ||
	     sl_stack_func_range("Perl_sv_clear", &r[1]) ? -1 : 1;
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
	if (SL_LIKELY(!sl_perl))
		return ret && ret == __atomic_load_n(&sl_gc_ret, __ATOMIC_RELAXED);
	/* Perl closes every handle through Perl_io_close: from Perl_do_close for close(), from
	 * Perl_sv_clear when the last reference went (scope exit, undef, global destruction).
	 * Both reach close() from the same PerlIOUnix_close, so the caller is told by the unwind
	 * (perl 5.36: io_close is the 7th frame), only for connections. The read of s without
	 * sl_lock is a hint: sl_lang_gc_leak decides under it. */
	s = sl_fd_lookup(fd);
	return s && (s->role == SL_ROLE_ACCEPTED || s->role == SL_ROLE_CONNECTED) &&
	       !(s->flags & (SL_F_REPORTED | SL_F_EXEMPT)) &&
	       sl_perl_ready() && sl_stack_called_from(&sl_perl_ranges[0], &sl_perl_ranges[1], 12);
}

/* Called by close() with sl_lock held, for the last descriptor of a connection the runtime
 * closed: the facts of the leak record, taken before the socket record is freed. */
int sl_lang_gc_leak(const struct sl_sock *s, int fd, struct sl_leak_info *l)
{
	if (s->flags & (SL_F_REPORTED | SL_F_EXEMPT | SL_F_LISTEN) ||
	    (s->role != SL_ROLE_ACCEPTED && s->role != SL_ROLE_CONNECTED))
		return 0;
	/* Its last descriptor is already out of the table: this close's fd is the one. */
	sl_leak_info_of(l, s, SL_KIND_GC, sl_mono_ms(),
			s->eof_ms ? s->eof_ms : s->cw_ms ? s->cw_ms : s->open_ms);
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
	char exe[SL_PATH_MAX], dir[SL_PATH_MAX], val[2 * SL_PATH_MAX];
	const char *old, *slash;
	Dl_info di;
	struct stat st;
	ssize_t n;
	int w;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return;
	exe[n] = '\0';
	sl_perl = sl_is_exe(exe, "perl");
	if (sl_perl)
		sl_lang_gc_on = 1;
	if (!sl_opt.python || getauxval(AT_SECURE))
		return;
	if (!sl_is_exe(exe, "python") || !dladdr((void *)&sl_lang_init, &di) || !di.dli_fname ||
	    !(slash = strrchr(di.dli_fname, '/')))
		return;
	w = snprintf(dir, sizeof(dir), "%.*s/sockleak-python", (int)(slash - di.dli_fname),
		     di.dli_fname);
	/* Ours, a real directory (not a symlink someone planted next to the library). */
	if (w < 0 || (size_t)w >= sizeof(dir) || lstat(dir, &st) || !S_ISDIR(st.st_mode))
		return;
	old = getenv("PYTHONPATH");
	w = old && *old ? snprintf(val, sizeof(val), "%s:%s", dir, old)
			: snprintf(val, sizeof(val), "%s", dir);
	if (w > 0 && (size_t)w < sizeof(val))
		setenv("PYTHONPATH", val, 1);
}
