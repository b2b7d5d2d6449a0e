/* fd table, socket records and the inode map; see fdtable.h. */
#include "fdtable.h"

#include <string.h>
#include <sys/socket.h>

struct sl_sock **sl_fd_chunks[SL_FD_CHUNKS];
struct sl_sock *sl_fd_chunk0[SL_FD_CHUNK];
unsigned sl_fd_chunks_used;
uint64_t sl_sock_total;

/* Socket records live in slabs that are never unmapped, so the watchdog can walk them and a
 * hot-path pointer to a freed record stays valid memory. */
#define SL_SLAB_SOCKS 1024
#define SL_MAX_SLABS 4096 /* 4M sockets */

/* Records are handed out SL_SLAB_BATCH at a time from the newest slab, lowest first: a
 * program with a few sockets writes (and its fork children copy and free at exit) the first
 * pages of a slab, not all 22 of them (issue 15), and a walk reads no further. */
#define SL_SLAB_BATCH 64
_Static_assert(SL_SLAB_SOCKS % SL_SLAB_BATCH == 0, "a slab is whole batches");

static struct sl_sock *sl_slabs[SL_MAX_SLABS];
/* read by the fork child's walk: on the page it writes */
static unsigned sl_nslabs SL_FORK_STATE;
static unsigned sl_slab_fill SL_FORK_STATE; /* records of the newest slab handed out */
struct sl_sock *sl_free_socks;              /* linked through ->inode */
size_t sl_live_socks;
size_t sl_live6;
uint32_t sl_gen;

/* inode map: linear probing, power-of-two size, load <= 1/2, deletion by backward shift.
 * A slot is only the record's pointer (the key is read through it: s->inode), 8 bytes rather
 * than 16, which is what keeps a tracked socket under 128 bytes at 100k (docs/performance.md);
 * lookups happen on transitions and scans only. */
static struct sl_sock **sl_map_slots;
static size_t sl_map_cap, sl_map_len;

static inline size_t sl_hash_inode(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (size_t)x;
}

static int sl_map_grow(void)
{
	size_t ncap = sl_map_cap ? sl_map_cap * 2 : 1024;
	struct sl_sock **n = sl_mem_alloc(ncap * sizeof(*n)), **old = sl_map_slots;

	if (!n)
		return ENOMEM;
	memset(n, 0, ncap * sizeof(*n));
	for (size_t i = 0; i < sl_map_cap; i++) {
		if (!old[i])
			continue;
		size_t j = sl_hash_inode(old[i]->inode) & (ncap - 1);
		while (n[j])
			j = (j + 1) & (ncap - 1);
		n[j] = old[i];
	}
	sl_mem_free(old, sl_map_cap * sizeof(*old));
	sl_map_slots = n;
	sl_map_cap = ncap;
	return 0;
}

/* s->inode is set; s replaces any record with the same inode. */
static int sl_map_put(struct sl_sock *s)
{
	size_t i;

	if ((sl_map_len + 1) * 2 > sl_map_cap && sl_map_grow())
		return ENOMEM;
	i = sl_hash_inode(s->inode) & (sl_map_cap - 1);
	while (sl_map_slots[i] && sl_map_slots[i]->inode != s->inode)
		i = (i + 1) & (sl_map_cap - 1);
	if (!sl_map_slots[i])
		sl_map_len++;
	sl_map_slots[i] = s;
	return 0;
}

struct sl_sock *sl_sock_by_inode(uint64_t inode)
{
	size_t i;

	if (!sl_map_cap || !inode)
		return NULL;
	i = sl_hash_inode(inode) & (sl_map_cap - 1);
	while (sl_map_slots[i]) {
		if (sl_map_slots[i]->inode == inode)
			return sl_map_slots[i];
		i = (i + 1) & (sl_map_cap - 1);
	}
	return NULL;
}

/* Remove s's entry, if the map holds s itself (a newer record may own the inode). */
static void sl_map_del(const struct sl_sock *s)
{
	size_t mask = sl_map_cap - 1, i, j;

	if (!sl_map_cap || !s->inode)
		return;
	i = sl_hash_inode(s->inode) & mask;
	while (sl_map_slots[i] != s) {
		if (!sl_map_slots[i])
			return;
		i = (i + 1) & mask;
	}
	/* Backward-shift deletion keeps probe chains intact without tombstones. */
	for (j = (i + 1) & mask; sl_map_slots[j]; j = (j + 1) & mask) {
		size_t home = sl_hash_inode(sl_map_slots[j]->inode) & mask;

		if ((j > i && (home <= i || home > j)) || (j < i && (home <= i && home > j))) {
			sl_map_slots[i] = sl_map_slots[j];
			i = j;
		}
	}
	sl_map_slots[i] = NULL;
	sl_map_len--;
}

