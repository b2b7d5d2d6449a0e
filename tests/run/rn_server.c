/* A leaking server: prints its port, accepts one connection, reads once and never closes it,
 * then waits to be killed. The test stops it with SIGTERM through the runner. */
#include "tl.h"

#include <signal.h>

static int serve_one(int lfd)
{
	char buf[64];
	int c = accept(lfd, NULL, NULL); /* RN_ACCEPT_LINE */

	if (c < 0)
		tl_die("accept");
	if (read(c, buf, sizeof(buf)) < 0)
		tl_die("read");
	return c; /* the leak: the peer closes, we never do */
}

int main(void)
{
	int port, lfd = tl_listen(&port, SOCK_CLOEXEC);

	printf("%d\n", port);
	fflush(stdout);
	serve_one(lfd);
	for (int i = 0; i < 600; i++) /* bounded: a lost test still ends in 60 s */
		usleep(100000);
	return 0;
}
