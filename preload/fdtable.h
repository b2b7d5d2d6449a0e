/* Per-fd and per-socket state.
 *
 * fd -> socket: a two-level table of pointers indexed by fd number, so the hot path is one
 * load for fds below 4096 (the first chunk is static) and two otherwise, with no lock. Other
 * chunks are mmap'd on demand and never freed, so a
 * lookup racing with a close reads a stale pointer at worst, never unmapped memory; every
 * action taken on a socket re-verifies its identity (inode) first.
 *
 * inode -> socket: an open-addressing map, so a kernel report (sock_diag, which names
 * sockets by inode) finds our record in O(1), and so a socket that reaches us again through
 * another door (SCM_RIGHTS, a dup we missed) is recognised as the same socket.
 *
 * The inode (the socket's identity) is taken lazily: asking the kernel for it is a syscall
 * (fstat), and most connections close before anything needs it. A record made by socket() or
 * accept() starts with inode 0, outside the map; it takes its identity when it lives long
 * enough to matter: at the first scan whose walk sees it, when it is shared (dup, fork,
 * SCM_RIGHTS to ourselves), or when a record names it (docs/sharing.md). Until then the fd
 * table alone maps the descriptor to it, which is all the hot path and close() need.
 *
 * Everything but sl_fd_lookup and the read stamp (sl_sock_touch) is done under sl_lock. */
#ifndef SL_FDTABLE_H
#define SL_FDTABLE_H

#include "kinds.h"
#include "sl.h"

#include <sys/socket.h>

#define SL_FD_SHIFT 12
#define SL_FD_CHUNK (1u << SL_FD_SHIFT)
#define SL_FD_LIMIT (1u << 31) /* every non-negative int */
/* The top level covers every 32-bit value, so the hot path needs no bounds check: a negative
 * fd indexes a chunk that never exists. 8 MiB of address space, of which only the pages for
 * the chunk pointers in use are ever touched. */
#define SL_FD_CHUNKS (1u << (32 - SL_FD_SHIFT))

enum sl_role {
	SL_ROLE_OTHER,
	SL_ROLE_ACCEPTED,
	SL_ROLE_CONNECTED,
	SL_ROLE_INHERITED,
	SL_ROLE_RECEIVED
};

enum sl_flag {
	SL_F_USED = 1 << 0,
	SL_F_FIN_SENT = 1 << 1,  /* the program shut down its sending side: FIN went out */
	SL_F_REPORTED = 1 << 2,  /* a leak record was written */
	SL_F_INHERITED = 1 << 3, /* came to this process across fork or exec */
	SL_F_ENFORCED = 1 << 4,
	SL_F_EXEMPT = 1 << 5,    /* sockleak_ignore_fd(): never reported or enforced */
	SL_F_HALFCLOSE = 1 << 6, /* sockleak_half_close_ok(): EOF and CLOSE_WAIT are expected */
	SL_F_LISTEN = 1 << 7,    /* a listening socket: never idle, never leaked */
};


#define SL_SHARED_MAX 4

struct sl_sock {
	uint64_t inode;          /* 0 until its identity is taken (lazy, see above) */
	uint64_t open_ms;        /* monotonic ms, like every time below */
	uint64_t last_io_ms;     /* last use: the program's last read, stamped by the hot path
				  * with the coarse clock, or the last data the kernel sent or
				  * received, as far as the watchdog asked (sl_still_leaked,
				  * which only moves it forward); open_ms before. Relaxed */
	uint64_t eof_ms;         /* read returned 0; 0 = not yet */
	uint64_t cw_ms;          /* first scan that saw CLOSE_WAIT; 0 = not in CLOSE_WAIT */
	uint32_t reported_after; /* ms from open_ms to the leak record (rare: 32 bits, clamped) */
	uint32_t gen;
	uint32_t open_stack, eof_stack; /* stack table indexes, 0 = none */
	uint32_t cw_scan;               /* last scan that saw it in CLOSE_WAIT */
	int32_t fd;                     /* lowest fd of this process on it */
	uint16_t nfds;
	uint8_t family, role, flags, kind, nshared;
	uint8_t ep;                  /* epoll registration (epwatch.h) */
	pid_t shared[SL_SHARED_MAX]; /* other processes known to hold it */
};

