/* Case 3, a client connection pool: N idle connections that the server closes (see
 * sc_accept_close). The pool never reads them, so it never sees the EOF and each socket sits in
 * CLOSE_WAIT in this, the client, process.
 * Proves: exactly N `close_wait` leaks in the client, role `connected`, `eof_stack` null,
 * `open_stack` naming open_pool_connection().
 * Usage: sc_pool_client PORT N    prints "sock FD INODE" per connection, then "pooled N". */
#include "tl.h"

int open_pool_connection(int port);

int open_pool_connection(int port)
{
	int fd = tl_connect(port);
	if (fd < 0)
		tl_die("connect");
	return fd;
}

int main(int argc, char **argv)
{
	int port = tl_arg(argc, argv, 1, 0), n = tl_arg(argc, argv, 2, 1);

	for (int i = 0; i < n; i++)
		tl_report_sock(
			open_pool_connection(port)); /* kept idle, never read, never closed */
	tl_say("pooled %d", n);
	tl_wait_stdin_eof();
	return 0;
}
