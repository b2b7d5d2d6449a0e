/* Case 1, "never read at all": a server that reads one request per connection and moves on
 * without closing. Each client sends its request and closes, so the kernel holds every accepted
 * socket in CLOSE_WAIT while the server never reads the EOF.
 * Proves: exactly one `close_wait` leak per leaked connection, `eof_stack` null, `open_stack`
 * naming accept_connection(), role `accepted`, and no second record for the same socket later
 * (not from a later scan, not at exit).
 * Usage: sc_read_once N    prints "port P", "sock FD INODE" per connection, "served N". */
#include "tl.h"

int accept_connection(int lfd);
void read_one_request(int fd);

int accept_connection(int lfd)
{
	int fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		tl_die("accept");
	return fd;
}

/* One read: the request. The bytes are queued before the FIN, so this returns them, never 0. */
void read_one_request(int fd)
{
	char buf[512];
	if (read(fd, buf, sizeof buf) <= 0)
		tl_die("read request");
}

int main(int argc, char **argv)
{
	int n = tl_arg(argc, argv, 1, 1), port;
	int lfd = tl_listen(&port, 0);

	tl_say("port %d", port);
	for (int i = 0; i < n; i++) {
		int fd = accept_connection(lfd);
		read_one_request(fd);
		tl_report_sock(fd); /* the leak: fd is never closed */
	}
	tl_say("served %d", n);
	tl_wait_stdin_eof();
	return 0;
}
