/* Socket state transitions; see track.h. */
#include "track.h"

#include "epwatch.h"
#include "fdident.h"
#include "procfd.h"
#include "log.h"
#include "options.h"
#include "records.h"
#include "sockets.h"
#include "lang.h"
#include "stack.h"
#include "watchdog.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* keepalive_* options: let the kernel find dead peers on tracked connections. Off unless
 * asked for (callers test keepalive_idle_s: the call is not made per connection otherwise); a
 * failure is ignored, as the program's own settings win. */
static void sl_keepalive(int fd)
{
	int one = 1, v, saved = errno;

	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
	v = (int)sl_opt.keepalive_idle_s;
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &v, sizeof(v));
	if (sl_opt.keepalive_intvl_s) {
		v = (int)sl_opt.keepalive_intvl_s;
		setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &v, sizeof(v));
	}
	if (sl_opt.keepalive_cnt) {
		v = (int)sl_opt.keepalive_cnt;
		setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &v, sizeof(v));
	}
	errno = saved;
}

/* Inside sockleak (sl_busy): fd was just made by a call we do not track as TCP; whatever the
 * number held before is stale. */
static void sl_forget_stale(int fd)
{
	if (!sl_fd_lookup(fd))
		return;
	sl_lock();
	sl_fd_drop_stale(fd);
	sl_unlock();
}

void sl_track_forget(int fd)
{
	int saved = errno;

	if (!sl_fd_lookup(fd) || !sl_enter())
		return;
	sl_forget_stale(fd);
	sl_leave();
	errno = saved;
}

/* inode: the socket's identity, or 0 to take it later (a socket the kernel just made:
 * fdtable.h). join: the socket may already be known under another fd (adoption, SCM_RIGHTS);
 * for a socket the kernel just made, an old record with its inode can only be stale.
 * Inlined into each caller, whose constant arguments leave accept() and socket() the short
 * path they take per connection. */
static inline __attribute__((always_inline)) void
sl_track_new(int fd, int family, enum sl_role role, uint64_t inode, int inherited, uint32_t stack,
	     int join, int listen_fd, struct sl_sock *listener)
{
	struct sl_sock *s;

	sl_lock();
	/* The socket it came from is listening: never idle, never a leak. */
	if (listener && !(listener->flags & SL_F_LISTEN) && sl_fd_lookup(listen_fd) == listener)
		listener->flags |= SL_F_LISTEN;
	if (SL_UNLIKELY(sl_fd_lookup(fd) != NULL))
		sl_fd_drop_stale(fd);
	s = join ? sl_sock_by_inode(inode) : NULL;
	if (s && s->nfds) {
		/* The same socket reached us again (SCM_RIGHTS to ourselves, a dup we missed). */
		if (!sl_fd_set(fd, s))
			s->nfds++;
		sl_unlock();
		return;
	}
	s = inode ? sl_sock_new(inode) : sl_sock_new_lazy();
	if (s) {
		sl_sock_set_family(s, family);
		s->role = (uint8_t)role;
		/* The coarse clock: the clock as of the latest scan or slow path, at most
		 * scan_ms old (docs/log-format.md). Reading the clock was ~25
		 * instructions a connection, 1.5% of what sockleak added to nginx's. */
		s->open_ms = sl_coarse_now();
		s->last_io_ms = s->open_ms;
		s->open_stack = stack;
		s->fd = fd;
		s->nfds = 1;
		if (inherited)
			s->flags |= SL_F_INHERITED;
		if (sl_fd_set(fd, s)) {
			sl_sock_free(s);
			s = NULL;
		}
	}
	sl_unlock();
	if (!s)
		sl_track_no_memory();
	sl_watchdog_ensure();
}

unsigned long sl_untracked_socks;

/* Our tables could not grow (mmap failed: RLIMIT_AS, a memory cgroup at its limit): the socket
 * goes untracked, the program is not affected. Said once on stderr, counted in the exit
 * record; tracking resumes by itself when memory comes back. */
void sl_track_no_memory(void)
{
	static int said;
	static const char msg[] = "sockleak: no memory for its socket tables: sockets opened "
				  "meanwhile are not tracked (the program is not affected)\n";

	int saved = errno;

	__atomic_add_fetch(&sl_untracked_socks, 1, __ATOMIC_RELAXED);
	if (!__atomic_exchange_n(&said, 1, __ATOMIC_RELAXED))
		sl_log_text(msg, sizeof(msg) - 1);
	errno = saved;
}

