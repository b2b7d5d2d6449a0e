/* ho_accepts N: N loopback connections accepted and closed at one call site, as a server's
 * accept loop does; the client end by raw system calls, so only accept() and close() pass
 * through the preload. Run under callgrind at two N by run.py (accept_site_cached): every
 * accept after the first finds its site in the stack cache (preload/stack.h) and unwinds
 * nothing, so what the preload adds per connection is a few hundred instructions, where an
 * unwind is tens of thousands. Prints "done N". */
#include <netinet/in.h>
#include <sys/syscall.h>

#include "tl.h"

int main(int argc, char **argv)
{
	int n = tl_arg(argc, argv, 1, 100), port, l = tl_listen(&port, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct linger lin = {1, 0};

	for (int i = 0; i < n; i++) {
		int c = (int)syscall(SYS_socket, AF_INET, SOCK_STREAM, 0), a;

		if (c < 0 || syscall(SYS_connect, c, &sa, sizeof(sa)))
			tl_die("raw connect");
		if ((a = accept(l, NULL, NULL)) < 0)
			tl_die("accept");
		close(a);
		/* RST instead of FIN: no TIME_WAIT, so any N fits in the port range. */
		syscall(SYS_setsockopt, c, SOL_SOCKET, SO_LINGER, &lin, sizeof(lin));
		syscall(SYS_close, c);
	}
	tl_say("done %d", n);
	return 0;
}
