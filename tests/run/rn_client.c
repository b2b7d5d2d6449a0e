/* A short-lived leaking client: reads EOF from a peer that closed and exits without closing,
 * so the preload reports the socket at exit. Self-contained: it serves itself on loopback. */
#include "tl.h"

static int fetch(int port)
{
	char buf[64];
	int fd = tl_connect_or_die(port); /* RN_CONNECT_LINE */

	while (read(fd, buf, sizeof(buf)) > 0)
		;
	return fd; /* the leak: EOF read, never closed */
}

int main(void)
{
	int port, lfd = tl_listen(&port, SOCK_CLOEXEC);
	int fd;

	tl_closing_peers(lfd, 1);
	fd = fetch(port);
	(void)fd;
	return 0;
}
