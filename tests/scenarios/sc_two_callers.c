/* Case two_callers_one_helper: the library's per-thread cache of opening and EOF stacks
 * was keyed by the call site and the stack depth only, and a helper that opens connections (or reads
 * them to EOF) reached from two callers at the same depth is the same call site at the same
 * depth. Each caller below leaks one socket; its stacks must name that caller, never the other
 * one that reached the helper first.
 * The pairs are written alike (same arguments, same frame size, called from main one after the
 * other), so only the return addresses into the callers tell their stacks apart:
 *   caller_a / caller_b     -> sc_connect_helper -> socket(), connect()   (open_stack)
 *   reader_a / reader_b     -> sc_eof_helper     -> read() returning 0    (eof_stack)
 *   acceptor_a / acceptor_b -> sc_accept_helper  -> accept()              (open_stack)
 * The two connected sockets are read to EOF (eof_unclosed), the two accepted ones never read
 * (close_wait).
 * Usage: sc_two_callers PEER_PORT    prints "port P" (its own listener), "by NAME INODE" and
 * "sock FD INODE" per socket, "connected", "read", "accepted"; run.py closes the peers' ends
 * in between. */
#include "tl.h"

int sc_connect_helper(int port);
int caller_a(int port);
int caller_b(int port);
void sc_eof_helper(int fd);
void reader_a(int fd);
void reader_b(int fd);
int sc_accept_helper(int lfd);
int acceptor_a(int lfd);
int acceptor_b(int lfd);

/* socket() and connect() right here, not through tl_connect(): the callers must be frames #1
 * and #2 above the function that calls the wrapper even under a sanitizer whose interceptor
 * sits in between (the library checks two levels: README, Limits). */
__attribute__((noinline)) int sc_connect_helper(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons((uint16_t)port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0)
		tl_die("connect");
	return fd;
}

__attribute__((noinline)) int caller_a(int port) { return sc_connect_helper(port); }
__attribute__((noinline)) int caller_b(int port) { return sc_connect_helper(port); }

__attribute__((noinline)) void sc_eof_helper(int fd)
{
	char buf[256];
	ssize_t n;

	if (tl_wait_fin(fd, TL_MAX_WAIT_MS) != 0)
		tl_die("no FIN from the peer");
	while ((n = read(fd, buf, sizeof buf)) != 0)
		if (n < 0 && errno != EINTR)
			tl_die("read");
}

__attribute__((noinline)) void reader_a(int fd) { sc_eof_helper(fd); }
__attribute__((noinline)) void reader_b(int fd) { sc_eof_helper(fd); }

__attribute__((noinline)) int sc_accept_helper(int lfd)
{
	int fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		tl_die("accept");
	return fd;
}

__attribute__((noinline)) int acceptor_a(int lfd) { return sc_accept_helper(lfd); }
__attribute__((noinline)) int acceptor_b(int lfd) { return sc_accept_helper(lfd); }

static void sc_by(const char *who, int fd)
{
	tl_say("by %s %lu", who, tl_inode(fd));
	tl_report_sock(fd);
}

int main(int argc, char **argv)
{
	int peer = tl_arg(argc, argv, 1, 0), port, a, b;
	int lfd = tl_listen(&port, 0);
	char line[16];

	tl_say("port %d", port);
	a = caller_a(peer);
	b = caller_b(peer);
	sc_by("caller_a", a);
	sc_by("caller_b", b);
	tl_say("connected");
	reader_a(a); /* run.py closed the peer's ends: both get a FIN, neither is closed */
	reader_b(b);
	tl_say("read");
	if (tl_stdin_line(line, sizeof line, TL_MAX_WAIT_MS) <= 0 || strcmp(line, "accept") != 0)
		return TL_EXIT_SETUP;
	a = acceptor_a(lfd); /* run.py connected twice: the backlog hands them over in order */
	b = acceptor_b(lfd);
	sc_by("acceptor_a", a);
	sc_by("acceptor_b", b);
	tl_say("accepted");
	tl_wait_stdin_eof();
	return 0;
}
