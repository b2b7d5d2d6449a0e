/* Stack ids: pure, so the unit tests and the analyser's expectations can pin them down. */
#include "stack.h"

/* FNV-1a's structure over whole 64-bit words (a byte at a time cost ~570 instructions per
 * stack on the accept path), with a multiply-xorshift per word so that every bit of an
 * address reaches the high bits. 0 is reserved for "no stack" in the log. */
uint64_t sl_stack_hash(const uintptr_t *ips, unsigned n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (unsigned i = 0; i < n; i++) {
		h ^= (uint64_t)ips[i];
		h *= 0x100000001b3ULL;
		h ^= h >> 29;
	}
	return h ? h : 1;
}
