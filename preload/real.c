/* Binding of the real libc functions: once, under pthread_once, never from a constructor that
 * could run before libc is ready. dlsym may call calloc, and a malloc replacement may call
 * read or close, so the binding thread marks itself and any wrapper it re-enters falls back to
 * the raw system call (socket_wrapper and libfaketime learned this the hard way). */
#include "real.h"
#include "sl.h"

#include <dlfcn.h>
#include <pthread.h>

struct sl_real sl_real;

static pthread_once_t sl_bind_once = PTHREAD_ONCE_INIT;
static SL_TLS int sl_binding;

#define SL_BIND(field, sym) \
	do { \
		void *p_ = dlsym(RTLD_NEXT, sym); \
		__atomic_store_n((void **)&sl_real.field, p_, __ATOMIC_RELEASE); \
	} while (0)

static void sl_bind_all(void)
{
	/* Order matters only for the calls dlsym itself may make: read/close first. */
	SL_BIND(read, "read");
	SL_BIND(close, "close");
	SL_BIND(write, "write");
	SL_BIND(read_chk, "__read_chk");
	SL_BIND(readv, "readv");
	SL_BIND(recv, "recv");
	SL_BIND(recv_chk, "__recv_chk");
	SL_BIND(recvfrom, "recvfrom");
	SL_BIND(recvfrom_chk, "__recvfrom_chk");
	SL_BIND(recvmsg, "recvmsg");
	SL_BIND(writev, "writev");
	SL_BIND(send, "send");
	SL_BIND(sendto, "sendto");
	SL_BIND(sendmsg, "sendmsg");
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
