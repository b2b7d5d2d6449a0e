/* Compact hash tables; see tab.h. Linear probing, grown by doubling at 70% load. */
#include "tab.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The top 16 bits of a user-space pointer are zero on x86-64 and aarch64 (48-bit address
 * spaces): a slot keeps 16 bits of the item's hash there, so a probe that meets another item
 * costs no cache miss on it (lookups were a sixth of a million-site report). */
#define TAG_SHIFT 48
#define PTR_MASK ((UINT64_C(1) << TAG_SHIFT) - 1)

static uintptr_t tagged(uint64_t h, const void *item)
{
	return (uintptr_t)item | (uintptr_t)((h >> TAG_SHIFT) << TAG_SHIFT);
}

void *sl_tab_find(const struct sl_tab *t, uint64_t h, sl_tab_eq_fn eq, const void *key)
{
	uintptr_t tag = (uintptr_t)((h >> TAG_SHIFT) << TAG_SHIFT);
	if (!t->slot)
		return NULL;
	for (size_t i = h & t->mask;; i = (i + 1) & t->mask) {
		uintptr_t v = (uintptr_t)t->slot[i];
		if (!v)
			return NULL;
		if ((v & ~(uintptr_t)PTR_MASK) == tag && eq((void *)(v & PTR_MASK), key))
			return (void *)(v & PTR_MASK);
	}
}

static void put(void **slot, size_t mask, uint64_t h, void *item)
{
	size_t i = h & mask;
	while (slot[i])
		i = (i + 1) & mask;
	slot[i] = (void *)tagged(h, item);
}

int sl_tab_add(struct sl_tab *t, uint64_t h, void *item, sl_tab_hash_fn hash)
{
	size_t cap = t->slot ? t->mask + 1 : 0;
	if ((uintptr_t)item & ~(uintptr_t)PTR_MASK)
		return EINVAL; /* not a 48-bit address */
	if ((t->n + 1) * 10 > cap * 7) {
		size_t ncap = cap ? cap * 2 : 64;
		void **ns = calloc(ncap, sizeof *ns);
		if (!ns) {
			/* keep working, slower, until the table is truly full */
			if (t->n + 1 >= cap)
				return ENOMEM;
		} else {
			for (size_t i = 0; i < cap; i++) {
				void *it = (void *)((uintptr_t)t->slot[i] & PTR_MASK);
				if (it)
					put(ns, ncap - 1, hash(it), it);
			}
			free(t->slot);
			t->slot = ns;
			t->mask = ncap - 1;
		}
	}
	put(t->slot, t->mask, h, item);
	t->n++;
	return 0;
}

void sl_tab_reserve(struct sl_tab *t, size_t n)
{
	size_t cap = 64;
	if (t->slot)
		return;
	while (cap < n + n / 2 && cap < ((size_t)1 << 40))
		cap *= 2;
	if ((t->slot = calloc(cap, sizeof *t->slot)))
		t->mask = cap - 1;
}

void sl_tab_free(struct sl_tab *t)
{
	free(t->slot);
	memset(t, 0, sizeof *t);
}

uint64_t sl_hash_bytes(const void *p, size_t n, uint64_t seed)
{
	/* 8 bytes at a time, each word folded in with one multiply and the whole mixed once at
	 * the end: strings and frame keys here are short and many (a full mix per word was a
	 * twentieth of a million-site report) */
	const unsigned char *s = p;
	uint64_t h = seed ^ (n * 0x9e3779b97f4a7c15ull), w;
	while (n >= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 29;
		s += 8;
		n -= 8;
	}
	w = 0;
	memcpy(&w, s, n);
	return sl_hash_u64(h ^ w ^ ((uint64_t)n << 56));
}
