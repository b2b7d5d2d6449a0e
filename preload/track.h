/* State transitions of tracked sockets, called by the wrappers in interpose.c after (or, for
 * close, before) the real call. Each saves and restores errno, passes through when the thread
 * is already inside sockleak (sl_busy), and never fails the program's call. */
#ifndef SL_TRACK_H
#define SL_TRACK_H

#include "fdtable.h"
#include "policy.h"

#include <sys/socket.h>

/* Under sl_lock: the facts of s the leak policy decides on (policy.h). */
static inline struct sl_facts sl_sock_facts(const struct sl_sock *s)
{
	return (struct sl_facts){
		.eof_ms = __atomic_load_n(&s->eof_ms, __ATOMIC_RELAXED),
		.cw_ms = s->cw_ms,
		.last_io_ms = __atomic_load_n(&s->last_io_ms, __ATOMIC_RELAXED),
		.open_ms = s->open_ms,
		.open = s->fd >= 0,
		.connection = s->role != SL_ROLE_OTHER,
		.own = s->role == SL_ROLE_ACCEPTED || s->role == SL_ROLE_CONNECTED,
		.listening = !!(s->flags & SL_F_LISTEN),
		.fin_sent = !!(s->flags & SL_F_FIN_SENT),
		.reported = !!(s->flags & SL_F_REPORTED),
		.ignored = !!(s->flags & SL_F_EXEMPT),
		.half_close_ok = !!(s->flags & SL_F_HALFCLOSE),
	};
}

/* ret: the exported wrapper's return address, for sl_stack_capture_at. */

/* A new descriptor from socket()/accept(): track it if it is TCP, forget any stale state. */
void sl_track_socket(int fd, int domain, int type, int protocol, uintptr_t ret);
void sl_track_accept(int listen_fd, int fd, uintptr_t ret);
void sl_track_connect(int fd);
/* A read returned 0 on a tracked socket. */
/* gen: s->gen as the wrapper saw it before the read, so a record reused meanwhile is not
 * marked. */
void sl_track_eof(int fd, struct sl_sock *s, uint32_t gen, uintptr_t ret);
void sl_track_shutdown(int fd, int how);
/* fd is about to be closed (close, close_range, dup2 over it). Callers check sl_fd_lookup(fd)
 * first: that check is the whole cost of closing an untracked descriptor. */
void sl_track_close(int fd);
/* close() itself, from the program's call site ret (a finaliser's is a leak: langstack.c). */
void sl_track_close_from(int fd, uintptr_t ret);
/* newfd now refers to the same socket as oldfd (dup family, fcntl F_DUPFD). */
void sl_track_dup(int oldfd, int newfd);
/* A descriptor number we did not see being made (socketpair, a non-TCP socket): forget
 * whatever stale state the number had. */
void sl_track_forget(int fd);

/* Adopt fd, found open at start-up or received over a UNIX socket, as a tracked socket when
 * it is TCP. Returns 1 when tracked. Caller holds nothing. */
int sl_track_adopt(int fd, enum sl_role role, int inherited);
/* Constructor of a new program image: adopt the TCP sockets it inherited. */
void sl_adopt_inherited(void);
/* fd arrived in an SCM_RIGHTS message. */
void sl_track_received(int fd);
/* close_range() over [first,last]: sl_track_close for each tracked fd in it. */
void sl_track_close_range(unsigned first, unsigned last);

/* A socket that could not be entered in our tables (no memory); see track.c. */
void sl_track_no_memory(void);
extern unsigned long sl_untracked_socks;

#endif