/* socket() and accept() take no identity (no fstat): a connection that closes before the next
 * scan costs no syscall of ours (docs/performance.md). */
void sl_track_socket(int fd, int domain, int type, int protocol, uintptr_t ret)
{
	/* errno: as sl_track_accept. */
	if (fd < 0 || !sl_enter())
		return;
	sl_init();
	type &= ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
	if ((domain == AF_INET || domain == AF_INET6) && type == SOCK_STREAM &&
	    (protocol == 0 || protocol == IPPROTO_TCP)) {
		sl_track_new(fd, domain, SL_ROLE_OTHER, 0, 0,
			     sl_stack_capture_at(ret, (uintptr_t)__builtin_frame_address(0)), 0, -1,
			     NULL);
	} else {
		sl_forget_stale(fd);
	}
	sl_leave();
}

/* No errno saved here: this path touches none (the clock is the vDSO's, the lock a futex);
 * the calls that may (a getsockopt, an unwind, starting the watchdog, keepalive) keep the
 * program's errno themselves. */
void sl_track_accept(int listen_fd, int fd, uintptr_t ret)
{
	int family = 0;
	struct sl_sock *l;

	if (fd < 0 || !sl_enter())
		return;
	sl_init();
	l = sl_fd_lookup(listen_fd);
	if (l) {
		family = l->family; /* set before the record was published, never changed */
	} else {
		int saved = errno;

		if (!sl_fd_is_tcp(fd, &family))
			family = 0;
		errno = saved;
	}
	if (family) {
		sl_track_new(fd, family, SL_ROLE_ACCEPTED, 0, 0,
			     sl_stack_capture_at(ret, (uintptr_t)__builtin_frame_address(0)), 0,
			     listen_fd, l);
		if (sl_opt.keepalive_idle_s)
			sl_keepalive(fd);
	} else {
		sl_forget_stale(fd);
	}
	sl_leave();
}

void sl_track_connect(int fd)
{
	struct sl_sock *s = sl_fd_lookup(fd);

	if (!s || !sl_enter())
		return;
	sl_lock();
	if (sl_fd_lookup(fd) == s) {
		if (s->role == SL_ROLE_OTHER)
			s->role = SL_ROLE_CONNECTED;
		if (s->ep == SL_EP_DEAD)
			s->ep = 0; /* a failed connect reset it; a new one may succeed: watch again */
	}
	sl_unlock();
	if (sl_opt.keepalive_idle_s)
		sl_keepalive(fd);
	sl_leave();
}

void sl_track_eof(int fd, struct sl_sock *s, uint32_t gen, uintptr_t ret)
{
	int saved = errno;
	uint32_t stack;

	/* Repeated EOF reads (level-triggered loops) cost only this check. The fd is not
	 * re-verified here (that would be a syscall per connection): a stale entry can only mark
	 * a record nobody reports, since the watchdog checks the inode before any report. */
	if (__atomic_load_n(&s->eof_ms, __ATOMIC_RELAXED) || !sl_enter())
		return;
	stack = sl_stack_capture_at(ret, (uintptr_t)__builtin_frame_address(0));
	sl_lock();
	if (sl_fd_lookup(fd) == s && s->gen == gen && !s->eof_ms) {
		__atomic_store_n(&s->eof_ms, sl_mono_ms(), __ATOMIC_RELAXED);
		s->eof_stack = stack;
	}
	sl_unlock();
	sl_watchdog_ensure(); /* a forked child's first transition */
	sl_leave();
	/* Outside sl_enter: the interpreter's hook calls the library back. */
	if (SL_UNLIKELY(__atomic_load_n(&sl_lang_eof_on, __ATOMIC_RELAXED)))
		sl_lang_eof(fd, ret);
	errno = saved;
}

void sl_track_shutdown(int fd, int how)
{
	struct sl_sock *s = sl_fd_lookup(fd);

	if (!s || (how != SHUT_WR && how != SHUT_RDWR) || !sl_enter())
		return;
	sl_lock();
	if (sl_fd_lookup(fd) == s)
		s->flags |= SL_F_FIN_SENT;
	sl_unlock();
	sl_leave();
}

/* Under sl_lock, which it releases: the close of a descriptor shared with another, of a
 * socket already reported, or by an interpreter's finaliser, which writes a record. ret: the
 * program's call site (0: unknown), whose stack comes from the stack cache as accept's does
 * (a fork-per-connection server's parent closes its copy of every connection here: an unwind
 * each was ~20,000 instructions a record with the linked-in unwinder). */
