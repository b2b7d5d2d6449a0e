/* Which of our connections got a FIN, from the kernel, without walking the host's TCP table.
 *
 * The watchdog registers each tracked connection, once, in an epoll instance of its own for
 * EPOLLRDHUP, level-triggered. Then one epoll_wait per scan returns exactly the sockets whose
 * peer has closed, for as long as it stays so: EPOLLRDHUP without EPOLLHUP is a FIN received
 * while our side is still open, i.e. CLOSE_WAIT; EPOLLHUP means reset, or both sides shut.
 * A scan then costs the sockets in that state, where a sock_diag dump costs every TCP socket
 * of the host (docs/performance.md). sock_diag remains the fallback when epoll is unavailable.
 *
 * epoll keys a registration by the open file and the fd number: a registration goes away by
 * itself when the last descriptor of the socket is closed, and one made for a number the
 * program has since reused names a socket we no longer track by inode, which the scan ignores.
 * Every report is verified on the socket itself anyway (watchdog.c). */
#ifndef SL_EPWATCH_H
#define SL_EPWATCH_H

#include "sl.h"

/* Registration state kept in struct sl_sock.ep: registered in generation sl_ep_gen() of our
 * epoll instance (1..254; a new instance, after fork or when the program closed ours, starts a
 * new generation, so every socket is registered again), or SL_EP_DEAD (reset or shut: not
 * registered again unless the program connects it anew). */
#define SL_EP_DEAD 0xff

/* Our epoll instance, opened on first use (high, CLOEXEC); -1 when epoll is unavailable. */
int sl_ep_ready(void);
unsigned sl_ep_gen(void);
int sl_ep_owns_fd(int fd);
int sl_ep_fd(void);
/* Register fd, the socket with this inode: 0 or an errno. */
int sl_ep_add(int fd, uint64_t inode);
void sl_ep_del(int fd);
/* Every registered socket whose peer has closed: fn(inode, hup) for each, hup when the
 * socket is also shut or reset (not CLOSE_WAIT). At most max_events in all. 0 or an errno. */
int sl_ep_poll(void (*fn)(uint64_t inode, int hup, void *ctx), void *ctx, size_t max_events);
/* In a fork child: the instance is the parent's; closed and replaced at first use, not here. */
void sl_ep_atfork_child(void);
/* The program is about to dup2/dup3 onto our descriptor: forget it (the dup closes it). */
void sl_ep_forget(void);

#endif
