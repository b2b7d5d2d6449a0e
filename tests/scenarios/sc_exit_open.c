/* Case 7, exit-time: a short-lived program that leaves two accepted sockets open at a normal
 * exit, long before grace_ms: one past EOF (read returned 0), one in CLOSE_WAIT never read.
 * Proves: one `exit_open` leak record for each (with and without `eof_stack`), an `exit`
 * record counting them, and the human summary on stderr ("SUMMARY: sockleak: ...").
 * Usage: sc_exit_open    prints "sock FD INODE" for the EOF one, then the CLOSE_WAIT one. */
#include "tl.h"

void drain_then_forget(int fd);

void drain_then_forget(int fd)
{
	char buf[64];
	ssize_t n;
	while ((n = read(fd, buf, sizeof buf)) != 0)
		if (n < 0 && errno != EINTR)
			tl_die("read");
}

int main(void)
{
	int port, lfd = tl_listen(&port, 0);
	int ca = tl_connect(port), sa = accept(lfd, NULL, NULL);
	int cb = tl_connect(port), sb = accept(lfd, NULL, NULL);

	if (ca < 0 || sa < 0 || cb < 0 || sb < 0)
		tl_die("connect/accept");
	if (tl_write_all(ca, "bye\n", 4) != 0 || close(ca) != 0 || close(cb) != 0)
		tl_die("client side");
	drain_then_forget(sa);
	if (tl_wait_fin(sb, 5000) != 0) /* sb is in CLOSE_WAIT now; it is never read */
		tl_die("no FIN on sb");
	tl_report_sock(sa);
	tl_report_sock(sb);
	return 0; /* normal exit with sa and sb open */
}
