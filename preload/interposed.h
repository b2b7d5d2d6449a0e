/* Every libc function libsockleak.so interposes, listed once. From this list come the table of
 * real functions (struct sl_real, real.h), the binding stubs and the bind list (real.c), the
 * slot offsets and entry points of the assembly (hot_x86_64.S), the prototypes every wrapper
 * is compiled against, and the export check (tests/exports: the list, exports.map, the
 * objects and `nm -D` of the built library must name the same functions, all of them libc's).
 *
 * SL_INTERPOSED(HOT, LIBC, ALSO) expands one of three macros per function, in this order:
 *
 * HOT(field, symbol, ret, params, args, fallback, side): the plain I/O path, which every read
 *   and write of the program passes. On x86-64 its wrapper is assembly (hot_x86_64.S, unless
 *   SL_NO_ASM: then interpose.c's C versions), whose entry macro is SL_HOT_side. Its slot in
 *   sl_real is never NULL: until dlsym ran it holds a stub that binds, then calls libc, or
 *   `fallback` (the raw system call) while binding re-enters.
 * LIBC(field, symbol, ret, params): a wrapper with a slot of its own in sl_real, NULL until
 *   bound; its call sites name their fallback (SL_CALL, real.h).
 * ALSO(symbol, ret, params, via): an exported wrapper with no slot: it calls libc through the
 *   slot `via` (execv through execve, fcntl64 through fcntl) or another wrapper.
 *
 * The slots follow the list's order: the hot ones first, in the table's first two cache lines
 * (read and close first: binding order is list order, and dlsym itself may read and close).
 *
 * No entry names a glibc symbol version: the bind list asks dlsym(RTLD_NEXT) for the default
 * version, the one every program linked today calls, and the version names differ per
 * architecture (GLIBC_2.2.5 on x86-64, GLIBC_2.17 on aarch64). The only function here with two
 * versions in glibc, posix_spawn[p] (2.2.5 and 2.15), differs in nothing a program built after
 * 2012 can reach. */
#ifndef SL_INTERPOSED_H
#define SL_INTERPOSED_H

