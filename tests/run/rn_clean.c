/* A clean program: one loopback exchange, everything closed. Exits with argv[1] (default 0),
 * or kills itself with signal -N when argv[1] is "-N". */
#include "tl.h"

#include <signal.h>
#include <string.h>

int main(int argc, char **argv)
{
	int port, lfd = tl_listen(&port, SOCK_CLOEXEC);
	int fd = tl_connect_or_die(port), c = accept(lfd, NULL, NULL);
	int code = argc > 1 ? atoi(argv[1]) : 0;
	char b;

	if (c < 0)
		tl_die("accept");
	close(c);
	if (read(fd, &b, 1) != 0)
		tl_die("read");
	close(fd);
	close(lfd);
	printf("clean ran\n");
	fflush(stdout);
	if (code < 0)
		raise(-code);
	return code;
}
