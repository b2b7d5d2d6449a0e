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

_Static_assert(offsetof(struct sl_real, read) == SL_REAL_READ, "hot.h");
_Static_assert(offsetof(struct sl_real, read_chk) == SL_REAL_READ_CHK, "hot.h");
_Static_assert(offsetof(struct sl_real, recv) == SL_REAL_RECV, "hot.h");
_Static_assert(offsetof(struct sl_real, recv_chk) == SL_REAL_RECV_CHK, "hot.h");
_Static_assert(offsetof(struct sl_real, recvfrom) == SL_REAL_RECVFROM, "hot.h");
_Static_assert(offsetof(struct sl_real, write) == SL_REAL_WRITE, "hot.h");
_Static_assert(offsetof(struct sl_real, writev) == SL_REAL_WRITEV, "hot.h");
_Static_assert(offsetof(struct sl_real, send) == SL_REAL_SEND, "hot.h");
_Static_assert(offsetof(struct sl_real, sendto) == SL_REAL_SENDTO, "hot.h");
_Static_assert(offsetof(struct sl_real, sendmsg) == SL_REAL_SENDMSG, "hot.h");
_Static_assert(offsetof(struct sl_real, close) == SL_REAL_CLOSE, "hot.h");
_Static_assert(offsetof(struct sl_sock, last_io_ms) == SL_SOCK_LAST_IO, "hot.h");
_Static_assert(SL_FD_SHIFT == SL_HOT_FD_SHIFT, "hot.h");

/* The I/O functions' slots start out as stubs that bind and forward, so the wrappers call
 * through them with no "bound yet?" test; a symbol dlsym cannot find keeps its stub, which
 * then makes the raw system call. */
static void *sl_real_hot(void **slot, void *stub)
{
	void *p;

	sl_real_bind();
	p = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
	return p == stub ? NULL : p;
}

#define SL_STUB(name, ret, params, args, fallback) \
	static ret sl_stub_##name params \
	{ \
		ret(*f_) params = sl_real_hot((void **)&sl_real.name, (void *)sl_stub_##name); \
		return f_ ? f_ args : (ret)(fallback); \
	}

SL_STUB(read, ssize_t, (int fd, void *b, size_t n), (fd, b, n), syscall(SYS_read, fd, b, n))
SL_STUB(read_chk, ssize_t, (int fd, void *b, size_t n, size_t bl), (fd, b, n, bl),
	syscall(SYS_read, fd, b, n))
SL_STUB(recv, ssize_t, (int fd, void *b, size_t n, int fl), (fd, b, n, fl),
	syscall(SYS_recvfrom, fd, b, n, fl, NULL, NULL))
SL_STUB(recv_chk, ssize_t, (int fd, void *b, size_t n, size_t bl, int fl), (fd, b, n, bl, fl),
	syscall(SYS_recvfrom, fd, b, n, fl, NULL, NULL))
SL_STUB(recvfrom, ssize_t,
	(int fd, void *b, size_t n, int fl, struct sockaddr *sa, socklen_t *sl),
	(fd, b, n, fl, sa, sl), syscall(SYS_recvfrom, fd, b, n, fl, sa, sl))
SL_STUB(write, ssize_t, (int fd, const void *b, size_t n), (fd, b, n),
	syscall(SYS_write, fd, b, n))
SL_STUB(writev, ssize_t, (int fd, const struct iovec *v, int c), (fd, v, c),
	syscall(SYS_writev, fd, v, c))
SL_STUB(send, ssize_t, (int fd, const void *b, size_t n, int fl), (fd, b, n, fl),
	syscall(SYS_sendto, fd, b, n, fl, NULL, 0))
SL_STUB(sendto, ssize_t,
	(int fd, const void *b, size_t n, int fl, const struct sockaddr *sa, socklen_t sl),
	(fd, b, n, fl, sa, sl), syscall(SYS_sendto, fd, b, n, fl, sa, sl))
SL_STUB(sendmsg, ssize_t, (int fd, const struct msghdr *m, int fl), (fd, m, fl),
	syscall(SYS_sendmsg, fd, m, fl))
SL_STUB(close, int, (int fd), (fd), syscall(SYS_close, fd))

struct sl_real sl_real = {
	.read = sl_stub_read,
	.read_chk = sl_stub_read_chk,
	.recv = sl_stub_recv,
	.recv_chk = sl_stub_recv_chk,
	.recvfrom = sl_stub_recvfrom,
	.write = sl_stub_write,
	.writev = sl_stub_writev,
	.send = sl_stub_send,
	.sendto = sl_stub_sendto,
	.sendmsg = sl_stub_sendmsg,
	.close = sl_stub_close,
};

static pthread_once_t sl_bind_once = PTHREAD_ONCE_INIT;
static SL_TLS int sl_binding;

#define SL_BIND(field, sym) \
	do { \
		void *p_ = dlsym(RTLD_NEXT, sym); \
		__atomic_store_n((void **)&sl_real.field, p_, __ATOMIC_RELEASE); \
	} while (0)
/* A slot that holds a stub keeps it when the symbol is missing. */
#define SL_BIND_HOT(field, sym) \
	do { \
		void *p_ = dlsym(RTLD_NEXT, sym); \
		if (p_) \
			__atomic_store_n((void **)&sl_real.field, p_, __ATOMIC_RELEASE); \
	} while (0)

static void sl_bind_all(void)
{
	/* Order matters only for the calls dlsym itself may make: read/close first. */
	SL_BIND_HOT(read, "read");
	SL_BIND_HOT(close, "close");
	SL_BIND_HOT(write, "write");
	SL_BIND_HOT(read_chk, "__read_chk");
	SL_BIND(readv, "readv");
	SL_BIND_HOT(recv, "recv");
	SL_BIND_HOT(recv_chk, "__recv_chk");
	SL_BIND_HOT(recvfrom, "recvfrom");
	SL_BIND(recvfrom_chk, "__recvfrom_chk");
	SL_BIND(recvmsg, "recvmsg");
	SL_BIND_HOT(writev, "writev");
	SL_BIND_HOT(send, "send");
	SL_BIND_HOT(sendto, "sendto");
	SL_BIND_HOT(sendmsg, "sendmsg");
	SL_BIND(socket, "socket");
	SL_BIND(socketpair, "socketpair");
	SL_BIND(accept, "accept");
	SL_BIND(accept4, "accept4");
	SL_BIND(connect, "connect");
	SL_BIND(shutdown, "shutdown");
	SL_BIND(dup, "dup");
	SL_BIND(dup2, "dup2");
	SL_BIND(dup3, "dup3");
	SL_BIND(fcntl, "fcntl");
	SL_BIND(close_range, "close_range");
	SL_BIND(closefrom, "closefrom");
	SL_BIND(fork, "fork");
	SL_BIND(vfork, "vfork");
	SL_BIND(execve, "execve");
	SL_BIND(execvpe, "execvpe");
	SL_BIND(fexecve, "fexecve");
	SL_BIND(posix_spawn, "posix_spawn");
	SL_BIND(posix_spawnp, "posix_spawnp");
	SL_BIND(setuid, "setuid");
	SL_BIND(setgid, "setgid");
	SL_BIND(seteuid, "seteuid");
	SL_BIND(setegid, "setegid");
	SL_BIND(setreuid, "setreuid");
	SL_BIND(setregid, "setregid");
	SL_BIND(setresuid, "setresuid");
	SL_BIND(setresgid, "setresgid");
	SL_BIND(setgroups, "setgroups");
	SL_BIND(initgroups, "initgroups");
	SL_BIND(pipe, "pipe");
	SL_BIND(pipe2, "pipe2");
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
