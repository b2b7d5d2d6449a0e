/* sockleak.h: optional annotations a program may make for sockleak.
 *
 * The functions are declared weak: a program that includes this header and calls the
 * sockleak_* inline helpers links and runs the same without libsockleak.so (the calls are
 * then no-ops returning -1 with errno ENOSYS). Under LD_PRELOAD=libsockleak.so they reach the
 * preload. Nothing to link against: no -lsockleak.
 *
 *   #include <sockleak.h>
 *   sockleak_half_close_ok(fd);   // this socket may stay half-closed for long: not a leak
 *   sockleak_ignore(fd);          // never report or enforce on this socket
 */
#ifndef SOCKLEAK_H
#define SOCKLEAK_H

#include <errno.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SOCKLEAK_VERSION "0.1.0"

/* Implemented by libsockleak.so. 0 on success, -1 with errno EBADF when fd is not a tracked TCP
 * socket. */
int sockleak_ignore_fd(int fd) __attribute__((weak));
int sockleak_half_close_ok_fd(int fd) __attribute__((weak));
/* 1 when the preload is active in this process. */
int sockleak_active(void) __attribute__((weak));

/* Exempt fd from reports and enforcement (a socket the program keeps on purpose). */
static inline int sockleak_ignore(int fd)
{
	if (!sockleak_ignore_fd) {
		errno = ENOSYS;
		return -1;
	}
	return sockleak_ignore_fd(fd);
}

/* fd is an intentional long half-close (a server streaming a reply after the client's
 * shutdown(SHUT_WR)): EOF and CLOSE_WAIT on it are not leaks while it stays open; it is still
 * reported if it is open in either state at exit, and with idle_ms when nothing reads or writes
 * it for that long. */
static inline int sockleak_half_close_ok(int fd)
{
	if (!sockleak_half_close_ok_fd) {
		errno = ENOSYS;
		return -1;
	}
	return sockleak_half_close_ok_fd(fd);
}

static inline int sockleak_is_active(void) { return sockleak_active ? sockleak_active() : 0; }

#ifdef __cplusplus
}
#endif
#endif
