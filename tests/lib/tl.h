/* Helpers shared by the C test programs of every real-process test group (scenarios, sharing,
 * enforce, host, hostile, stress, run), driven by their run.py through tests/lib/harness.py.
 *
 * Protocol with the driver, line-based on stdout, flushed at once:
 *   "port P"           a server listens on 127.0.0.1:P
 *   "sock FD INODE"    a socket the driver should find in leak records
 *   other words        progress markers the driver waits for
 * Commands come one per line on stdin; a program that is done waits for stdin EOF (bounded by
 * TL_MAX_WAIT_MS), so the driver decides when it exits normally.
 *
 * Functions that must be named in sockleak's stack records live in the programs with external
 * linkage (-rdynamic): `symbol` is the dynamic symbol containing the address. */
#ifndef TL_H
#define TL_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The longest any program waits for its driver: no test program can outlive its case. */
#define TL_MAX_WAIT_MS 60000
/* "The test could not even be set up": never a sockleak verdict. */
#define TL_EXIT_SETUP 99

__attribute__((format(printf, 1, 2))) static inline void tl_say(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	/* One write per line: the parent and its forked children share this pipe. */
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof buf - 2)
		n = (int)sizeof buf - 2;
	buf[n++] = '\n';
	if (write(1, buf, (size_t)n) < 0)
		_exit(TL_EXIT_SETUP);
}

__attribute__((noreturn)) static inline void tl_die(const char *what)
{
	fprintf(stderr, "test program: %s: %s\n", what, strerror(errno));
	exit(TL_EXIT_SETUP);
}

static inline int tl_arg(int argc, char **argv, int i, int dflt)
{
	return i < argc ? atoi(argv[i]) : dflt;
}

static inline long long tl_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline void tl_sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static inline int tl_listen(int *port, int flags)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof a;
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | flags, 0);

	if (fd < 0)
		tl_die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0)
		tl_die("bind");
	if (listen(fd, 4096) != 0)
		tl_die("listen");
	if (getsockname(fd, (struct sockaddr *)&a, &len) != 0)
		tl_die("getsockname");
	*port = ntohs(a.sin_port);
	return fd;
}

static inline int tl_connect(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons((uint16_t)port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
		int e = errno;
		socklen_t len = sizeof e;
		struct pollfd p = {.fd = fd, .events = POLLOUT};

		/* An interrupted connect() goes on in the background (connect(2)): wait for it
		 * rather than calling connect() again (EALREADY). */
		while (e == EINTR) {
			int r = poll(&p, 1, 10000);

			if (r < 0 && errno == EINTR)
				continue;
			e = r == 1 && !getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) ? e
										      : ETIMEDOUT;
			break;
		}
		if (e) {
			close(fd);
			errno = e;
			return -1;
		}
	}
	return fd;
}

/* tl_connect for programs with no error path worth testing: a failure is a setup failure. */
static inline int tl_connect_or_die(int port)
{
	int fd = tl_connect(port);

	if (fd < 0)
		tl_die("connect");
	return fd;
}

/* A peer in a child process: accepts n connections on lfd, says nothing, closes each at
 * once. The listener is closed here, so only the child holds it. */
static inline void tl_closing_peers(int lfd, int n)
{
	pid_t pid = fork();

	if (pid < 0)
		tl_die("fork");
	if (pid == 0) {
		for (int i = 0; i < n; i++) {
			int c = accept(lfd, NULL, NULL);

			if (c < 0)
				tl_die("accept");
			close(c);
		}
		_exit(0);
	}
	close(lfd);
}

