/* The exported wrappers (the list, with their prototypes: interposed.h): each calls the real libc function, then (or, for close, before) hands
 * the facts to track.c. Nothing here may change what the program sees: the return value and
 * errno are libc's. The plain I/O path (read/recv/write/send on any fd) is a table lookup and
 * a branch; see bench/ for the instruction counts. */
#include "epwatch.h"
#include "fdtable.h"
#include "forks.h"
#include "hot.h"
#include "log.h"
#include "real.h"
#include "sockets.h"
#include "stack.h"
#include "track.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/close_range.h>
#include <stdarg.h>
#include <sys/syscall.h>
#include <unistd.h>

extern char **environ;

/* A read of want>0 bytes that returned 0 is the peer's FIN. A macro, so that the return
 * address is the exported wrapper's (the program's call site). The lookup comes after the call:
 * checking the table first would let untracked descriptors tail-call libc, but measured with
 * callgrind it made tracked sockets, the case that matters for servers, ~20 instructions
 * dearer (a helper frame), for ~5 saved on files and pipes. */
#define sl_after_read(fd, r, want) \
	do { \
		struct sl_sock *s_ = sl_fd_lookup(fd); \
		if (SL_UNLIKELY(s_ != NULL)) { \
			sl_sock_touch(s_); \
			if (SL_UNLIKELY((r) == 0) && (want)) \
				sl_track_eof((fd), s_, s_->gen, \
					     (uintptr_t)__builtin_return_address(0)); \
		} \
	} while (0)

static int sl_iov_want(const struct iovec *iov, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (iov[i].iov_len)
			return 1;
	return 0;
}

#ifdef SL_HOT_ASM
/* The assembly read wrappers' EOF: a read of n > 0 bytes returned 0 on what was a tracked
 * socket when the call began. ret is the program's call site. Returns the 0 to return. */
long sl_hot_eof(int fd, uintptr_t ret);

long sl_hot_eof(int fd, uintptr_t ret)
{
	struct sl_sock *s = sl_fd_lookup(fd);

	if (s)
		sl_track_eof(fd, s, s->gen, ret);
	return 0;
}
#endif

/* ---- reads ---- */

#ifndef SL_HOT_ASM /* else hot_x86_64.S */
SL_EXPORT ssize_t read(int fd, void *buf, size_t n)
{
	ssize_t r = SL_CALL(read, syscall(SYS_read, fd, buf, n), fd, buf, n);

	sl_after_read(fd, r, n != 0);
	return r;
}

SL_EXPORT ssize_t __read_chk(int fd, void *buf, size_t n, size_t buflen)
{
	ssize_t r = SL_CALL(read_chk, syscall(SYS_read, fd, buf, n), fd, buf, n, buflen);

	sl_after_read(fd, r, n != 0);
	return r;
}
#endif

SL_EXPORT ssize_t readv(int fd, const struct iovec *iov, int cnt)
{
	ssize_t r = SL_CALL(readv, syscall(SYS_readv, fd, iov, cnt), fd, iov, cnt);

	sl_after_read(fd, r, r == 0 && cnt > 0 && sl_iov_want(iov, (size_t)cnt));
	return r;
}

#ifndef SL_HOT_ASM /* else hot_x86_64.S */
SL_EXPORT ssize_t recv(int fd, void *buf, size_t n, int flags)
{
	ssize_t r = SL_CALL(recv, syscall(SYS_recvfrom, fd, buf, n, flags, NULL, NULL), fd, buf, n,
			    flags);

	sl_after_read(fd, r, n != 0);
	return r;
}

SL_EXPORT ssize_t __recv_chk(int fd, void *buf, size_t n, size_t buflen, int flags)
{
	ssize_t r = SL_CALL(recv_chk, syscall(SYS_recvfrom, fd, buf, n, flags, NULL, NULL), fd, buf,
			    n, buflen, flags);

	sl_after_read(fd, r, n != 0);
	return r;
}

SL_EXPORT ssize_t recvfrom(int fd, void *buf, size_t n, int flags, struct sockaddr *sa,
			   socklen_t *salen)
{
	ssize_t r = SL_CALL(recvfrom, syscall(SYS_recvfrom, fd, buf, n, flags, sa, salen), fd, buf,
			    n, flags, sa, salen);

	sl_after_read(fd, r, n != 0);
	return r;
}
#endif

