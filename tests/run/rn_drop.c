/* A daemon that gives up root before it leaks: setgid/setuid to nobody (65534) through libc,
 * then a client that reads EOF and exits without closing. Run as root by the runner, it must
 * still be reported: its log is opened while it has the credentials it started with. */
#include "tl.h"

#include <grp.h>

static int fetch(int port)
{
	char buf[64];
	int fd = tl_connect_or_die(port); /* RN_DROP_CONNECT_LINE */

	while (read(fd, buf, sizeof(buf)) > 0)
		;
	return fd; /* the leak */
}

int main(void)
{
	int port, lfd = tl_listen(&port, SOCK_CLOEXEC);

	if (getuid() == 0 && (setgroups(0, NULL) || setgid(65534) || setuid(65534)))
		tl_die("drop");
	tl_closing_peers(lfd, 1);
	(void)fetch(port);
	return 0;
}