int sl_fd_set_slow(int fd, struct sl_sock *s)
{
	unsigned u = (unsigned)fd;
	struct sl_sock **c;

	if (fd < 0 || u >= SL_FD_LIMIT)
		return EBADF;
	c = sl_fd_chunks[u >> SL_FD_SHIFT];
	if (!c) {
		c = u < SL_FD_CHUNK ? sl_fd_chunk0 : sl_map(SL_FD_CHUNK * sizeof(*c));
		if (!c)
			return ENOMEM;
		__atomic_store_n(&sl_fd_chunks[u >> SL_FD_SHIFT], c, __ATOMIC_RELEASE);
		if ((u >> SL_FD_SHIFT) + 1 > __atomic_load_n(&sl_fd_chunks_used, __ATOMIC_RELAXED))
			__atomic_store_n(&sl_fd_chunks_used, (u >> SL_FD_SHIFT) + 1,
					 __ATOMIC_RELAXED);
	}
	__atomic_store_n(&c[u & (SL_FD_CHUNK - 1)], s, __ATOMIC_RELEASE);
	return 0;
}

struct sl_sock *sl_fd_clear_slow(int fd)
{
	struct sl_sock *s = sl_fd_lookup(fd);

	if (s)
		__atomic_store_n(&sl_fd_chunks[(unsigned)fd >> SL_FD_SHIFT]
					      [(unsigned)fd & (SL_FD_CHUNK - 1)],
				 NULL, __ATOMIC_RELEASE);
	return s;
}

/* Under sl_lock: another record holds inode. A socket the kernel just made cannot have one:
 * that record is stale (we missed its close: raw syscall, io_uring), forget it and its fds. */
static void sl_evict_inode(uint64_t inode)
{
	struct sl_sock *old = sl_sock_by_inode(inode);
	int fds[16], n;

	if (!old)
		return;
	/* In batches until none is left: a stale fd left behind would name the record that is
	 * reused for the new socket. */
	do {
		n = sl_sock_fds(old, fds, 16);
		for (int i = 0; i < n; i++)
			sl_fd_clear(fds[i]);
	} while (n == 16);
	sl_sock_free(old);
}

size_t sl_lazy;

/* Out of line, so that taking a record from the free list (sl_sock_new_lazy, inline in
 * fdtable.h) saves no registers for it. The free list is empty: the next SL_SLAB_BATCH
 * records of the newest slab go on it, from a new slab when that one is all handed out. */
__attribute__((noinline)) int sl_slab_add(void)
{
	struct sl_sock *slab;

	if (!sl_nslabs || sl_slab_fill == SL_SLAB_SOCKS) {
		if (sl_nslabs == SL_MAX_SLABS)
			return ENOMEM;
		slab = sl_map(SL_SLAB_SOCKS * sizeof(*slab));
		if (!slab)
			return ENOMEM;
		sl_slabs[sl_nslabs++] = slab;
		sl_slab_fill = 0;
	}
	slab = sl_slabs[sl_nslabs - 1];
	for (unsigned i = sl_slab_fill + SL_SLAB_BATCH; i-- > sl_slab_fill;) {
		slab[i].inode = (uint64_t)(uintptr_t)sl_free_socks;
		sl_free_socks = &slab[i];
	}
	sl_slab_fill += SL_SLAB_BATCH;
	return 0;
}

struct sl_sock *sl_sock_new(uint64_t inode)
{
	struct sl_sock *s;

	if (!inode) /* 0 marks an empty slot in the inode map */
		return NULL;
	sl_evict_inode(inode);
	s = sl_sock_new_lazy();
	if (s && sl_sock_identify(s, inode)) {
		sl_sock_free(s);
		sl_sock_total--;
		return NULL;
	}
	return s;
}

/* Two records of one socket (it reached us through a second door before the first record had
 * its identity: SCM_RIGHTS to ourselves when taking identities failed): the descriptors of old
 * join s. */
static void sl_merge_into(struct sl_sock *s, struct sl_sock *old)
{
	int fds[16], n;

	do {
		n = sl_sock_fds(old, fds, 16);
		for (int i = 0; i < n; i++) {
			if (sl_fd_set(fds[i], s))
				continue;
			s->nfds++;
			if (s->fd < 0 || fds[i] < s->fd)
				s->fd = fds[i];
		}
	} while (n == 16);
	s->flags |= old->flags & (SL_F_INHERITED | SL_F_EXEMPT | SL_F_HALFCLOSE);
	for (unsigned i = 0; i < old->nshared; i++)
		sl_sock_add_shared(s, old->shared[i]);
	sl_sock_free(old);
}

int sl_sock_identify(struct sl_sock *s, uint64_t inode)
{
	struct sl_sock *old;

	if (s->inode)
		return s->inode == inode ? 0 : EEXIST;
	if (!inode)
		return EINVAL;
	/* A record that already has this inode names the same socket: inode numbers are not
	 * reused while the socket lives, and s's socket is alive (the caller just asked it). */
	old = sl_sock_by_inode(inode);
	if (old)
		sl_merge_into(s, old);
	s->inode = inode;
	if (sl_map_put(s)) {
		s->inode = 0; /* still lazy: taken again at the next scan */
		return ENOMEM;
	}
	sl_lazy--;
	return 0;
}

