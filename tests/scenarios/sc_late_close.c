/* Case 8, a leak that is closed after all: the server reads a connection to EOF, keeps it open
 * past grace_ms (so a `leak` record is written), then closes it when run.py says "close".
 * Proves: a `late_close` record for that socket (same fd, inode and kind as its leak record),
 * whose `stack` names close_late().
 * With "cw" it never reads: the socket is reported in CLOSE_WAIT, and its late_close must say
 * how long it leaked too (issue 12: leak_age_ms was 0 for close_wait); run.py uses it for idle
 * too, the peer staying connected and quiet past idle_ms.
 * Usage: sc_late_close [cw]    prints "port P", "sock FD INODE", and "closed" after "close". */
#include "tl.h"

void read_to_eof(int fd);
void close_late(int fd);

void read_to_eof(int fd)
{
	char buf[256];
	ssize_t n;
	while ((n = read(fd, buf, sizeof buf)) != 0)
		if (n < 0 && errno != EINTR)
			tl_die("read");
}

void close_late(int fd)
{
	if (close(fd) != 0)
		tl_die("close");
}

int main(int argc, char **argv)
{
	char line[16];
	int port, lfd = tl_listen(&port, 0), fd;

	tl_say("port %d", port);
	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		tl_die("accept");
	if (argc < 2 || strcmp(argv[1], "cw") != 0)
		read_to_eof(fd);
	tl_report_sock(fd);
	if (tl_stdin_line(line, sizeof line, TL_MAX_WAIT_MS) <= 0 || strcmp(line, "close") != 0)
		return TL_EXIT_SETUP;
	close_late(fd);
	tl_say("closed");
	tl_wait_stdin_eof();
	return 0;
}
