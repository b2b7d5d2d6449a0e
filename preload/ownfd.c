/* The registry of sockleak's own descriptors, and where they go; see ownfd.h. */
#include "ownfd.h"

#include <fcntl.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Descriptors libunwind keeps for itself (its address-validation pipe), registered at start-up
 * so the program's close() calls leave them alone like ours. */
static int sl_extra_fds[4] = {-1, -1, -1, -1};
/* The owners' variables (log, netlink socket, epoll instance): three today. */
#define SL_OWN_VARS 8
static const int *sl_own_vars[SL_OWN_VARS];

int sl_own_lo = -1, sl_own_hi = -1;

void sl_own_range_add(int fd)
{
	int lo = __atomic_load_n(&sl_own_lo, __ATOMIC_RELAXED);
	int hi = __atomic_load_n(&sl_own_hi, __ATOMIC_RELAXED);

	/* Only ever widened, so a racing reader at worst takes the slow check. */
	while (fd >= 0 && (lo < 0 || fd < lo) &&
	       !__atomic_compare_exchange_n(&sl_own_lo, &lo, fd, 0, __ATOMIC_RELAXED,
					    __ATOMIC_RELAXED))
		;
	while (fd > hi && !__atomic_compare_exchange_n(&sl_own_hi, &hi, fd, 0, __ATOMIC_RELAXED,
						       __ATOMIC_RELAXED))
		;
}

void sl_own_add(const int *where, int fd)
{
	for (int i = 0; i < SL_OWN_VARS; i++) {
		const int *v = __atomic_load_n(&sl_own_vars[i], __ATOMIC_ACQUIRE);

		if (v == where)
			break;
		/* Claimed once per owner; two racing owners each take a slot of their own. */
		if (!v && __atomic_compare_exchange_n(&sl_own_vars[i], &v, where, 0,
						      __ATOMIC_RELEASE, __ATOMIC_ACQUIRE))
			break;
		if (v == where)
			break;
	}
	sl_own_range_add(fd);
}

void sl_own_extra(int fd)
{
	for (int i = 0; i < 4; i++)
		if (sl_extra_fds[i] < 0) {
			sl_extra_fds[i] = fd;
			sl_own_range_add(fd);
			return;
		}
}

int sl_own_is_extra(int fd)
{
	if (fd < 0)
		return 0;
	for (int i = 0; i < 4; i++)
		if (sl_extra_fds[i] == fd)
			return 1;
	return 0;
}

int sl_owns_fd(int fd)
{
	if (fd < 0)
		return 0;
	for (int i = 0; i < SL_OWN_VARS; i++) {
		const int *v = __atomic_load_n(&sl_own_vars[i], __ATOMIC_ACQUIRE);

		if (!v)
			break;
		if (fd == __atomic_load_n(v, __ATOMIC_RELAXED))
			return 1;
	}
	return sl_own_is_extra(fd);
}

int sl_own_fd_max(void)
{
	int m = -1;

	for (int i = 0; i < SL_OWN_VARS; i++) {
		const int *v = __atomic_load_n(&sl_own_vars[i], __ATOMIC_ACQUIRE);
		int fd;

		if (!v)
			break;
		fd = __atomic_load_n(v, __ATOMIC_RELAXED);
		if (fd > m)
			m = fd;
	}
	for (int i = 0; i < 4; i++)
		if (sl_extra_fds[i] > m)
			m = sl_extra_fds[i];
	return m;
}

/* Our descriptors go high so that programs expecting small numbers (0-2 after a daemon's
 * close-all, or the first socket being 3) never notice them. */
#define SL_HIGH 1000

int sl_high_base(void)
{
	struct rlimit rl;
	long base = SL_HIGH;

	if (!syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &rl) && rl.rlim_cur != RLIM_INFINITY &&
	    (long)rl.rlim_cur - 64 < base)
		base = (long)rl.rlim_cur - 64;
	return base < 3 ? 3 : (int)base;
}

int sl_fd_budget_low(void)
{
	struct rlimit rl;

	return !syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &rl) && rl.rlim_max != RLIM_INFINITY &&
	       rl.rlim_max < SL_HIGH + 64;
}

/* Our descriptors belong above the numbers the program uses, and above its RLIMIT_NOFILE
 * when it lowered the limit, so they never take from its budget: for the moment of the call,
 * the soft limit is raised (when the hard one allows) so that SL_HIGH can be had. Returns the
 * previous soft limit to give to sl_high_end, or 0 when nothing was changed. */
rlim_t sl_high_begin(int *base)
{
	struct rlimit rl, up;

	*base = sl_high_base();
	if (syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &rl) || rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur >= SL_HIGH + 64 || rl.rlim_max < SL_HIGH + 64)
		return 0;
	up = rl;
	up.rlim_cur = SL_HIGH + 64;
	if (syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &up, NULL))
		return 0;
	*base = SL_HIGH;
	return rl.rlim_cur;
}

void sl_high_end(rlim_t saved)
{
	struct rlimit rl;

	if (!saved || syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &rl))
		return;
	rl.rlim_cur = saved;
	syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &rl, NULL);
}

int sl_place_high(int fd)
{
	int base, hi;
	rlim_t saved = sl_high_begin(&base);

	hi = (int)syscall(SYS_fcntl, fd, F_DUPFD_CLOEXEC, base);
	sl_high_end(saved);
	if (hi < 0)
		return fd;
	syscall(SYS_close, fd);
	return hi;
}



