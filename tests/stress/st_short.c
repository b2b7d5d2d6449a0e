/* Short connections, each closed long before any scan: K times, a connect() to our own
 * listener, its accept(), and the close of both ends. Both ends are tracked TCP sockets.
 * The driver counts the syscalls of a run with K1 and with K2 (strace -f -c), natively and
 * preloaded: what the preload adds per connection must be nothing (docs/performance.md).
 * Prints "done K". */
#include "tl.h"

int main(int argc, char **argv)
{
	int port, lfd = tl_listen(&port, 0), k = tl_arg(argc, argv, 1, 10);

	for (int i = 0; i < k; i++) {
		int c = tl_connect(port), a;

		if (c < 0)
			tl_die("connect");
		a = accept(lfd, NULL, NULL);
		if (a < 0)
			tl_die("accept");
		close(a);
		close(c);
	}
	tl_say("done %d", k);
	return 0;
}