static __attribute__((noinline)) void sl_track_close_rec(int fd, struct sl_sock *s, int by_runtime,
							 uintptr_t ret)
{
	struct sl_leak_info gc;
	int saved = errno, nfds = 0, fds[SL_FDS_MAX], npids = 0, gc_closed = 0, may_share;
	pid_t pids[SL_SHARED_MAX];
	uint64_t inode, now, leak_from, reported_ms;
	enum sl_kind kind;
	struct sl_facts f;

	if (s->nfds)
		s->nfds--;
	if (s->nfds) {
		nfds = sl_sock_fds(s, fds, SL_FDS_MAX);
		if (s->fd == fd)
			s->fd = nfds ? fds[0] : -1;
	}
	f = sl_sock_facts(s);
	inode = s->inode;
	kind = (enum sl_kind)s->kind;
	reported_ms = s->open_ms + s->reported_after;
	leak_from = sl_policy_leak_from(&f, kind);
	npids = s->nshared;
	if (npids)
		memcpy(pids, s->shared, sizeof(pids));
	/* The last descriptor, closed by an interpreter's finaliser (langstack.c). */
	if (SL_UNLIKELY(by_runtime) && !s->nfds)
		gc_closed = sl_lang_gc_leak(s, fd, &gc);
	if (!s->nfds)
		sl_sock_free(s);
	sl_unlock();
	if (gc_closed) {
		/* A socket that never lived through a scan: its identity, from the descriptor
		 * the finaliser is about to close. */
		if (!gc.inode)
			gc.inode = sl_fd_inode(fd);
		sl_watchdog_gc_closed(&gc, fd);
	}

	/* Sharing takes the identity (sl_track_dup, fork); a record can miss it only when
	 * another thread shared it meanwhile. The descriptor is still open here: ask it. Only
	 * processes that really still hold it are named: a child that exited, or closed its
	 * copy, does not keep the FIN from going out. Both only for a socket whose close while
	 * held elsewhere writes close_shared (a connection: sl_policy_close). */
	may_share = sl_policy_close(&f, 1) == SL_CLOSE_SHARED;
	if (!inode && may_share && (nfds || npids))
		inode = sl_fd_inode(fd);
	if (npids && may_share)
		npids = sl_holders_alive(inode, pids, npids);
	switch (sl_policy_close(&f, nfds + npids)) {
	case SL_CLOSE_SHARED:
		sl_rec_close_shared(
			fd, inode, fds, nfds, pids, npids,
			ret ? sl_stack_capture_at(ret, (uintptr_t)__builtin_frame_address(0))
			    : sl_stack_capture());
		break;
	case SL_CLOSE_LATE:
		now = sl_mono_ms();
		sl_rec_late_close(fd, inode, kind, now - reported_ms,
				  leak_from ? now - leak_from : 0, by_runtime, sl_stack_capture());
		break;
	case SL_CLOSE_NOTHING:
		break;
	}
	errno = saved;
}

void sl_track_close(int fd) { sl_track_close_from(fd, 0); }

/* noinline: not split in two for sl_track_close's sake, which would cost close() of every
 * connection a second call. */
__attribute__((noinline)) void sl_track_close_from(int fd, uintptr_t ret)
{
	struct sl_sock *s;
	int by_runtime = 0;

	if (!sl_enter())
		return;
	/* Is an interpreter's finaliser closing it (langstack.c)? Asked before sl_lock: for Perl
	 * it unwinds. One compare for every other program. */
	if (SL_UNLIKELY(__atomic_load_n(&sl_lang_gc_on, __ATOMIC_RELAXED)) && ret) {
		int saved = errno;

		by_runtime = sl_lang_gc_close(fd, ret);
		errno = saved;
	}
	sl_lock();
	s = sl_fd_clear(fd);
	/* The common close: the socket's only descriptor, never shared with another process,
	 * never reported, not a finaliser's. Nothing to write: the record goes back, identity or
	 * not. Nothing here touches errno. */
	if (SL_LIKELY(!s || (s->nfds <= 1 && !s->nshared && !(s->flags & SL_F_REPORTED) &&
			     !by_runtime))) {
		if (s)
			sl_sock_free(s);
		sl_unlock();
	} else {
		sl_track_close_rec(fd, s, by_runtime, ret);
	}
	sl_watchdog_ensure(); /* a forked worker's first call: closing the listener, say */
	sl_leave();
}

