/* Memory for sockleak's tables: pages from mmap, carved into power-of-two size classes with
 * free lists. Never malloc: our wrappers run inside other programs' allocators and before
 * libc is ready for them, and a tool must not change the heap layout it is observing.
 * All functions except sl_map are called with sl_lock held. */
#include "sl.h"

#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SL_MIN_SHIFT 4  /* 16 bytes */
#define SL_MAX_SHIFT 16 /* 64 KiB; larger blocks get their own mapping */
#define SL_SLAB (256 * 1024)

struct sl_free {
	struct sl_free *next;
};

static struct sl_free *sl_freelist[SL_MAX_SHIFT + 1];
static char *sl_bump, *sl_bump_end;

/* Keeps errno: the per-connection paths that may grow a table save none (track.c). The system
 * call itself, not libc's mmap, which a sanitizer runtime or another preload may wrap: a vfork
 * child, running on its parent's memory, maps its exec_untracked record here (forks.c). */
void *sl_map(size_t size)
{
	int saved = errno;
	void *p = (void *)syscall(SYS_mmap, NULL, size, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	errno = saved;
	return p == MAP_FAILED ? NULL : p;
}

static unsigned sl_class(size_t size)
{
	unsigned c = SL_MIN_SHIFT;

	while (((size_t)1 << c) < size)
		c++;
	return c;
}

void *sl_mem_alloc(size_t size)
{
	unsigned c;
	void *p;

	if (size == 0)
		size = 1;
	c = sl_class(size);
	if (c > SL_MAX_SHIFT)
		return sl_map(size);
	if (sl_freelist[c]) {
		p = sl_freelist[c];
		sl_freelist[c] = sl_freelist[c]->next;
		memset(p, 0, (size_t)1 << c);
		return p;
	}
	if (sl_bump + ((size_t)1 << c) > sl_bump_end) {
		/* The tail of the old slab is abandoned: at most one block of waste per slab. */
		char *slab = sl_map(SL_SLAB);

		if (!slab)
			return NULL;
		sl_bump = slab;
		sl_bump_end = slab + SL_SLAB;
	}
	p = sl_bump;
	sl_bump += (size_t)1 << c;
	return p;
}

void sl_mem_free(void *p, size_t size)
{
	unsigned c;

	if (!p)
		return;
	if (size == 0)
		size = 1;
	c = sl_class(size);
	if (c > SL_MAX_SHIFT) {
		munmap(p, size);
		return;
	}
	((struct sl_free *)p)->next = sl_freelist[c];
	sl_freelist[c] = p;
}

void *sl_pages_grow(void *p, size_t used, size_t *cap, size_t need)
{
	size_t ncap = *cap ? *cap : 4096;
	void *n;

	if (need <= *cap)
		return p;
	while (ncap < need)
		ncap *= 2;
	n = sl_map(ncap);
	if (!n)
		return NULL;
	if (p) {
		memcpy(n, p, used);
		munmap(p, *cap);
	}
	*cap = ncap;
	return n;
}
