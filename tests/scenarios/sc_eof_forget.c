/* Case 2, "EOF read, never closed": a server whose handler reads the request to EOF (read
 * returns 0) and returns without close() on that path.
 * Proves: one `eof_unclosed` leak per connection with `open_stack` naming accept_client() and
 * `eof_stack` naming read_until_eof() and handle_forgetting_close(): the stack records carry
 * the program's own function names.
 * Usage: sc_eof_forget N    prints "port P", "sock FD INODE" per connection, "served N". */
#include "tl.h"

int accept_client(int lfd);
size_t read_until_eof(int fd);
void handle_forgetting_close(int fd);

int accept_client(int lfd)
{
	int fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		tl_die("accept");
	return fd;
}

size_t read_until_eof(int fd)
{
	char buf[512];
	size_t total = 0;
	for (;;) {
		ssize_t n = read(fd, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			tl_die("read");
		if (n == 0)
			return total;
		total += (size_t)n;
	}
}

void handle_forgetting_close(int fd)
{
	read_until_eof(fd);
	/* the bug under test: no close(fd) on the EOF path */
}

int main(int argc, char **argv)
{
	int n = tl_arg(argc, argv, 1, 1), port;
	int lfd = tl_listen(&port, 0);

	tl_say("port %d", port);
	for (int i = 0; i < n; i++) {
		int fd = accept_client(lfd);
		handle_forgetting_close(fd);
		tl_report_sock(fd);
	}
	tl_say("served %d", n);
	tl_wait_stdin_eof();
	return 0;
}
