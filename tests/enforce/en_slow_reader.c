/* A server that takes its time over a request that is already all in its receive buffer: it
 * reads it 1 KiB at a time, argv[1] ms apart, up to the '.' that ends it, then replies
 * "ok BYTES" and closes (without reading further: it knows where the request ends, as a server
 * of a length-prefixed protocol does). A client that half-closes after its request leaves the
 * socket in CLOSE_WAIT the whole time, and the kernel saw the last data arrive before the first
 * read: only the program's reads say the connection is in use.
 * Prints "port P", then per connection "sock FD INODE" and "served FD BYTES ERRNO".
 * Exits at stdin EOF. */
#include <signal.h>

#include "tl.h"

int main(int argc, char **argv)
{
	int port, lfd = tl_listen(&port, 0), pause_ms = tl_arg(argc, argv, 1, 50), c;
	char buf[1024];

	signal(SIGPIPE, SIG_IGN);
	tl_say("port %d", port);
	while ((c = tl_next_client(lfd)) >= 0) {
		long long got = 0;
		int err = 0, done = 0;

		while (!done) {
			ssize_t n = read(c, buf, sizeof buf);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				err = n < 0 ? errno : EPIPE; /* EOF before the '.': a cut request */
				break;
			}
			got += n;
			done = buf[n - 1] == '.';
			if (!done)
				tl_sleep_ms(pause_ms);
		}
		if (!err) {
			int len = snprintf(buf, sizeof buf, "ok %lld\n", got);

			if (tl_write_all(c, buf, (size_t)len))
				err = errno;
		}
		tl_say("served %d %lld %d", c, got, err);
		close(c);
	}
	return 0;
}