static inline int tl_write_all(int fd, const void *p, size_t len)
{
	const char *buf = p;

	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Read exactly len bytes; 0 on success, -1 on error or short (EOF) with errno 0 on EOF. */
static inline int tl_read_full(int fd, void *p, size_t len)
{
	char *buf = p;

	while (len > 0) {
		ssize_t n = read(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = 0;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static inline unsigned long tl_inode(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 ? (unsigned long)st.st_ino : 0;
}

static inline void tl_report_sock(int fd) { tl_say("sock %d %lu", fd, tl_inode(fd)); }

/* Wait for the peer's FIN without reading it (poll is not a read). */
static inline int tl_wait_fin(int fd, int timeout_ms)
{
	struct pollfd p = {.fd = fd, .events = POLLRDHUP};
	long long end = tl_now_ms() + timeout_ms;

	for (;;) {
		int left = (int)(end - tl_now_ms()), r;

		if (left < 0)
			return -1;
		r = poll(&p, 1, left);
		if (r < 0 && errno == EINTR)
			continue;
		return r == 1 && (p.revents & (POLLRDHUP | POLLHUP)) ? 0 : -1;
	}
}

/* Read and discard until EOF (read returns 0): 0, or -1 on error/timeout. */
static inline int tl_drain_to_eof(int fd, int timeout_ms)
{
	char buf[4096];
	struct pollfd p = {.fd = fd, .events = POLLIN};
	long long end = tl_now_ms() + timeout_ms;

	for (;;) {
		ssize_t n;
		int left = (int)(end - tl_now_ms());

		if (left < 0 || poll(&p, 1, left) != 1)
			return -1;
		n = read(fd, buf, sizeof buf);
		if (n == 0)
			return 0;
		if (n < 0 && errno != EINTR && errno != EAGAIN)
			return -1;
	}
}

/* A connection to lfd (listening on port) whose client end is closed at once, the accepted
 * end read to its EOF: returns the accepted end, the kind of socket sockleak reports as
 * eof_unclosed if the program keeps it. Dies when it cannot be made. */
static inline int tl_accepted_at_eof(int lfd, int port)
{
	int c = tl_connect(port), a = accept(lfd, NULL, NULL);

	if (c < 0 || a < 0)
		tl_die("connect");
	close(c);
	if (tl_drain_to_eof(a, 10000))
		tl_die("drain");
	return a;
}

/* How many leak records this process's log (PREFIX.PID, prefix as in log_path) holds. */
static inline int tl_leak_records(const char *prefix)
{
	char path[4096], line[65536];
	int n = 0;
	FILE *f;

	snprintf(path, sizeof path, "%s.%d", prefix, (int)getpid());
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof line, f))
		if (strstr(line, "\"event\":\"leak\""))
			n++;
	fclose(f);
	return n;
}

/* Until this process's log holds n leak records (the watchdog reported them), polled with a
 * deadline rather than slept for: the count reached, or -1 after timeout_ms. */
static inline int tl_wait_leak_records(const char *prefix, int n, int timeout_ms)
{
	long long end = tl_now_ms() + timeout_ms;
	int got;

	while ((got = tl_leak_records(prefix)) < n) {
		if (tl_now_ms() > end)
			return -1;
		tl_sleep_ms(20);
	}
	return got;
}

/* One stdin line (without '\n'): its length + 1, 0 on EOF, -1 on timeout. */
static inline int tl_stdin_line(char *buf, size_t size, int timeout_ms)
{
	size_t n = 0;
	struct pollfd p = {.fd = 0, .events = POLLIN};

	while (n + 1 < size) {
		char c;
		ssize_t r;
		int pr = poll(&p, 1, timeout_ms);

		if (pr < 0 && errno == EINTR)
			continue;
		if (pr != 1)
			return -1;
		r = read(0, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (c == '\n') {
			buf[n] = '\0';
			return (int)n + 1;
		}
		buf[n++] = c;
	}
	buf[n] = '\0';
	return n ? (int)n + 1 : 0;
}

/* A one-connection-at-a-time server's wait for its next client: the accepted descriptor,
 * reported with a "sock" line, or -1 once the driver closed stdin (lines are ignored). */
static inline int tl_next_client(int lfd)
{
	char line[256];

	for (;;) {
		struct pollfd p[2] = {{.fd = 0, .events = POLLIN}, {.fd = lfd, .events = POLLIN}};
		int c;

		if (poll(p, 2, TL_MAX_WAIT_MS) <= 0)
			exit(TL_EXIT_SETUP);
		if (p[0].revents && tl_stdin_line(line, sizeof line, 1000) <= 0)
			return -1;
		if (!(p[1].revents & POLLIN))
			continue;
		if ((c = accept(lfd, NULL, NULL)) < 0)
			tl_die("accept");
		tl_report_sock(c);
		return c;
	}
}

/* Wait for one command line; exits the program (setup failure) on timeout. */
static inline int tl_command(char *buf, size_t size)
{
	int r = tl_stdin_line(buf, size, TL_MAX_WAIT_MS);

	if (r < 0) {
		fprintf(stderr, "test program: no command from the driver\n");
		exit(TL_EXIT_SETUP);
	}
	return r;
}

static inline void tl_wait_stdin_eof(void)
{
	char line[128];

	while (tl_stdin_line(line, sizeof line, TL_MAX_WAIT_MS) > 0)
		;
}

#endif
