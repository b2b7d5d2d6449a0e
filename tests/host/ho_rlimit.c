/* A program that lowers its soft RLIMIT_NOFILE to 256 (the hard one left as it is) and has a
 * second thread that keeps reading the limit while sockleak makes its descriptors (the log,
 * the watchdog's epoll instance) for a leak of the first thread's. The limit is the process's:
 * raised for a moment by sockleak, this thread could see it, or open a descriptor past it.
 * Usage: ho_rlimit HOLD_MS. Prints "limits SOFT MAX_SEEN" (MAX_SEEN: the highest soft limit the
 * second thread read). */
#include <pthread.h>
#include <sys/resource.h>

#include "tl.h"

static volatile int stop;
static rlim_t seen;

static void *watch_limit(void *arg)
{
	struct rlimit rl;
	long long end = tl_now_ms() + TL_MAX_WAIT_MS;

	(void)arg;
	while (!stop && tl_now_ms() < end)
		if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur > seen)
			seen = rl.rlim_cur;
	return NULL;
}

int main(int argc, char **argv)
{
	int hold_ms = tl_arg(argc, argv, 1, 500), port, lfd;
	struct rlimit rl;
	pthread_t t;

	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_max < 2048)
		return TL_EXIT_SETUP;
	rl.rlim_cur = 256;
	if (setrlimit(RLIMIT_NOFILE, &rl) || pthread_create(&t, NULL, watch_limit, NULL))
		return TL_EXIT_SETUP;
	lfd = tl_listen(&port, 0);
	tl_accepted_at_eof(lfd, port);
	tl_sleep_ms(hold_ms);
	stop = 1;
	pthread_join(t, NULL);
	tl_say("limits %lu %lu", (unsigned long)rl.rlim_cur, (unsigned long)seen);
	return 0;
}
