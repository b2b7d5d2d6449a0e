/* A clean program: one loopback exchange, everything closed. Exits with argv[1] (default 0),
 * or kills itself with signal -N when argv[1] is "-N". */
#include "rn_common.h"

#include <signal.h>
#include <string.h>

int main(int argc, char **argv)
{
	int port, lfd = rn_listen(&port);
	int fd = rn_connect(port), c = accept(lfd, NULL, NULL);
	int code = argc > 1 ? atoi(argv[1]) : 0;
	char b;

	if (c < 0)
		rn_die("accept");
	close(c);
	if (read(fd, &b, 1) != 0)
		rn_die("read");
	close(fd);
	close(lfd);
	printf("clean ran\n");
	fflush(stdout);
	if (code < 0)
		raise(-code);
	return code;
}
