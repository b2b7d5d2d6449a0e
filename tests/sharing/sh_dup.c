/* Dups that outlive their originals: connection 1 through dup(), connection 2 through
 * fcntl(F_DUPFD_CLOEXEC, 50); each original is closed at once (close_shared with the dup in
 * remaining_fds), then the dup is read to EOF and never closed (a leak of that socket, named by
 * the dup's fd).
 * Prints "port P", "dup ORIG DUP CLOSE_RET" twice, "sock DUP INODE" twice, "duped", then
 * "eof DUP" per connection; exits at stdin EOF. */
#include "tl.h"

int accept_connection(int lfd);
void read_until_eof(int fd);

int accept_connection(int lfd)
{
	int c = accept(lfd, NULL, NULL);

	if (c < 0)
		tl_die("accept");
	return c;
}

void read_until_eof(int fd)
{
	if (tl_drain_to_eof(fd, TL_MAX_WAIT_MS))
		tl_die("drain");
	tl_say("eof %d", fd);
}

int main(void)
{
	int port, lfd = tl_listen(&port, 0), c1, c2, d1, d2;

	tl_say("port %d", port);
	c1 = accept_connection(lfd);
	c2 = accept_connection(lfd);
	d1 = dup(c1);
	d2 = fcntl(c2, F_DUPFD_CLOEXEC, 50);
	if (d1 < 0 || d2 < 0)
		tl_die("dup");
	tl_say("dup %d %d %d", c1, d1, close(c1));
	tl_say("dup %d %d %d", c2, d2, close(c2));
	tl_report_sock(d1);
	tl_report_sock(d2);
	tl_say("duped");
	read_until_eof(d1);
	read_until_eof(d2);
	tl_wait_stdin_eof();
	return 0;
}
