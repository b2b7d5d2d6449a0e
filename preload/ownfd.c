/* The registry of sockleak's own descriptors, and where they go; see ownfd.h. */
#include "ownfd.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Descriptors libunwind keeps for itself (its address-validation pipe), registered at start-up
 * so the program's close() calls leave them alone like ours. */
static int sl_extra_fds[4] = {-1, -1, -1, -1};
/* The owners' variables (log, netlink socket, epoll instance): three today. */
#define SL_OWN_VARS 8
static const int *sl_own_vars[SL_OWN_VARS];

/* Empty until our first descriptor: the hot close path's one comparison (fd >= sl_own_lo, then
 * the C wrapper) must read it as empty. At -1 it sent every close of the program to the C
 * wrapper until one of ours was placed: in nginx, whose log and epoll instance come later,
 * +31 instructions a request, hidden while libunwind's pipe, placed high at start-up, set it. */
int sl_own_lo = INT_MAX, sl_own_hi = -1;

void sl_own_range_add(int fd)
{
	int lo = __atomic_load_n(&sl_own_lo, __ATOMIC_RELAXED);
	int hi = __atomic_load_n(&sl_own_hi, __ATOMIC_RELAXED);

	/* Only ever widened, so a racing reader at worst takes the slow check. */
	while (fd >= 0 && fd < lo &&
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

/* RLIMIT_NOFILE, 0 when it cannot be read. */
static int sl_nofile(struct rlimit *rl)
{
	return !syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, rl);
}

/* The number ours start from under rl (NULL: unknown): SL_HIGH, or 64 below the soft limit. */
static int sl_base_of(const struct rlimit *rl)
{
	long base = SL_HIGH;

	if (rl && rl->rlim_cur != RLIM_INFINITY && (long)rl->rlim_cur - 64 < base)
		base = (long)rl->rlim_cur - 64;
	return base < 3 ? 3 : (int)base;
}

int sl_high_base(void)
{
	struct rlimit rl;

	return sl_base_of(sl_nofile(&rl) ? &rl : NULL);
}

/* Once seen, for good: without CAP_SYS_RESOURCE a hard limit only goes down, so the watchdog's
 * scans stop asking (one prlimit64 of the 7 system calls of a scan). A privileged program that
 * raises it again keeps the frugal mode, which costs it nothing. */
static int sl_budget_low;

int sl_fd_budget_low(void)
{
	struct rlimit rl;

	if (__atomic_load_n(&sl_budget_low, __ATOMIC_RELAXED))
		return 1;
	if (!sl_nofile(&rl) || rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= SL_HIGH + 64)
		return 0;
	__atomic_store_n(&sl_budget_low, 1, __ATOMIC_RELAXED);
	return 1;
}

/* Whether this thread is the process's only one, from the num_threads field of /proc/self/stat
 * (the 18th after the command name's ')'); 0 when that cannot be read. */
static int sl_alone(void)
{
	char buf[512], *p; /* fields 1-20: the command name is at most 64 bytes */
	int fd, n;
	ssize_t len;

	/* Any thread but the first (the watchdog, where epoll and netlink are placed, or one of
	 * the program's) has company: no need to open a file to know. */
	if (syscall(SYS_gettid) != syscall(SYS_getpid))
		return 0;
	fd = (int)syscall(SYS_openat, AT_FDCWD, "/proc/self/stat", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	len = syscall(SYS_read, fd, buf, sizeof(buf) - 1);
	syscall(SYS_close, fd);
	if (len <= 0)
		return 0;
	buf[len] = '\0';
	if (!(p = strrchr(buf, ')')))
		return 0;
	for (n = 0; n < 18 && (p = strchr(p + 1, ' ')); n++)
		;
	return p && p[1] == '1' && p[2] == ' ';
}

/* Our descriptors belong above the numbers the program uses, and above its RLIMIT_NOFILE when
 * it lowered the soft limit, so they never take from its budget: SL_HIGH can then be had only
 * with the soft limit raised for the moment of the F_DUPFD. The limit is the process's: another
 * thread would see it raised (getrlimit, or an open() that should fail with EMFILE succeeding;
 * the watchdog itself did at its first scan), and so would a signal handler of this one. It is
 * raised only when this thread is the only one, with every signal blocked; otherwise ours go
 * from 64 below the soft limit, within the program's budget. */
int sl_place_high(int fd)
{
	struct rlimit rl, up;
	sigset_t all, old;
	int ok = sl_nofile(&rl), base = sl_base_of(ok ? &rl : NULL), hi, raised = 0;

	/* base < SL_HIGH: a finite soft limit below SL_HIGH + 64 */
	if (ok && base < SL_HIGH && rl.rlim_max >= SL_HIGH + 64 && sl_alone()) {
		sigfillset(&all);
		syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, &old, _NSIG / 8);
		up = rl;
		up.rlim_cur = SL_HIGH + 64;
		raised = !syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &up, NULL);
		if (raised)
			base = SL_HIGH;
		else
			syscall(SYS_rt_sigprocmask, SIG_SETMASK, &old, NULL, _NSIG / 8);
	}
	hi = (int)syscall(SYS_fcntl, fd, F_DUPFD_CLOEXEC, base);
	if (raised) {
		syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &rl, NULL);
		syscall(SYS_rt_sigprocmask, SIG_SETMASK, &old, NULL, _NSIG / 8);
	}
	if (hi < 0)
		return fd;
	syscall(SYS_close, fd);
	return hi;
}
