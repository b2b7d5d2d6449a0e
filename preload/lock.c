/* Futex locks, their contended paths; see lock.h. */
#include "lock.h"

/* c: the value the compare-and-swap found (1 or 2). */
void sl_mutex_lock_slow(sl_mutex *m, int c)
{
	/* Contended: announce a waiter (2), sleep while it stays held. */
	if (c != 2)
		c = __atomic_exchange_n(&m->v, 2, __ATOMIC_ACQUIRE);
	while (c != 0) {
		sl_futex(&m->v, FUTEX_WAIT, 2, NULL);
		c = __atomic_exchange_n(&m->v, 2, __ATOMIC_ACQUIRE);
	}
}

void sl_mutex_wake(sl_mutex *m) { sl_futex(&m->v, FUTEX_WAKE, 1, NULL); }
