/* Stack ids: pure, so the unit tests and the analyser's expectations can pin them down. */
#include "stack.h"

/* FNV-1a 64 over the instruction pointers' bytes: fast, no tables, and 0 is reserved for
 * "no stack" in the log. */
uint64_t sl_stack_hash(const uintptr_t *ips, unsigned n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (unsigned i = 0; i < n; i++)
		for (unsigned b = 0; b < sizeof(uintptr_t); b++) {
			h ^= (ips[i] >> (8 * b)) & 0xff;
			h *= 0x100000001b3ULL;
		}
	return h ? h : 1;
}