int sl_fd_identify(int fd, uint32_t gen, uint64_t inode)
{
	struct sl_sock *s = sl_fd_lookup(fd);

	return s && s->gen == gen && !sl_sock_identify(s, inode);
}

void sl_sock_free_slow(struct sl_sock *s)
{
	if (!(s->flags & SL_F_USED))
		return;
	if (s->inode)
		sl_map_del(s);
	else
		sl_lazy--;
	if (s->family == AF_INET6)
		__atomic_sub_fetch(&sl_live6, 1, __ATOMIC_RELAXED);
	s->flags = 0;
	s->inode = (uint64_t)(uintptr_t)sl_free_socks;
	sl_free_socks = s;
	__atomic_store_n(&sl_live_socks, __atomic_load_n(&sl_live_socks, __ATOMIC_RELAXED) - 1,
			 __ATOMIC_RELAXED);
}

int sl_sock_fds(const struct sl_sock *s, int *out, int max)
{
	int n = 0;

	/* Fast path: the common socket has exactly one fd and we know it. */
	if (s->nfds <= 1 && s->fd >= 0 && sl_fd_lookup(s->fd) == s) {
		if (max > 0)
			out[0] = s->fd;
		return max > 0;
	}
	for (unsigned c = 0; c < sl_fd_chunks_used && n < max; c++) {
		struct sl_sock **chunk = sl_fd_chunks[c];

		if (!chunk)
			continue;
		for (unsigned i = 0; i < SL_FD_CHUNK && n < max; i++)
			if (chunk[i] == s)
				out[n++] = (int)((c << SL_FD_SHIFT) | i);
	}
	return n;
}

void sl_sock_add_shared(struct sl_sock *s, pid_t pid)
{
	for (unsigned i = 0; i < s->nshared; i++)
		if (s->shared[i] == pid)
			return;
	if (s->nshared < SL_SHARED_MAX)
		s->shared[s->nshared++] = pid;
	else /* keep the newest holders: the oldest are the likeliest to have exited */
		memmove(s->shared, s->shared + 1, (SL_SHARED_MAX - 1) * sizeof(pid_t)),
			s->shared[SL_SHARED_MAX - 1] = pid;
}

SL_FORK_CODE size_t sl_sock_each_from(size_t pos, int (*fn)(struct sl_sock *s, void *ctx),
				      void *ctx)
{
	for (size_t k = pos / SL_SLAB_SOCKS; k < sl_nslabs; k++) {
		/* never handed out: never written, not to be read (its pages are not there) */
		size_t end = k + 1 == sl_nslabs ? sl_slab_fill : SL_SLAB_SOCKS;

		for (size_t i = k == pos / SL_SLAB_SOCKS ? pos % SL_SLAB_SOCKS : 0; i < end; i++)
			if ((sl_slabs[k][i].flags & SL_F_USED) && fn(&sl_slabs[k][i], ctx))
				return k * SL_SLAB_SOCKS + i + 1;
	}
	return SIZE_MAX;
}

SL_FORK_CODE void sl_sock_each(int (*fn)(struct sl_sock *s, void *ctx), void *ctx)
{
	sl_sock_each_from(0, fn, ctx);
}

/* The parent's pid for the marking sl_sock_atfork_child leaves pending. */
static pid_t sl_fork_ppid SL_FORK_STATE;

SL_FORK_CODE void sl_sock_atfork_child(pid_t ppid)
{
	if (!sl_live_socks)
		return;
	sl_fork_ppid = ppid;
	__atomic_or_fetch(&sl_vfork_pending, SL_ADOPT_PENDING, __ATOMIC_RELAXED);
}

static int sl_mark_inherited(struct sl_sock *s, void *ctx)
{
	(void)ctx;
	s->flags |= SL_F_INHERITED;
	/* The parent's record of who shares it is not ours: start over with the parent. */
	s->nshared = 1;
	s->shared[0] = sl_fork_ppid;
	return 0;
}

int sl_enter_slow(void)
{
	int pending = __atomic_load_n(&sl_vfork_pending, __ATOMIC_ACQUIRE);

	if ((pending & SL_VFORK_COUNT) && sl_vfork_child())
		return 1;
	if (pending & SL_ADOPT_PENDING) {
		sl_lock();
		/* Another thread of the child may have done it while this one waited. */
		if (__atomic_load_n(&sl_vfork_pending, __ATOMIC_RELAXED) & SL_ADOPT_PENDING) {
			sl_sock_each(sl_mark_inherited, NULL);
			__atomic_and_fetch(&sl_vfork_pending, ~SL_ADOPT_PENDING, __ATOMIC_RELEASE);
		}
		sl_unlock();
	}
	return 0;
}

size_t sl_sock_count(void) { return __atomic_load_n(&sl_live_socks, __ATOMIC_RELAXED); }

size_t sl_inet6_count(void) { return __atomic_load_n(&sl_live6, __ATOMIC_RELAXED); }