SL_EXPORT ssize_t __recvfrom_chk(int fd, void *buf, size_t n, size_t buflen, int flags,
				 struct sockaddr *sa, socklen_t *salen)
{
	ssize_t r = SL_CALL(recvfrom_chk, syscall(SYS_recvfrom, fd, buf, n, flags, sa, salen), fd,
			    buf, n, buflen, flags, sa, salen);

	sl_after_read(fd, r, n != 0);
	return r;
}

/* Descriptors received with SCM_RIGHTS are sockets that came in through a side door. */
static void sl_after_recvmsg(const struct msghdr *msg)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR((struct msghdr *)msg); c;
	     c = CMSG_NXTHDR((struct msghdr *)msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		const int *fds = (const int *)(const void *)CMSG_DATA(c);

		for (size_t i = 0; i < n; i++)
			sl_track_received(fds[i]);
	}
}

SL_EXPORT ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	ssize_t r = SL_CALL(recvmsg, syscall(SYS_recvmsg, fd, msg, flags), fd, msg, flags);

	if (r >= 0 && msg && msg->msg_controllen)
		sl_after_recvmsg(msg);
	sl_after_read(fd, r, r == 0 && msg && sl_iov_want(msg->msg_iov, msg->msg_iovlen));
	return r;
}

/* ---- writes: the libc function, through its slot (node's first write takes a stack: handler.c);
 * when the connection last carried data the watchdog asks the kernel (sl_still_leaked) ---- */

#ifndef SL_HOT_ASM /* else hot_x86_64.S */
SL_EXPORT ssize_t write(int fd, const void *buf, size_t n)
{
	return SL_CALL(write, syscall(SYS_write, fd, buf, n), fd, buf, n);
}

SL_EXPORT ssize_t writev(int fd, const struct iovec *iov, int cnt)
{
	return SL_CALL(writev, syscall(SYS_writev, fd, iov, cnt), fd, iov, cnt);
}

SL_EXPORT ssize_t send(int fd, const void *buf, size_t n, int flags)
{
	return SL_CALL(send, syscall(SYS_sendto, fd, buf, n, flags, NULL, 0), fd, buf, n, flags);
}

SL_EXPORT ssize_t sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr *sa,
			 socklen_t salen)
{
	return SL_CALL(sendto, syscall(SYS_sendto, fd, buf, n, flags, sa, salen), fd, buf, n, flags,
		       sa, salen);
}

SL_EXPORT ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	return SL_CALL(sendmsg, syscall(SYS_sendmsg, fd, msg, flags), fd, msg, flags);
}
#endif

/* ---- creation ---- */

SL_EXPORT int socket(int domain, int type, int protocol)
{
	int r = SL_CALL(socket, (int)syscall(SYS_socket, domain, type, protocol), domain, type,
			protocol);

	if (r >= 0)
		sl_track_socket(r, domain, type, protocol, (uintptr_t)__builtin_return_address(0));
	return r;
}

SL_EXPORT int socketpair(int domain, int type, int protocol, int sv[2])
{
	int r = SL_CALL(socketpair, (int)syscall(SYS_socketpair, domain, type, protocol, sv),
			domain, type, protocol, sv);

	if (r == 0) {
		sl_track_forget(sv[0]);
		sl_track_forget(sv[1]);
	}
	return r;
}

SL_EXPORT int accept(int fd, struct sockaddr *sa, socklen_t *salen)
{
	int r = SL_CALL(accept, (int)syscall(SYS_accept, fd, sa, salen), fd, sa, salen);

	if (r >= 0)
		sl_track_accept(fd, r, (uintptr_t)__builtin_return_address(0));
	return r;
}

SL_EXPORT int accept4(int fd, struct sockaddr *sa, socklen_t *salen, int flags)
{
	int r = SL_CALL(accept4, (int)syscall(SYS_accept4, fd, sa, salen, flags), fd, sa, salen,
			flags);

	if (r >= 0)
		sl_track_accept(fd, r, (uintptr_t)__builtin_return_address(0));
	return r;
}

