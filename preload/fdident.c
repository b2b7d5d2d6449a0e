/* Records of the fd table and the kernel's sockets they stand for; see fdident.h. */
#include "fdident.h"

#include "fdtable.h"
#include "sockets.h"

#include <stdint.h>

/* Under sl_lock: fd's entry is stale (its close happened where we could not see it, e.g. a raw
 * syscall). Drop it silently: nothing certain can be said about it. */
void sl_fd_drop_stale(int fd)
{
	struct sl_sock *s = sl_fd_clear(fd);

	if (s && (!s->nfds || --s->nfds == 0))
		sl_sock_free(s);
	else if (s && s->fd == fd)
		s->fd = -1;
}

void sl_fd_stale(int fd, uint64_t inode, uint32_t gen)
{
	struct sl_sock *s;

	sl_lock();
	s = sl_fd_lookup(fd);
	if (s && s->inode == inode && s->gen == gen)
		sl_fd_drop_stale(fd);
	sl_unlock();
}

struct sl_lazy_batch {
	int n;
	int fds[64];
	uint32_t gens[64];
	uint64_t inodes[64];
};

static int sl_lazy_collect(struct sl_sock *s, void *ctx)
{
	struct sl_lazy_batch *b = ctx;

	if (s->inode || s->fd < 0)
		return 0;
	b->fds[b->n] = s->fd;
	b->gens[b->n] = s->gen;
	return ++b->n == 64;
}

void sl_fd_identify_all(void)
{
	struct sl_lazy_batch b;
	size_t pos = 0;

	/* In batches of 64, each walk resuming where the last stopped; the syscalls outside
	 * the lock. A descriptor closed behind our back (raw syscall) stays lazy. */
	while (pos != SIZE_MAX) {
		b.n = 0;
		sl_lock();
		pos = sl_lazy ? sl_sock_each_from(pos, sl_lazy_collect, &b) : SIZE_MAX;
		sl_unlock();
		for (int i = 0; i < b.n; i++)
			b.inodes[i] = sl_fd_inode(b.fds[i]);
		sl_lock();
		for (int i = 0; i < b.n; i++)
			if (b.inodes[i])
				sl_fd_identify(b.fds[i], b.gens[i], b.inodes[i]);
		sl_unlock();
	}
}
