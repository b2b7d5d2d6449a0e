/* Futex locks; see lock.h. Uncontended, one compare-and-swap each way. */
#include "lock.h"

void sl_mutex_lock(sl_mutex *m)
{
	int c = 0;

	if (SL_LIKELY(__atomic_compare_exchange_n(&m->v, &c, 1, 0, __ATOMIC_ACQUIRE,
						  __ATOMIC_RELAXED)))
		return;
	/* Contended: announce a waiter (2), sleep while it stays held. */
	if (c != 2)
		c = __atomic_exchange_n(&m->v, 2, __ATOMIC_ACQUIRE);
	while (c != 0) {
		sl_futex(&m->v, FUTEX_WAIT, 2, NULL);
		c = __atomic_exchange_n(&m->v, 2, __ATOMIC_ACQUIRE);
	}
}

void sl_mutex_unlock(sl_mutex *m)
{
	if (__atomic_exchange_n(&m->v, 0, __ATOMIC_RELEASE) == 2)
		sl_futex(&m->v, FUTEX_WAKE, 1, NULL);
}
