/* Scale benchmark: many open tracked TCP connections in one process.
 *
 *   scale server N      listen on 127.0.0.1 (ephemeral port), print "PORT p"; accept N
 *                       connections; print "RSS kib_before kib_after n watchdog_tid"; wait for a
 *                       line on stdin, then run the latency probe for SECS seconds (env, 3) and
 *                       print "LAT ..." and "WD ..."; wait for stdin EOF and exit.
 *   scale client PORT N connect N times (source addresses 127.0.2.x), print "CONNECTED n",
 *                       hold them until killed. Never preloaded.
 *   scale pairs M       M loopback connections inside one process (background sockets, so
 *                       the kernel's sock_diag dump walks a host-sized table); held until killed.
 *
 * The latency probe runs in the server while its watchdog scans: a 1-byte ping-pong over a
 * tracked loopback TCP pair (the hot path: no lock), and every 16th round a socket()+close()
 * (the transition path: takes sockleak's lock, which a scan holds while it walks the table).
 * It prints percentiles of both, and the watchdog thread's CPU time over the probe from
 * /proc/self/task/TID/schedstat. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "scale: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* Raise the fd limit as far as allowed: to want when we may (CAP_SYS_RESOURCE), else to the
 * hard limit. Returns the soft limit in force. */
static long raise_nofile(long want)
{
	struct rlimit rl = {(rlim_t)want, (rlim_t)want};

	if (setrlimit(RLIMIT_NOFILE, &rl)) {
		getrlimit(RLIMIT_NOFILE, &rl);
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	getrlimit(RLIMIT_NOFILE, &rl);
	return (long)rl.rlim_cur;
}

static long rss_kib(void)
{
	char line[256];
	long v = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmRSS:", 6))
			v = atol(line + 6);
	if (f)
		fclose(f);
	return v;
}

/* The watchdog thread ("sockleak"), or 0 when there is none (native run). */
static int watchdog_tid(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int tid = 0;

	while (d && (e = readdir(d))) {
		char path[300], comm[32] = "";
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm", e->d_name);
		if ((f = fopen(path, "r"))) {
			if (fgets(comm, sizeof(comm), f) && !strncmp(comm, "sockleak", 8))
				tid = atoi(e->d_name);
			fclose(f);
		}
	}
	if (d)
		closedir(d);
	return tid;
}

static void schedstat(int tid, unsigned long long *run_ns, unsigned long long *slices)
{
	char path[64];
	unsigned long long wait;
	FILE *f;

	*run_ns = *slices = 0;
	snprintf(path, sizeof(path), "/proc/self/task/%d/schedstat", tid);
	if (tid && (f = fopen(path, "r"))) {
		if (fscanf(f, "%llu %llu %llu", run_ns, &wait, slices) != 3)
			*run_ns = *slices = 0;
		fclose(f);
	}
}

static int listener(int backlog, struct sockaddr_in *sa)
{
	socklen_t len = sizeof(*sa);
	int one = 1, l = socket(AF_INET, SOCK_STREAM, 0);

	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (l < 0 || bind(l, (struct sockaddr *)sa, sizeof(*sa)) || listen(l, backlog) ||
	    getsockname(l, (struct sockaddr *)sa, &len))
		die("listen");
	return l;
}

/* Connect from 127.0.2.x, a different source address every 10,000 connections, so any N
 * fits in the ephemeral port range. */
static int dial(const struct sockaddr_in *sa, long i, int base)
{
	struct sockaddr_in src = {.sin_family = AF_INET};
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		die("socket");
	src.sin_addr.s_addr =
		htonl((uint32_t)(0x7f000000u | (unsigned)base << 8 | (unsigned)(1 + i / 10000)));
	setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&src, sizeof(src)) ||
	    connect(fd, (const struct sockaddr *)sa, sizeof(*sa)))
		die("connect");
	return fd;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void percentiles(const char *name, double *v, long n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	if (!n) {
		printf(" %s n=0", name);
		return;
	}
	printf(" %s n=%ld p50=%.1f p99=%.1f p999=%.1f max=%.1f", name, n, v[n / 2],
	       v[(long)(n * 0.99)], v[(long)(n * 0.999)], v[n - 1]);
}

