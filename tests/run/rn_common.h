/* Helpers shared by the `sockleak run` test programs: loopback sockets, no error paths worth
 * testing (a failure exits 99, which no test expects). */
#ifndef RN_COMMON_H
#define RN_COMMON_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

static inline void rn_die(const char *what)
{
	perror(what);
	exit(99);
}

/* A listener on 127.0.0.1 with a kernel-chosen port, returned in *port. */
static inline int rn_listen(int *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 16) ||
	    getsockname(fd, (struct sockaddr *)&a, &len))
		rn_die("listen");
	*port = ntohs(a.sin_port);
	return fd;
}

static inline int rn_connect(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)))
		rn_die("connect");
	return fd;
}

/* A peer in a child process: accepts one connection on lfd, says nothing, closes it. The
 * listener is closed here, so only the child holds it. */
static inline void rn_closing_peer(int lfd)
{
	int c;

	if (fork() == 0) {
		c = accept(lfd, NULL, NULL);
		if (c < 0)
			rn_die("accept");
		close(c);
		_exit(0);
	}
	close(lfd);
}

#endif
