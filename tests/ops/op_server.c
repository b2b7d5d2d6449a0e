/* A server that leaks every connection it serves: listens on 127.0.0.1 (IPv4) or ::1 (with
 * argument "6"), prints its port, accepts connections, reads each to EOF and never closes it,
 * so each one stays in CLOSE_WAIT. Lives until killed, 60 s at most. Built dynamic (for the
 * preload) and static (what the preload cannot see, and top still must).
 *
 * With argument "split", every second connection is read by another function: one accept()
 * line, two EOF reads, so two eof_unclosed sites that share their open frame (issue 12: top
 * and the exporter showed them as one, the report as two). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what)
{
	perror(what);
	exit(99);
}

static int listen_on(int v6, int *port)
{
	struct sockaddr_in a4 = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	struct sockaddr *sa = v6 ? (struct sockaddr *)&a6 : (struct sockaddr *)&a4;
	socklen_t len = v6 ? sizeof(a6) : sizeof(a4);
	int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || bind(fd, sa, len) || listen(fd, 1024) || getsockname(fd, sa, &len))
		die("listen");
	*port = ntohs(v6 ? a6.sin6_port : a4.sin_port);
	return fd;
}

/* Reads the request to EOF and returns without close(): the leak. */
static void handle(int c)
{
	char buf[256];

	while (read(c, buf, sizeof(buf)) > 0)
		;
}

/* The same as handle(), from another line: the other EOF frame of "split". */
static void handle_other(int c)
{
	char buf[256];

	while (read(c, buf, sizeof(buf)) > 0)
		;
}

int main(int argc, char **argv)
{
	int port, lfd = listen_on(argc > 1 && !strcmp(argv[1], "6"), &port);
	int split = argc > 1 && !strcmp(argv[1], "split");
	unsigned served = 0;
	time_t end = time(NULL) + 60;

	printf("%d\n", port);
	fflush(stdout);
	while (time(NULL) < end) {
		struct pollfd p = {lfd, POLLIN, 0};

		if (poll(&p, 1, 200) == 1) {
			int c = accept(lfd, NULL, NULL);

			if (c >= 0 && split && served++ % 2)
				handle_other(c);
			else if (c >= 0)
				handle(c);
		}
	}
	return 0;
}
