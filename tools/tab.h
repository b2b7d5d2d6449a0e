/* Compact hash tables for the model (issue 11: a million distinct sites took 1.4 GB). A table
 * is an open-addressing array of item pointers, 8 bytes a slot at most 70% full, instead of
 * uthash's 56-byte handle in every item: the items keep their own keys, the caller supplies
 * the hash and the comparison. Items are never removed (the model lives until sl_analysis_free).
 * Iteration order is not insertion order; tables whose items must be walked in order keep
 * their own list. */
#ifndef SL_TAB_H
#define SL_TAB_H

#include <stddef.h>
#include <stdint.h>

struct sl_tab {
	void **slot;
	size_t mask; /* capacity - 1; capacity is a power of two, 0 before the first add */
	size_t n;
};

typedef uint64_t (*sl_tab_hash_fn)(const void *item);
typedef int (*sl_tab_eq_fn)(const void *item, const void *key);

/* The item whose key equals key (eq returns nonzero), given the key's hash h; or NULL. */
void *sl_tab_find(const struct sl_tab *t, uint64_t h, sl_tab_eq_fn eq, const void *key);
/* Add an item (not already present) with hash h; hash() gives any item's hash when the table
 * grows. 0, or ENOMEM when the table could not grow and is full. */
int sl_tab_add(struct sl_tab *t, uint64_t h, void *item, sl_tab_hash_fn hash);
void sl_tab_free(struct sl_tab *t);
/* Room for n items in an empty table, so that it never grows (growing rehashes every item,
 * which for keys computed from the items is a cache miss each). No room: it grows later. */
void sl_tab_reserve(struct sl_tab *t, size_t n);

uint64_t sl_hash_bytes(const void *p, size_t n, uint64_t seed);
static inline uint64_t sl_hash_u64(uint64_t x)
{
	/* splitmix64's finaliser: every input bit moves every output bit */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

#endif
