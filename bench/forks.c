/* What a fork child that touches no socket costs (docs/performance.md, "fork"): the parent has
 * touched MB megabytes of heap and forks N children that exit(0) at once, one after the other,
 * each waited for with wait4 (its own CPU time and page faults).
 *
 *   forks N MB        built from this file as bench/forks: a program whose own code makes no
 *                     socket (make, a shell)
 *   forks_net N MB    built with -DFORKS_NET: a network program that holds a listener and a
 *                     connection left in CLOSE_WAIT (a leak) while it forks
 *
 * Output: "forks N loop_us_per_fork L cpu_q1_us Q cpu_median_us M minflt_median F
 * minflt_min G": the loop's wall time per fork, the first quartile and the median of a child's
 * CPU time, and a child's page faults. bench/fork.sh takes the lowest of interleaved rounds. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef FORKS_NET
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#endif

static void die(const char *what)
{
	fprintf(stderr, "forks: %s: %s\n", what, strerror(errno));
	exit(2);
}

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int cmp_ll(const void *x, const void *y)
{
	long long a = *(const long long *)x, b = *(const long long *)y;

	return a < b ? -1 : a > b;
}

#ifdef FORKS_NET
/* A listener and an accepted connection whose peer has closed: CLOSE_WAIT, held while forking,
 * as a server with a leak would. */
static void hold_sockets(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM, 0), c, s;

	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1) ||
	    getsockname(l, (struct sockaddr *)&a, &alen))
		die("listen");
	c = socket(AF_INET, SOCK_STREAM, 0);
	if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof(a)))
		die("connect");
	s = accept(l, NULL, NULL);
	if (s < 0)
		die("accept");
	close(c); /* s stays open in CLOSE_WAIT */
}
#endif

int main(int argc, char **argv)
{
	int n = argc > 2 ? atoi(argv[1]) : 0;
	size_t heap = argc > 2 ? (size_t)atoi(argv[2]) << 20 : 0;
	char *mem = heap ? malloc(heap) : NULL;
	long long *cpu, *flt, t0, t1;

	if (n < 1) {
		fprintf(stderr, "usage: forks N MB\n");
		return 2;
	}
	cpu = calloc((size_t)n, sizeof(*cpu));
	flt = calloc((size_t)n, sizeof(*flt));
	if (!cpu || !flt || (heap && !mem))
		die("malloc");
	if (mem)
		memset(mem, 1, heap);
#ifdef FORKS_NET
	hold_sockets();
#endif
	t0 = now_us();
	for (int i = 0; i < n; i++) {
		struct rusage ru;
		pid_t p = fork();

		if (p < 0)
			die("fork");
		if (p == 0)
			exit(0); /* destructors included, the preload's too */
		if (wait4(p, NULL, 0, &ru) != p)
			die("wait4");
		cpu[i] = (long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 +
			 ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
		flt[i] = ru.ru_minflt;
	}
	t1 = now_us();
	qsort(cpu, (size_t)n, sizeof(*cpu), cmp_ll);
	qsort(flt, (size_t)n, sizeof(*flt), cmp_ll);
	printf("forks %d loop_us_per_fork %lld cpu_q1_us %lld cpu_median_us %lld minflt_median %lld "
	       "minflt_min %lld\n",
	       n, (t1 - t0) / n, cpu[n / 4], cpu[n / 2], flt[n / 2], flt[0]);
	free(mem);
	return 0;
}