SL_EXPORT int connect(int fd, const struct sockaddr *sa, socklen_t salen)
{
	int r = SL_CALL(connect, (int)syscall(SYS_connect, fd, sa, salen), fd, sa, salen);

	if (r == 0 || errno == EINPROGRESS)
		sl_track_connect(fd);
	return r;
}

/* ---- release ---- */

#ifdef SL_HOT_ASM
/* close() is hot_x86_64.S, which comes here for a number in the range of our own
 * descriptors, or from 4096 up. */
int sl_close_slow(int fd);

int sl_close_slow(int fd)
#else
SL_EXPORT int close(int fd)
#endif
{
	/* Our descriptors survive programs that close everything. The program never opened
	 * that number, so it gets what libc would say of a number that is not open. */
	if (SL_UNLIKELY(sl_is_own_fd(fd)) && !sl_busy) {
		errno = EBADF;
		return -1;
	}
	if (sl_fd_lookup(fd))
		sl_track_close_from(fd, (uintptr_t)__builtin_return_address(0));
	return SL_CALL(close, (int)syscall(SYS_close, fd), fd);
}

SL_EXPORT int __close(int fd) { return close(fd); }

/* Only for libunwind's pipe, opened while a thread initialises libunwind at the process's
 * first stack (stack.c): moved high and protected like our other descriptors. */
SL_EXPORT int pipe2(int fds[2], int flags)
{
	int r = SL_CALL(pipe2, (int)syscall(SYS_pipe2, fds, flags), fds, flags);

	if (SL_UNLIKELY(r == 0 && sl_stack_loading()))
		sl_stack_own_pipe(fds);
	return r;
}

SL_EXPORT int pipe(int fds[2])
{
	int r = SL_CALL(pipe, (int)syscall(SYS_pipe2, fds, 0), fds);

	if (SL_UNLIKELY(r == 0 && sl_stack_loading()))
		sl_stack_own_pipe(fds);
	return r;
}

SL_EXPORT int shutdown(int fd, int how)
{
	int r = SL_CALL(shutdown, (int)syscall(SYS_shutdown, fd, how), fd, how);

	if (r == 0)
		sl_track_shutdown(fd, how);
	return r;
}

/* close_range/closefrom: tell track.c about every tracked fd in the range, and cut our own
 * descriptor out of it. */
static int sl_close_range(unsigned first, unsigned last, int flags)
{
	unsigned lo = first;
	int r = 0, omax = sl_own_fd_max();

	if (first > last || sl_busy)
		return SL_CALL(close_range, (int)syscall(SYS_close_range, first, last, flags),
			       first, last, flags);
	if (!(flags & CLOSE_RANGE_CLOEXEC))
		sl_track_close_range(first, last);
	/* Close the gaps between our own descriptors (the log, libunwind's pipe, the netlink
	 * socket: a handful, all near one number), never the descriptors themselves. */
	for (unsigned fd = first; r == 0; fd++) {
		int own = fd <= last && fd < SL_FD_LIMIT && sl_is_own_fd((int)fd);

		if (own || fd > last || fd >= SL_FD_LIMIT) {
			if (fd > lo)
				r = SL_CALL(close_range,
					    (int)syscall(SYS_close_range, lo, fd - 1, flags), lo,
					    fd - 1, flags);
			if (fd > last || fd >= SL_FD_LIMIT) {
				if (r == 0 && fd <= last)
					r = SL_CALL(close_range,
						    (int)syscall(SYS_close_range, fd, last, flags),
						    fd, last, flags);
				break;
			}
			lo = fd + 1;
		} else if (omax < 0 || fd >= (unsigned)omax) {
			/* Nothing of ours above: one call for the rest. */
			r = SL_CALL(close_range, (int)syscall(SYS_close_range, lo, last, flags), lo,
				    last, flags);
			break;
		}
	}
	return r;
}

SL_EXPORT int close_range(unsigned first, unsigned last, int flags)
{
	return sl_close_range(first, last, flags);
}

SL_EXPORT void closefrom(int lowfd)
{
	int saved = errno;

	if (lowfd < 0)
		lowfd = 0;
	if (sl_close_range((unsigned)lowfd, ~0u, 0) == 0) {
		errno = saved;
		return;
	}
	/* No close_range in this kernel: libc falls back to /proc/self/fd. Our log is then
	 * re-verified before its next write. */
	errno = saved;
	SL_CALL(closefrom, (void)0, lowfd);
}

