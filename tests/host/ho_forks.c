/* fork+exit children that touch no socket (issue 10), from a parent holding a listener and a
 * leaked connection: the children must cost what they cost natively and write nothing.
 * argv[1] children; argv[2] MB of heap the parent has touched (a host of some size: the
 * issue's forked at ~1 ms natively); with argv[3] "pids", "child PID" for each. Prints "forks N
 * loop_us U children_cpu_us C". */
#include "tl.h"

#include <dirent.h>
#include <sys/resource.h>
#include <sys/wait.h>

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Whether this process holds an epoll instance (the library's, under the preload). */
static int has_epoll(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	char path[sizeof("/proc/self/fd/") + sizeof(e->d_name)], link[64];
	int found = 0;

	while (d && !found && (e = readdir(d))) {
		ssize_t n;

		snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n > 0) {
			link[n] = '\0';
			found = !strcmp(link, "anon_inode:[eventpoll]");
		}
	}
	if (d)
		closedir(d);
	return found;
}

int main(int argc, char **argv)
{
	int n = tl_arg(argc, argv, 1, 200), port, lfd = tl_listen(&port, 0);
	size_t heap = (size_t)tl_arg(argc, argv, 2, 0) << 20;
	int say_pids = argc > 3 && !strcmp(argv[3], "pids");
	char *mem = heap ? malloc(heap) : NULL;
	long long t0, t1;
	struct rusage ru;

	if (mem)
		memset(mem, 1, heap);
	tl_accepted_at_eof(lfd, port);
	/* Under the preload, the children of the strace'd run are forked once the watchdog has
	 * its epoll instance (the connection lived through a scan), so that what a child does
	 * with an inherited instance is seen every time, not only when the scan came first. */
	if (say_pids && getenv("LD_PRELOAD"))
		for (long long end = now_us() + 10000000; !has_epoll() && now_us() < end;)
			usleep(10000);
	t0 = now_us();
	for (int i = 0; i < n; i++) {
		pid_t p = fork();

		if (p < 0)
			tl_die("fork");
		if (p == 0)
			exit(0);
		if (say_pids)
			tl_say("child %d", (int)p);
		if (waitpid(p, NULL, 0) != p)
			tl_die("waitpid");
	}
	t1 = now_us();
	getrusage(RUSAGE_CHILDREN, &ru);
	tl_say("forks %d loop_us %lld children_cpu_us %lld", n, t1 - t0,
	       (long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 +
		       ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
	return 0;
}
