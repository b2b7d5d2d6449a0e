/* Helpers shared by the scenario programs (tests/scenarios/sc_*.c), driven by run.py.
 *
 * The protocol with run.py is line-based on stdout, flushed at once:
 *   "port P"           a server is listening on 127.0.0.1:P
 *   "sock FD INODE"    this socket is (or is meant to be) leaked: run.py matches leak records to it
 *   anything else      progress markers that run.py waits for ("served 3", "ready", ...)
 * A program that has finished its work waits for stdin to reach EOF (bounded), so run.py decides
 * when it exits: after the leak records it expects, and then by closing stdin (a normal exit,
 * with sockleak's exit-time scan) or by killing it.
 *
 * Everything here is static: each program is one translation unit. Functions that must show up
 * by name in sockleak's stack records are defined in the programs themselves with external
 * linkage, because `symbol` is the dynamic symbol (-rdynamic) containing the address. */
#ifndef SC_SCENARIO_H
#define SC_SCENARIO_H

#include <arpa/inet.h>
#include <errno.h>
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

/* Longest any program waits for run.py: a bound, so no test program can outlive its case. */
#define SC_MAX_WAIT_MS 60000

/* Exit status for "the scenario itself could not be set up": never a sockleak verdict. */
#define SC_EXIT_SETUP 99

__attribute__((format(printf, 1, 2))) static inline void sc_say(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

__attribute__((noreturn)) static inline void sc_die(const char *what)
{
	fprintf(stderr, "scenario: %s: %s\n", what, strerror(errno));
	exit(SC_EXIT_SETUP);
}

static inline int sc_arg(int argc, char **argv, int i, int dflt)
{
	return i < argc ? atoi(argv[i]) : dflt;
}

static inline void sc_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* A TCP listener on 127.0.0.1, port chosen by the kernel; *port receives it. */
static inline int sc_listen(int *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof a;
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		sc_die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0)
		sc_die("bind");
	if (listen(fd, 4096) != 0)
		sc_die("listen");
	if (getsockname(fd, (struct sockaddr *)&a, &len) != 0)
		sc_die("getsockname");
	*port = ntohs(a.sin_port);
	return fd;
}

/* Blocking connect to 127.0.0.1:port; -1 with errno on failure (callers decide). */
static inline int sc_connect(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static inline int sc_write_all(int fd, const char *buf, size_t len)
{
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

static inline unsigned long sc_inode(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 ? (unsigned long)st.st_ino : 0;
}

/* Tell run.py which socket this is, so leak records can be matched by inode. */
static inline void sc_report_sock(int fd)
{
	sc_say("sock %d %lu", fd, sc_inode(fd));
}

/* Wait until peer's FIN has arrived on fd (POLLRDHUP), without reading: poll is not a read, so
 * the program still has not "seen" the EOF in sockleak's sense. */
static inline int sc_wait_fin(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLRDHUP };
	return poll(&p, 1, timeout_ms) == 1 && (p.revents & (POLLRDHUP | POLLHUP)) ? 0 : -1;
}

/* Read one line from stdin into buf (without '\n'); returns its length, 0 on EOF, -1 on
 * timeout or error. Byte-at-a-time so nothing is buffered past the line. */
static inline int sc_stdin_line(char *buf, size_t size, int timeout_ms)
{
	size_t n = 0;
	struct pollfd p = { .fd = 0, .events = POLLIN };
	while (n + 1 < size) {
		char c;
		ssize_t r;
		if (poll(&p, 1, timeout_ms) != 1)
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
	return (int)n;
}

/* Park until run.py closes our stdin (or the bound passes), then let main return normally. */
static inline void sc_wait_stdin_eof(void)
{
	char line[64];
	while (sc_stdin_line(line, sizeof line, SC_MAX_WAIT_MS) > 0)
		;
}

#endif