/* ---- duplication ---- */

SL_EXPORT int dup(int fd)
{
	int r = SL_CALL(dup, (int)syscall(SYS_dup, fd), fd);

	if (r >= 0)
		sl_track_dup(fd, r);
	return r;
}

/* dup2/dup3 onto a tracked fd close it implicitly; onto our log, move the log away first. */
static void sl_before_dup_onto(int oldfd, int newfd)
{
	/* A vfork child's dup2(x, 1) must not move the parent's log. */
	if (SL_UNLIKELY(__atomic_load_n(&sl_vfork_pending, __ATOMIC_RELAXED) & SL_VFORK_COUNT) &&
	    sl_vfork_child())
		return;
	if (SL_UNLIKELY(sl_log_owns_fd(newfd)) && !sl_busy)
		sl_log_evict(newfd);
	if (SL_UNLIKELY(sl_ep_owns_fd(newfd)) && !sl_busy)
		sl_ep_forget();
	if (oldfd != newfd && sl_fd_lookup(newfd) && syscall(SYS_fcntl, oldfd, F_GETFD) >= 0)
		sl_track_close(newfd);
}

SL_EXPORT int dup2(int oldfd, int newfd)
{
	int r;

	sl_before_dup_onto(oldfd, newfd);
	r = SL_CALL(dup2, (int)syscall(SYS_dup2, oldfd, newfd), oldfd, newfd);
	if (r >= 0)
		sl_track_dup(oldfd, r);
	return r;
}

SL_EXPORT int dup3(int oldfd, int newfd, int flags)
{
	int r;

	sl_before_dup_onto(oldfd, newfd);
	r = SL_CALL(dup3, (int)syscall(SYS_dup3, oldfd, newfd, flags), oldfd, newfd, flags);
	if (r >= 0)
		sl_track_dup(oldfd, r);
	return r;
}

/* fcntl's third argument is an int or a pointer depending on cmd; like libc, pass it on as a
 * pointer-sized value, which is correct for both in the x86-64 and aarch64 calling conventions. */
static int sl_fcntl(int fd, int cmd, void *arg)
{
	int r = SL_CALL(fcntl, (int)syscall(SYS_fcntl, fd, cmd, arg), fd, cmd, arg);

	if (r >= 0 && (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC))
		sl_track_dup(fd, r);
	return r;
}

SL_EXPORT int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	return sl_fcntl(fd, cmd, arg);
}

SL_EXPORT int fcntl64(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	return sl_fcntl(fd, cmd, arg);
}

/* ---- processes ---- */

/* The child returns here: with its atfork handler's code (SL_FORK_CODE). */
SL_FORK_CODE SL_EXPORT pid_t fork(void)
{
	int saved = errno;
	uint32_t stack = sl_busy ? 0 : sl_fork_before();
	pid_t p;

	errno = saved;
	p = SL_CALL(fork, (pid_t)SL_NOSYS);
	if (p > 0)
		sl_fork_parent(p, stack);
	return p;
}

/* vfork: the child runs on our memory until it execs or exits, so it must find every slow path
 * closed (sl_enter, the exec wrappers) instead of taking our locks and changing our tables. The
 * wrapper cannot be C (a C frame returned from twice is undefined): it counts the vfork as
 * pending, then jumps to libc's vfork so that both returns go straight to the caller. The
 * child's exec wrapper uncounts it. */
void *sl_vfork_target(void);
extern void **const sl_real_vfork_slot;
__attribute__((used)) void **const sl_real_vfork_slot = (void **)&sl_real.vfork;

void *sl_vfork_target(void)
{
	void *f = sl_real_slow((void **)&sl_real.vfork);

	return f ? f : (void *)sl_real_slow((void **)&sl_real.fork);
}

