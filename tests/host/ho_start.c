/* Start-up of a program whose own code makes no socket (issue 15): under the preload it maps
 * no libunwind, before its first TCP socket or after it, and that socket's stack is still
 * recorded (libgcc's unwinder is linked into the library). socket() and accept() are reached
 * through dlsym, so this program imports neither; built with -DHO_NET (ho_start_net) it calls
 * them directly, as a network program does (which once had libunwind mapped before main).
 * Prints "unwind_before B unwind_after A" (libunwind mappings in /proc/self/maps before the
 * first socket and after), then leaks a connection in CLOSE_WAIT: the exit scan reports it
 * with the stack of the accept in serve_one().
 * "ho_start forks N": no socket at all; N children that exit at once, one after the other
 * (a small program that forks, as make or a shell does); prints "forks N children_cpu_us C
 * children_minflt F child_cpu_q1_us Q", the children's CPU time and page faults
 * (RUSAGE_CHILDREN) and the first quartile of one child's CPU time (wait4).
 * "ho_start_net forks N sock": the same children, forked by the program once it holds a
 * listener and the connection above left in CLOSE_WAIT (a tiny server that forks);
 * "ho_start_net forks N many K": once it holds K TCP sockets (a server with K connections). */
#include <arpa/inet.h>
#include <dlfcn.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef HO_NET
#define ho_socket socket
#define ho_accept accept
#else
static int (*ho_socket)(int, int, int);
static int (*ho_accept)(int, struct sockaddr *, socklen_t *);
#endif

static void die(const char *what)
{
	perror(what);
	exit(2);
}

static int unwind_mappings(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	int n = 0;

	if (!f)
		die("/proc/self/maps");
	while (fgets(line, sizeof(line), f))
		n += strstr(line, "libunwind") != NULL;
	fclose(f);
	return n;
}

/* Exported (-rdynamic) and not inlined: the leak's open stack must name it. */
int serve_one(int l);
__attribute__((noinline)) int serve_one(int l) { return ho_accept(l, NULL, NULL); }

static int cmp_ll(const void *x, const void *y)
{
	long long a = *(const long long *)x, b = *(const long long *)y;

	return a < b ? -1 : a > b;
}

/* Each child's CPU time from wait4(), so the driver can take a low quantile: on a loaded
 * machine some children run after another job has had the core (cold caches) or are cut by
 * a preemption, and a sum over all of them measures the load as much as the child. */
static int forks(int n)
{
	struct rusage ru;
	long long *cpu = calloc((size_t)n, sizeof(*cpu));

	if (!cpu || n < 1)
		die("forks");
	for (int i = 0; i < n; i++) {
		pid_t p = fork();

		if (p < 0)
			die("fork");
		if (p == 0)
			exit(0); /* destructors included, ours too */
		if (wait4(p, NULL, 0, &ru) != p)
			die("wait4");
		cpu[i] = (long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 +
			 ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
	}
	qsort(cpu, (size_t)n, sizeof(*cpu), cmp_ll);
	getrusage(RUSAGE_CHILDREN, &ru);
	printf("forks %d children_cpu_us %lld children_minflt %ld child_cpu_q1_us %lld\n", n,
	       (long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 +
		       ru.ru_utime.tv_usec + ru.ru_stime.tv_usec,
	       ru.ru_minflt, cpu[n / 4]);
	free(cpu);
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof(a);
	int before, l, c, s, sock = argc > 3 && !strcmp(argv[3], "sock");
	int many = argc > 4 && !strcmp(argv[3], "many") ? atoi(argv[4]) : 0;

	if (argc > 2 && !strcmp(argv[1], "forks") && !sock && !many)
		return forks(atoi(argv[2]));

#ifndef HO_NET
	*(void **)&ho_socket = dlsym(RTLD_DEFAULT, "socket");
	*(void **)&ho_accept = dlsym(RTLD_DEFAULT, "accept");
	if (!ho_socket || !ho_accept)
		die("dlsym");
#endif
	if (many) {
		struct rlimit rl;

		if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_max < (rlim_t)many + 64)
			die("RLIMIT_NOFILE hard limit too low");
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			die("setrlimit");
		for (int i = 0; i < many; i++)
			if (ho_socket(AF_INET, SOCK_STREAM, 0) < 0)
				die("socket");
		return forks(atoi(argv[2]));
	}
	before = unwind_mappings();
	l = ho_socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1) ||
	    getsockname(l, (struct sockaddr *)&a, &alen))
		die("listen");
	c = ho_socket(AF_INET, SOCK_STREAM, 0);
	if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof(a)))
		die("connect");
	s = serve_one(l);
	if (s < 0)
		die("accept");
	if (sock) {
		close(c); /* s is left in CLOSE_WAIT */
		return forks(atoi(argv[2]));
	}
	printf("unwind_before %d unwind_after %d\n", before, unwind_mappings());
	fflush(stdout);
	close(c); /* s is left in CLOSE_WAIT: a leak at exit */
	usleep(50000);
	return 0;
}