void sl_track_dup(int oldfd, int newfd)
{
	int saved = errno;
	struct sl_sock *s;
	uint64_t inode = 0;
	uint32_t gen = 0;

	if (oldfd == newfd || (!sl_fd_lookup(oldfd) && !sl_fd_lookup(newfd)) || !sl_enter())
		return;
	/* Shared now: its identity is taken at this moment (docs/sharing.md), from the new
	 * descriptor, which names the same socket as oldfd's record. */
	sl_lock();
	s = sl_fd_lookup(oldfd);
	if (s && !s->inode) {
		gen = s->gen;
		sl_unlock();
		inode = sl_fd_inode(newfd);
		sl_lock();
	}
	sl_fd_drop_stale(newfd);
	s = sl_fd_lookup(oldfd);
	if (s && inode)
		sl_fd_identify(oldfd, gen, inode);
	if (s && !sl_fd_set(newfd, s))
		s->nfds++;
	sl_unlock();
	sl_watchdog_ensure(); /* a forked worker's first call: dup2() onto 0, inetd style */
	sl_leave();
	errno = saved;
}

int sl_track_adopt(int fd, enum sl_role role, int inherited)
{
	int family = 0, saved = errno;
	uint64_t inode;

	if (!sl_fd_is_tcp(fd, &family) || (inode = sl_fd_inode(fd)) == 0) {
		errno = saved;
		return 0;
	}
	int listening = 0;
	socklen_t len = sizeof(listening);

	sl_track_new(fd, family, role, inode, inherited, inherited ? 0 : sl_stack_capture(), 1, -1,
		     NULL);
	/* An inherited listener (socket activation) is never a leak nor idle. */
	if (!getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) && listening) {
		struct sl_sock *s;

		sl_lock();
		s = sl_fd_lookup(fd);
		if (s)
			s->flags |= SL_F_LISTEN;
		sl_unlock();
	}
	errno = saved;
	return 1;
}

void sl_track_received(int fd)
{
	int saved = errno;

	if (fd < 0 || !sl_enter())
		return;
	sl_init();
	/* Perhaps one of ours, sent to ourselves: joined to its record by inode, so records that
	 * have no identity yet take it now (once each: amortised, one fstat per socket at most,
	 * as when it was taken at accept). */
	if (__atomic_load_n(&sl_lazy, __ATOMIC_RELAXED))
		sl_fd_identify_all();
	if (!sl_track_adopt(fd, SL_ROLE_RECEIVED, 0))
		sl_forget_stale(fd);
	sl_leave();
	errno = saved;
}

void sl_track_close_range(unsigned first, unsigned last)
{
	unsigned used = __atomic_load_n(&sl_fd_chunks_used, __ATOMIC_RELAXED);

	if (!used)
		return;
	if (last >= (used << SL_FD_SHIFT))
		last = (used << SL_FD_SHIFT) - 1;
	for (unsigned c = first >> SL_FD_SHIFT; first <= last && c <= (last >> SL_FD_SHIFT); c++) {
		struct sl_sock **chunk = __atomic_load_n(&sl_fd_chunks[c], __ATOMIC_ACQUIRE);
		unsigned lo = c << SL_FD_SHIFT, hi = lo + SL_FD_CHUNK - 1;

		if (!chunk)
			continue;
		if (lo < first)
			lo = first;
		if (hi > last)
			hi = last;
		for (unsigned fd = lo; fd <= hi; fd++)
			if (__atomic_load_n(&chunk[fd & (SL_FD_CHUNK - 1)], __ATOMIC_ACQUIRE))
				sl_track_close((int)fd);
	}
}

static int sl_adopt_one(int dirfd, const char *name, void *ctx)
{
	int fd = 0;

	(void)ctx;
	for (const char *p = name; *p >= '0' && *p <= '9'; p++)
		fd = fd * 10 + (*p - '0');
	/* Skip our own descriptors, and sockets our wrappers already track: another library's
	 * constructor may have made them before ours ran. */
	if (fd != dirfd && !sl_is_own_fd(fd) && !sl_fd_lookup(fd) &&
	    sl_track_adopt(fd, SL_ROLE_INHERITED, 1)) {
		struct sl_sock *s;

		/* Whoever exec'd us may still hold it too: the parent is the candidate, verified
		 * before it is ever named (sl_holders_alive). */
		sl_lock();
		s = sl_fd_lookup(fd);
		if (s)
			sl_sock_add_shared(s, getppid());
		sl_unlock();
	}
	return 0;
}

void sl_adopt_inherited(void)
{
	sl_self_pid = (pid_t)syscall(SYS_getpid);
	sl_each_fd(0, sl_adopt_one, NULL);
}