#if defined(__x86_64__)
__asm__(".text\n"
	".globl vfork\n"
	".type vfork, @function\n"
	"vfork:\n"
	"	lock incl sl_vfork_pending(%rip)\n"
	"	movq 0x0+sl_real_vfork_slot(%rip), %rax\n"
	"	movq (%rax), %rax\n"
	"	testq %rax, %rax\n"
	"	jnz 1f\n"
	"	subq $8, %rsp\n"
	"	call sl_vfork_target\n"
	"	addq $8, %rsp\n"
	"1:	jmp *%rax\n"
	".size vfork, .-vfork\n");
#endif

SL_EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
	sl_exec_begin(path, SL_EXEC_FILE, argv, envp);
	return SL_CALL(execve, (int)syscall(SYS_execve, path, argv, envp), path, argv, envp);
}

SL_EXPORT int execv(const char *path, char *const argv[])
{
	sl_exec_begin(path, SL_EXEC_FILE, argv, environ);
	return SL_CALL(execve, (int)syscall(SYS_execve, path, argv, environ), path, argv, environ);
}

SL_EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
	sl_exec_begin(file, SL_EXEC_SEARCH, argv, envp);
	return SL_CALL(execvpe, SL_NOSYS, file, argv, envp);
}

SL_EXPORT int execvp(const char *file, char *const argv[])
{
	sl_exec_begin(file, SL_EXEC_SEARCH, argv, environ);
	return SL_CALL(execvpe, SL_NOSYS, file, argv, environ);
}

SL_EXPORT int fexecve(int fd, char *const argv[], char *const envp[])
{
	sl_exec_begin("(fexecve)", SL_EXEC_FD, argv, envp);
	return SL_CALL(fexecve, SL_NOSYS, fd, argv, envp);
}

/* execl*: the variadic list gathered into an argv sized to it, on our stack, as glibc does:
 * the same stack, and no limit of our own. A fixed array of 4096 pointers took 32 KiB of stack:
 * a thread with a 16 or 32 KiB stack (issue 10) crashed in execl, or had the memory below its
 * stack written over, and 4096 arguments or more were refused with E2BIG. */

/* How many pointers argv needs for arg0 and the rest of ap (its NULL included); 0 when they
 * cannot be counted in an int (glibc's E2BIG). ap itself is left where it is. */
static int sl_execl_argc(const char *arg0, va_list ap)
{
	va_list c;
	int n = 1;

	if (!arg0)
		return 1;
	va_copy(c, ap);
	while (n && va_arg(c, char *))
		n = n < INT_MAX - 1 ? n + 1 : 0;
	va_end(c);
	return n ? n + 1 : 0;
}

/* Declares va_list ap and char *argv[] holding arg0 and the list (E2BIG when it cannot be
 * counted); ap is left after the list's NULL, where execle finds envp. */
#define SL_EXECL_ARGV(argv, arg0) \
	va_list ap; \
	int n_; \
	va_start(ap, arg0); \
	if (!(n_ = sl_execl_argc(arg0, ap))) { \
		va_end(ap); \
		errno = E2BIG; \
		return -1; \
	} \
	char *argv[n_]; \
	argv[0] = (char *)(arg0); \
	for (int i_ = 1; i_ < n_; i_++) \
	argv[i_] = va_arg(ap, char *)

SL_EXPORT int execl(const char *path, const char *arg0, ...)
{
	SL_EXECL_ARGV(argv, arg0);
	va_end(ap);
	return execv(path, argv);
}

SL_EXPORT int execlp(const char *file, const char *arg0, ...)
{
	SL_EXECL_ARGV(argv, arg0);
	va_end(ap);
	return execvp(file, argv);
}

SL_EXPORT int execle(const char *path, const char *arg0, ...)
{
	char *const *envp;

	SL_EXECL_ARGV(argv, arg0);
	envp = va_arg(ap, char *const *);
	va_end(ap);
	return execve(path, argv, envp);
}

SL_EXPORT int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
			  const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	int r;

	r = SL_CALL(posix_spawn, ENOSYS, pid, path, fa, attr, argv, envp);
	if (!r)
		sl_spawn_after(pid ? *pid : 0, path, argv, envp);
	return r;
}

SL_EXPORT int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
			   const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	int r;

	r = SL_CALL(posix_spawnp, ENOSYS, pid, file, fa, attr, argv, envp);
	if (!r)
		sl_spawn_after(pid ? *pid : 0, file, argv, envp);
	return r;
}
