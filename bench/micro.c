/* Wrapper micro-benchmarks: the cost libsockleak.so adds to one call, run the same way with and
 * without LD_PRELOAD. Each mode loops K times over one operation; bench/wrapper.sh runs every
 * mode at two values of K under callgrind and differences them, so start-up cancels and only
 * the per-iteration cost remains. Outside valgrind the loop is timed and printed, for the
 * wall-clock ratios reported beside the counts.
 *
 *   micro MODE K
 *   rw        1-byte write + read over an AF_UNIX socketpair (untracked: the table miss)
 *   rw-tcp    1-byte write + read over a loopback TCP connection (both ends tracked)
 *   eagain    recv on an empty non-blocking tracked TCP socket (fails with EAGAIN)
 *   eagain-unix   the same on an AF_UNIX socketpair (untracked)
 *   accept    accept + close of a loopback connection; the client side uses raw syscalls so
 *             only the server's accept() and close() pass through the wrappers
 *   dup-close close(dup(fd)) on a connected tracked TCP socket: the close of a descriptor
 *             while another still holds the socket writes one close_shared record (a stack,
 *             the log's rotation check, one write): the cost of a record (bench/safelog.sh)
 *
 * Output: "MODE K ns_per_iter calls_per_iter". */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "micro: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* A listening loopback socket on an ephemeral port; made with socket() so it is tracked. */
static int listener(struct sockaddr_in *sa)
{
	socklen_t len = sizeof(*sa);
	int one = 1, l = socket(AF_INET, SOCK_STREAM, 0);

	if (l < 0)
		die("socket");
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(l, (struct sockaddr *)sa, sizeof(*sa)) || listen(l, 1024) ||
	    getsockname(l, (struct sockaddr *)sa, &len))
		die("listen");
	return l;
}

/* A connected loopback TCP pair, both ends made through the wrapped socket()/accept(). */
static void tcp_pair(int sv[2])
{
	struct sockaddr_in sa;
	int one = 1, l = listener(&sa);

	sv[0] = socket(AF_INET, SOCK_STREAM, 0);
	if (sv[0] < 0 || connect(sv[0], (struct sockaddr *)&sa, sizeof(sa)))
		die("connect");
	sv[1] = accept(l, NULL, NULL);
	if (sv[1] < 0)
		die("accept");
	setsockopt(sv[0], IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(sv[1], IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	close(l);
}

static void loop_rw(int sv[2], long k)
{
	char c = 'x';

	for (long i = 0; i < k; i++) {
		if (write(sv[0], &c, 1) != 1 || read(sv[1], &c, 1) != 1)
			die("rw");
	}
}

static void loop_eagain(int fd, long k)
{
	char c;

	for (long i = 0; i < k; i++) {
		if (recv(fd, &c, 1, MSG_DONTWAIT) != -1 || errno != EAGAIN)
			die("expected EAGAIN");
	}
}

static void loop_dup_close(int fd, long k)
{
	for (long i = 0; i < k; i++) {
		int d = dup(fd);

		if (d < 0 || close(d))
			die("dup-close");
	}
}

static void loop_accept(long k)
{
	struct sockaddr_in sa;
	struct linger lin = {1, 0};
	int l = listener(&sa);

	for (long i = 0; i < k; i++) {
		int c = (int)syscall(SYS_socket, AF_INET, SOCK_STREAM, 0), a;

		if (c < 0 || syscall(SYS_connect, c, &sa, sizeof(sa)))
			die("raw connect");
		a = accept(l, NULL, NULL);
		if (a < 0)
			die("accept");
		close(a);
		/* RST instead of FIN: no TIME_WAIT, so any K fits in the port range. */
		syscall(SYS_setsockopt, c, SOL_SOCKET, SO_LINGER, &lin, sizeof(lin));
		syscall(SYS_close, c);
	}
	close(l);
}

int main(int argc, char **argv)
{
	const char *mode;
	long k;
	int sv[2], calls;
	double t0, t1;

	if (argc != 3) {
		fprintf(stderr, "usage: micro rw|rw-tcp|eagain|eagain-unix|accept|dup-close K\n");
		return 2;
	}
	mode = argv[1];
	k = atol(argv[2]);
	if (!strcmp(mode, "rw") || !strcmp(mode, "eagain-unix")) {
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
			die("socketpair");
	} else if (!strcmp(mode, "rw-tcp") || !strcmp(mode, "eagain") ||
		   !strcmp(mode, "dup-close")) {
		tcp_pair(sv);
	}
	t0 = now_ns();
	if (!strcmp(mode, "rw") || !strcmp(mode, "rw-tcp")) {
		loop_rw(sv, k);
		calls = 2;
	} else if (!strcmp(mode, "eagain") || !strcmp(mode, "eagain-unix")) {
		loop_eagain(sv[1], k);
		calls = 1;
	} else if (!strcmp(mode, "dup-close")) {
		loop_dup_close(sv[1], k);
		calls = 2;
	} else if (!strcmp(mode, "accept")) {
		loop_accept(k);
		calls = 2;
	} else {
		fprintf(stderr, "micro: unknown mode %s\n", mode);
		return 2;
	}
	t1 = now_ns();
	printf("%s %ld %.1f %d\n", mode, k, k ? (t1 - t0) / (double)k : 0.0, calls);
	return 0;
}
