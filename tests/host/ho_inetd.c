/* inetd style (issue 10): the server puts its client's connection on fd 2, leaks another
 * socket, and exits. sockleak's exit summary must not reach that client.
 * Prints "port P", then "leaked" once the client's connection is on fd 2 and the leak made. */
#include "tl.h"

int main(void)
{
	int port, lfd = tl_listen(&port, 0), c;

	tl_say("port %d", port);
	c = accept(lfd, NULL, NULL);
	if (c < 0 || dup2(c, 2) != 2)
		tl_die("accept");
	close(c);
	tl_accepted_at_eof(lfd, port); /* kept open: an exit_open leak and a summary */
	tl_say("leaked");
	return 0;
}
