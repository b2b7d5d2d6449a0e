/* Server side of case 3: accepts N connections and closes each at once, as a server closes
 * idle keep-alive connections on its own timer. It does everything right, so with the preload
 * it must produce no `leak` record; its peers (sc_pool_client) are the ones left in CLOSE_WAIT.
 * Usage: sc_accept_close N    prints "port P", then "closed N". */
#include "tl.h"

int main(int argc, char **argv)
{
	int n = tl_arg(argc, argv, 1, 1), port;
	int lfd = tl_listen(&port, 0);

	tl_say("port %d", port);
	for (int i = 0; i < n; i++) {
		int fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			tl_die("accept");
		if (close(fd) != 0)
			tl_die("close");
	}
	tl_say("closed %d", n);
	tl_wait_stdin_eof();
	return 0;
}