#define SL_INTERPOSED(HOT, LIBC, ALSO) \
	HOT(read, read, ssize_t, (int fd, void *b, size_t n), (fd, b, n), \
	    syscall(SYS_read, fd, b, n), read) \
	HOT(close, close, int, (int fd), (fd), syscall(SYS_close, fd), close) \
	HOT(write, write, ssize_t, (int fd, const void *b, size_t n), (fd, b, n), \
	    syscall(SYS_write, fd, b, n), write) \
	HOT(read_chk, __read_chk, ssize_t, (int fd, void *b, size_t n, size_t bl), (fd, b, n, bl), \
	    syscall(SYS_read, fd, b, n), read) \
	HOT(recv, recv, ssize_t, (int fd, void *b, size_t n, int fl), (fd, b, n, fl), \
	    syscall(SYS_recvfrom, fd, b, n, fl, NULL, NULL), read) \
	HOT(recv_chk, __recv_chk, ssize_t, (int fd, void *b, size_t n, size_t bl, int fl), \
	    (fd, b, n, bl, fl), syscall(SYS_recvfrom, fd, b, n, fl, NULL, NULL), read) \
	HOT(recvfrom, recvfrom, ssize_t, \
	    (int fd, void *b, size_t n, int fl, struct sockaddr *sa, socklen_t *sl), \
	    (fd, b, n, fl, sa, sl), syscall(SYS_recvfrom, fd, b, n, fl, sa, sl), read) \
	HOT(writev, writev, ssize_t, (int fd, const struct iovec *v, int c), (fd, v, c), \
	    syscall(SYS_writev, fd, v, c), write) \
	HOT(send, send, ssize_t, (int fd, const void *b, size_t n, int fl), (fd, b, n, fl), \
	    syscall(SYS_sendto, fd, b, n, fl, NULL, 0), write) \
	HOT(sendto, sendto, ssize_t, \
	    (int fd, const void *b, size_t n, int fl, const struct sockaddr *sa, socklen_t sl), \
	    (fd, b, n, fl, sa, sl), syscall(SYS_sendto, fd, b, n, fl, sa, sl), write) \
	HOT(sendmsg, sendmsg, ssize_t, (int fd, const struct msghdr *m, int fl), (fd, m, fl), \
	    syscall(SYS_sendmsg, fd, m, fl), write) \
	LIBC(readv, readv, ssize_t, (int, const struct iovec *, int)) \
	LIBC(recvfrom_chk, __recvfrom_chk, ssize_t, \
	     (int, void *, size_t, size_t, int, struct sockaddr *, socklen_t *)) \
	LIBC(recvmsg, recvmsg, ssize_t, (int, struct msghdr *, int)) \
	LIBC(socket, socket, int, (int, int, int)) \
	LIBC(socketpair, socketpair, int, (int, int, int, int[2])) \
	LIBC(accept, accept, int, (int, struct sockaddr *, socklen_t *)) \
	LIBC(accept4, accept4, int, (int, struct sockaddr *, socklen_t *, int)) \
	LIBC(connect, connect, int, (int, const struct sockaddr *, socklen_t)) \
	LIBC(shutdown, shutdown, int, (int, int)) \
	LIBC(dup, dup, int, (int)) \
	LIBC(dup2, dup2, int, (int, int)) \
	LIBC(dup3, dup3, int, (int, int, int)) \
	LIBC(fcntl, fcntl, int, (int, int, ...)) \
	LIBC(close_range, close_range, int, (unsigned, unsigned, int)) \
	LIBC(closefrom, closefrom, void, (int)) \
	LIBC(pipe, pipe, int, (int[2])) \
	LIBC(pipe2, pipe2, int, (int[2], int)) \
	LIBC(fork, fork, pid_t, (void)) \
	LIBC(vfork, vfork, pid_t, (void)) \
	LIBC(execve, execve, int, (const char *, char *const[], char *const[])) \
	LIBC(execvpe, execvpe, int, (const char *, char *const[], char *const[])) \
	LIBC(fexecve, fexecve, int, (int, char *const[], char *const[])) \
	LIBC(posix_spawn, posix_spawn, int, \
	     (pid_t *, const char *, const posix_spawn_file_actions_t *, \
	      const posix_spawnattr_t *, char *const[], char *const[])) \
	LIBC(posix_spawnp, posix_spawnp, int, \
	     (pid_t *, const char *, const posix_spawn_file_actions_t *, \
	      const posix_spawnattr_t *, char *const[], char *const[])) \
	LIBC(setuid, setuid, int, (uid_t)) \
	LIBC(setgid, setgid, int, (gid_t)) \
	LIBC(seteuid, seteuid, int, (uid_t)) \
	LIBC(setegid, setegid, int, (gid_t)) \
	LIBC(setreuid, setreuid, int, (uid_t, uid_t)) \
	LIBC(setregid, setregid, int, (gid_t, gid_t)) \
	LIBC(setresuid, setresuid, int, (uid_t, uid_t, uid_t)) \
	LIBC(setresgid, setresgid, int, (gid_t, gid_t, gid_t)) \
	LIBC(setgroups, setgroups, int, (size_t, const gid_t *)) \
	LIBC(initgroups, initgroups, int, (const char *, gid_t)) \
	ALSO(__close, int, (int), close) \
	ALSO(fcntl64, int, (int, int, ...), fcntl) \
	ALSO(execv, int, (const char *, char *const[]), execve) \
	ALSO(execvp, int, (const char *, char *const[]), execvpe) \
	ALSO(execl, int, (const char *, const char *, ...), execve) \
	ALSO(execlp, int, (const char *, const char *, ...), execvpe) \
	ALSO(execle, int, (const char *, const char *, ...), execve)

/* For the kinds of entry a user of the list leaves out. */
#define SL_INTERPOSED_NONE(...)

#ifndef __ASSEMBLER__
#include <spawn.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

/* Every wrapper is compiled against the list's prototype (and libc's, where a header has one):
 * a wrapper whose parameters drift from its slot's does not build. */
#define SL_INTERPOSED_DECLARE(field, symbol, ret, params, ...) \
	__attribute__((visibility("default"))) ret symbol params;
#define SL_INTERPOSED_DECLARE_ALSO(symbol, ret, params, via) \
	__attribute__((visibility("default"))) ret symbol params;
SL_INTERPOSED(SL_INTERPOSED_DECLARE, SL_INTERPOSED_DECLARE, SL_INTERPOSED_DECLARE_ALSO)
#undef SL_INTERPOSED_DECLARE
#undef SL_INTERPOSED_DECLARE_ALSO
#endif

#endif
