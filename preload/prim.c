/* The primitives every layer may use (sl.h): the recursion guard, the state lock, the clocks,
 * the process's options and the vfork test. The bottom layer (preload/layers): this file calls
 * nothing of sockleak's own. */
#include "options.h"
#include "sl.h"

#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

SL_TLS int sl_busy;
uint64_t sl_coarse_ms;
struct sl_opts sl_opt;
int sl_inited;
sl_mutex sl_mu SL_FORK_STATE = SL_MUTEX_INIT;
pid_t sl_self_pid SL_FORK_STATE;
int sl_vfork_pending SL_FORK_STATE;
char sl_self_path[SL_PATH_MAX];

uint64_t sl_mono_ms(void)
{
	struct timespec ts;
	uint64_t ms;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ms = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
	__atomic_store_n(&sl_coarse_ms, ms, __ATOMIC_RELAXED);
	return ms;
}

uint64_t sl_wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

pid_t sl_gettid(void) { return (pid_t)syscall(SYS_gettid); }

const char *sl_self_lib(void) { return sl_self_path; }

int sl_vfork_child(void)
{
	pid_t pid = (pid_t)syscall(SYS_getpid);

	return sl_self_pid && pid != sl_self_pid;
}
