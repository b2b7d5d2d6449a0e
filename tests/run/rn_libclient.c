/* A client whose leak is made in a library (librn_fetch.so): the socket is held past grace_ms
 * (reported, and shut down with enforce=1 unless suppressed) until a line on stdin or 60 s.
 * Prints "ready" once the socket is open. */
#include "tl.h"

#include <poll.h>

int rn_lib_fetch(int port);

int main(void)
{
	struct pollfd p = {.fd = 0, .events = POLLIN};
	int port, lfd = tl_listen(&port, SOCK_CLOEXEC);
	char buf[64];

	tl_closing_peers(lfd, 1);
	(void)rn_lib_fetch(port);
	printf("ready\n");
	fflush(stdout);
	if (poll(&p, 1, 60000) > 0 && read(0, buf, sizeof(buf)) < 0)
		tl_die("read stdin");
	return 0;
}