extern struct sl_sock **sl_fd_chunks[SL_FD_CHUNKS];
/* The first chunk (fds 0..4095), static so the hot path reaches it with one load and no
 * test of the top level; sl_fd_chunks[0] points to it once it is used. */
extern struct sl_sock *sl_fd_chunk0[SL_FD_CHUNK];
extern unsigned sl_fd_chunks_used; /* highest chunk index in use + 1 */

/* Hot path: the socket behind fd, or NULL. Lock-free. */
static inline struct sl_sock *sl_fd_lookup(int fd)
{
	unsigned u = (unsigned)fd;
	struct sl_sock **c;

	if (SL_LIKELY(u < SL_FD_CHUNK))
		return __atomic_load_n(&sl_fd_chunk0[u], __ATOMIC_ACQUIRE);
	c = __atomic_load_n(&sl_fd_chunks[u >> SL_FD_SHIFT], __ATOMIC_ACQUIRE);
	if (SL_LIKELY(!c))
		return NULL;
	return __atomic_load_n(&c[u & (SL_FD_CHUNK - 1)], __ATOMIC_ACQUIRE);
}

/* A read of a tracked socket (interpose.c; hot_x86_64.S does the same two stores). */
static inline void sl_sock_touch(struct sl_sock *s)
{
	__atomic_store_n(&s->last_io_ms, sl_coarse_now(), __ATOMIC_RELAXED);
}

/* Under sl_lock. */
int sl_fd_set_slow(int fd, struct sl_sock *s);
/* 0 or ENOMEM/EBADF. Inline for the first chunk once it is in use: every new connection. */
static inline int sl_fd_set(int fd, struct sl_sock *s)
{
	if (SL_LIKELY((unsigned)fd < SL_FD_CHUNK && sl_fd_chunks[0])) {
		__atomic_store_n(&sl_fd_chunk0[fd], s, __ATOMIC_RELEASE);
		return 0;
	}
	return sl_fd_set_slow(fd, s);
}
struct sl_sock *sl_fd_clear_slow(int fd);
/* Returns what was there. Inline for the first chunk: every close of a connection. */
static inline struct sl_sock *sl_fd_clear(int fd)
{
	struct sl_sock *s;

	if (SL_LIKELY((unsigned)fd < SL_FD_CHUNK)) {
		s = __atomic_load_n(&sl_fd_chunk0[fd], __ATOMIC_RELAXED);
		if (s)
			__atomic_store_n(&sl_fd_chunk0[fd], NULL, __ATOMIC_RELEASE);
		return s;
	}
	return sl_fd_clear_slow(fd);
}
/* Zeroed, USED, in the inode map (an older record with the same inode is stale: dropped). */
struct sl_sock *sl_sock_new(uint64_t inode);
extern struct sl_sock *sl_free_socks;
extern uint32_t sl_gen;
extern size_t sl_live_socks;
extern uint64_t sl_sock_total; /* tracked over the process lifetime */
extern size_t sl_lazy;         /* live records whose identity is not taken yet */
int sl_slab_add(void);
/* In a fork child: the records it inherited (every one in use) are to be marked as such, with
 * the parent as the one process known to share them, at its first sl_enter (sl.h), not here:
 * writing them here made each child copy every page of records, a child that exits at once
 * too (issue 15: 1.6x native with 1,000 sockets, 1.9x with 10,000). Every path that reads a
 * record's flags or sharers in the child, or makes one, runs inside sl_enter. */
void sl_sock_atfork_child(pid_t ppid);

/* Zero a record with plain 8-byte stores (merged into vector stores): memset() of its 88
 * bytes compiles to a `rep stos`, 11 counted instructions and a slow start on real CPUs, on
 * every connection. */
typedef uint64_t sl_word __attribute__((may_alias));
_Static_assert(sizeof(struct sl_sock) % sizeof(sl_word) == 0, "sl_sock is whole words");