static void probe(double secs)
{
	static double rt[4000000], tr[400000];
	struct sockaddr_in sa;
	int l = listener(16, &sa), a, b, one = 1, tid = watchdog_tid();
	long nrt = 0, ntr = 0;
	unsigned long long run0, sl0, run1, sl1;
	double t0, end, t;
	char c = 'x';

	a = socket(AF_INET, SOCK_STREAM, 0);
	if (a < 0 || connect(a, (struct sockaddr *)&sa, sizeof(sa)) ||
	    (b = accept(l, NULL, NULL)) < 0)
		die("probe pair");
	close(l);
	setsockopt(a, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(b, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	schedstat(tid, &run0, &sl0);
	t0 = now_us();
	end = t0 + secs * 1e6;
	for (long i = 0; (t = now_us()) < end; i++) {
		if (write(a, &c, 1) != 1 || read(b, &c, 1) != 1 || write(b, &c, 1) != 1 ||
		    read(a, &c, 1) != 1)
			die("ping-pong");
		if (nrt < (long)(sizeof(rt) / sizeof(rt[0])))
			rt[nrt++] = now_us() - t;
		if ((i & 15) == 0 && ntr < (long)(sizeof(tr) / sizeof(tr[0]))) {
			double t2 = now_us();
			int s = socket(AF_INET, SOCK_STREAM, 0);

			close(s);
			tr[ntr++] = now_us() - t2;
		}
	}
	t = now_us() - t0;
	schedstat(tid, &run1, &sl1);
	printf("LAT us");
	percentiles("pingpong", rt, nrt);
	percentiles("socket_close", tr, ntr);
	printf("\nWD tid=%d window_ms=%.0f cpu_ms=%.2f slices=%llu\n", tid, t / 1e3,
	       (double)(run1 - run0) / 1e6, sl1 - sl0);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa;
	char line[64];
	long n, lim;

	if (argc < 3)
		goto usage;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(argv[1], "server")) {
		double secs = getenv("SECS") ? atof(getenv("SECS")) : 3.0;
		long before, after, got = 0;
		int *fds, l;

		n = atol(argv[2]);
		lim = raise_nofile(n + 64);
		if (n > lim - 32) {
			fprintf(stderr, "scale: RLIMIT_NOFILE is %ld: %ld connections do not fit\n",
				lim, n);
			return 3;
		}
		fds = calloc((size_t)n + 1, sizeof(int));
		/* touched now, not counted later */
		memset(fds, 0, ((size_t)n + 1) * sizeof(int));
		l = listener(4096, &sa);
		printf("PORT %d\n", ntohs(sa.sin_port));
		before = rss_kib();
		while (got < n) {
			int fd = accept(l, NULL, NULL);

			if (fd < 0)
				die("accept");
			fds[got++] = fd;
		}
		after = rss_kib();
		printf("RSS %ld %ld %ld %d\n", before, after, got, watchdog_tid());
		if (!fgets(line, sizeof(line), stdin))
			return 0;
		probe(secs);
		while (fgets(line, sizeof(line), stdin))
			;
		return 0;
	}
	if (!strcmp(argv[1], "client") && argc == 4) {
		memset(&sa, 0, sizeof(sa));
		sa.sin_family = AF_INET;
		sa.sin_port = htons((uint16_t)atoi(argv[2]));
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		n = atol(argv[3]);
		raise_nofile(n + 64);
		for (long i = 0; i < n; i++)
			dial(&sa, i, 2);
		printf("CONNECTED %ld\n", n);
		for (;;)
			pause();
	}
	if (!strcmp(argv[1], "pairs")) {
		int l;

		n = atol(argv[2]);
		lim = raise_nofile(2 * n + 64);
		if (2 * n > lim - 32)
			n = (lim - 32) / 2;
		l = listener(4096, &sa);
		for (long i = 0; i < n; i++) {
			dial(&sa, i, 3 + (int)(getpid() % 200));
			if (accept(l, NULL, NULL) < 0)
				die("accept");
		}
		printf("PAIRS %ld\n", n);
		for (;;)
			pause();
	}
usage:
	fprintf(stderr, "usage: scale server N | scale client PORT N | scale pairs M\n");
	return 2;
}
