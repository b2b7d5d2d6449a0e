/* sockleak's own descriptors: the log, libunwind's pipe, the watchdog's netlink socket and
 * epoll instance. A low layer (preload/layers): their owners (log.c, stack.c, sockets.c,
 * epwatch.c) register them here, and the wrappers ask here, so that no owner calls another
 * and the program's close() and dup2() leave them all alone. Also where they are placed: high,
 * above the numbers the program uses, within its RLIMIT_NOFILE. */
#ifndef SL_OWNFD_H
#define SL_OWNFD_H

#include <sys/resource.h>

/* The smallest and largest descriptor numbers we have ever held (-1, -1 before any). */
extern int sl_own_lo, sl_own_hi;
static inline int sl_own_range(int fd)
{
	return fd >= __atomic_load_n(&sl_own_lo, __ATOMIC_RELAXED) &&
	       fd <= __atomic_load_n(&sl_own_hi, __ATOMIC_RELAXED);
}
/* Widen that range to cover fd. */
void sl_own_range_add(int fd);

/* An owner's variable that holds its descriptor (-1: none now), read atomically from here on,
 * and fd (what it holds now, or is about to) added to the range. The variable is registered
 * once, on first use: it must live as long as the library. */
void sl_own_add(const int *where, int fd);
/* Register another descriptor of ours that no variable holds (libunwind's pipe). */
void sl_own_extra(int fd);
/* Whether fd is one registered by sl_own_extra. */
int sl_own_is_extra(int fd);

/* Whether fd is one of sockleak's descriptors. They all sit in the range above, so two
 * compares rule out nearly every other fd. */
int sl_owns_fd(int fd);
static inline int sl_is_own_fd(int fd) { return sl_own_range(fd) && sl_owns_fd(fd); }
/* The highest of them, or -1. */
int sl_own_fd_max(void);

/* The hard RLIMIT_NOFILE leaves no room above the numbers the program may use: sockleak then
 * holds one descriptor at most, the log file's: no epoll instance or netlink socket (the
 * watchdog asks TCP_INFO on the program's own descriptors), no pipe for libunwind, and
 * log_path=stderr written to fd 2 itself. */
int sl_fd_budget_low(void);
/* Where our own descriptors go: high, below RLIMIT_NOFILE. */
int sl_high_base(void);
/* Move fd to a high number, closing the original; returns the new number, or fd itself when it
 * cannot be moved. Above a lowered soft RLIMIT_NOFILE only when no one can see the limit raised
 * for that moment (the process's only thread, signals blocked; ownfd.c). */
int sl_place_high(int fd);

#endif