static inline void sl_sock_zero(struct sl_sock *s)
{
	sl_word *w = (sl_word *)(void *)s;

#pragma GCC unroll 16
	for (unsigned i = 0; i < sizeof(*s) / sizeof(*w); i++)
		w[i] = 0;
}

/* Zeroed, USED, lazy: its identity not taken yet (inode 0), not in the map. Inline, as
 * every connection takes one. */
static inline struct sl_sock *sl_sock_new_lazy(void)
{
	struct sl_sock *s;

	if (SL_UNLIKELY(!sl_free_socks) && sl_slab_add())
		return NULL;
	s = sl_free_socks;
	sl_free_socks = (struct sl_sock *)(uintptr_t)s->inode;
	sl_sock_zero(s);
	s->flags = SL_F_USED;
	s->gen = ++sl_gen;
	s->fd = -1;
	sl_lazy++;
	/* Every writer holds sl_lock: a plain store, read without the lock (sl_sock_count). */
	__atomic_store_n(&sl_live_socks, __atomic_load_n(&sl_live_socks, __ATOMIC_RELAXED) + 1,
			 __ATOMIC_RELAXED);
	sl_sock_total++;
	return s;
}

/* Back to the free list; out of the inode map. Inline for a record that never took its
 * identity (every short connection); sl_sock_free_slow otherwise. */
void sl_sock_free_slow(struct sl_sock *s);
static inline void sl_sock_free(struct sl_sock *s)
{
	if (SL_UNLIKELY(s->inode || s->family == AF_INET6 || !(s->flags & SL_F_USED))) {
		sl_sock_free_slow(s);
		return;
	}
	sl_lazy--;
	s->flags = 0;
	s->inode = (uint64_t)(uintptr_t)sl_free_socks;
	sl_free_socks = s;
	__atomic_store_n(&sl_live_socks, __atomic_load_n(&sl_live_socks, __ATOMIC_RELAXED) - 1,
			 __ATOMIC_RELAXED);
}
/* Give a lazy record its identity (enters it in the inode map): 0 or an errno (ENOMEM: still
 * lazy; EEXIST: it already has another). */
int sl_sock_identify(struct sl_sock *s, uint64_t inode);
/* The same for the record behind fd, if it is still the one of generation gen: 1 when that
 * record now has this inode. inode comes from sl_fd_inode(fd), taken outside the lock. */
int sl_fd_identify(int fd, uint32_t gen, uint64_t inode);
struct sl_sock *sl_sock_by_inode(uint64_t inode);
/* The fds of this process still on s, in ascending order, the first max of them into out;
 * returns how many were stored (0: none left). Walks the table unless s has one known fd:
 * transitions only. */
int sl_sock_fds(const struct sl_sock *s, int *out, int max);
void sl_sock_add_shared(struct sl_sock *s, pid_t pid);

/* Walk every live socket; stop when fn returns non-zero. */
void sl_sock_each(int (*fn)(struct sl_sock *s, void *ctx), void *ctx);
/* The same from position pos (0 first); returns where to resume after the record fn stopped
 * at, SIZE_MAX once every record was seen. Lets a walk go in batches, dropping sl_lock
 * between them. */
size_t sl_sock_each_from(size_t pos, int (*fn)(struct sl_sock *s, void *ctx), void *ctx);
size_t sl_sock_count(void);
/* Live AF_INET6 records (the watchdog skips the IPv6 dump when there are none). */
size_t sl_inet6_count(void);
extern size_t sl_live6;
/* Under sl_lock; inline, as every new connection sets it. */
static inline void sl_sock_set_family(struct sl_sock *s, int family)
{
	if (SL_UNLIKELY(family == AF_INET6) && s->family != AF_INET6)
		__atomic_add_fetch(&sl_live6, 1, __ATOMIC_RELAXED);
	else if (SL_UNLIKELY(s->family == AF_INET6) && family != AF_INET6)
		__atomic_sub_fetch(&sl_live6, 1, __ATOMIC_RELAXED);
	s->family = (uint8_t)family;
}

#endif
