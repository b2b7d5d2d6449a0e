/* Annotated sockets under enforce=1, chosen by the client's first byte:
 *   'I'  sockleak_ignore(): answered, then never looked at again (it will sit in CLOSE_WAIT)
 *   'H'  sockleak_half_close_ok(): the client half-closes; the server reads the request and
 *        the EOF, then answers only on the driver's "reply" command, and closes
 *   'C'  control, not annotated: answered and never looked at again (leaked, enforced)
 * Prints "port P", "sock FD INODE KIND ANNOTATE_RET", "halfclosed FD". Commands:
 *   reply    answer every half-closed 'H' socket ("half-ok\n"), close it: "replied FD W C"
 *   probe    for every 'I' socket: is it still in CLOSE_WAIT (not shut down)? read() must
 *            return 0 (the EOF is still there to read): "probe FD READ"
 * Exits at stdin EOF. */
#include <signal.h>
#include <sockleak.h>

#include "tl.h"

#define MAXC 64

int accept_connection(int lfd);

int accept_connection(int lfd)
{
	int c = accept(lfd, NULL, NULL);

	if (c < 0)
		tl_die("accept");
	return c;
}

int main(void)
{
	int port, lfd = tl_listen(&port, 0), half[MAXC], nhalf = 0, ign[MAXC], nign = 0;
	char buf[256];

	signal(SIGPIPE, SIG_IGN);
	tl_say("port %d", port);
	for (;;) {
		struct pollfd p[2] = {{.fd = 0, .events = POLLIN}, {.fd = lfd, .events = POLLIN}};

		if (poll(p, 2, TL_MAX_WAIT_MS) <= 0)
			return TL_EXIT_SETUP;
		if (p[0].revents) {
			int r = tl_stdin_line(buf, sizeof buf, 1000);

			if (r <= 0)
				return 0;
			if (!strcmp(buf, "reply")) {
				for (int i = 0; i < nhalf; i++) {
					int w = tl_write_all(half[i], "half-ok\n", 8);

					tl_say("replied %d %d %d", half[i], w, close(half[i]));
				}
				nhalf = 0;
			} else if (!strcmp(buf, "probe")) {
				for (int i = 0; i < nign; i++) {
					char x;

					tl_say("probe %d %zd", ign[i], read(ign[i], &x, 1));
				}
			}
		}
		if (p[1].revents & POLLIN) {
			int c = accept_connection(lfd), ar = 0;
			ssize_t n = read(c, buf, 1);

			if (n != 1)
				tl_die("request");
			if (buf[0] == 'I')
				ar = sockleak_ignore(c);
			else if (buf[0] == 'H')
				ar = sockleak_half_close_ok(c);
			tl_say("sock %d %lu %c %d", c, tl_inode(c), buf[0], ar);
			if (buf[0] == 'H') {
				if (tl_drain_to_eof(c, 10000))
					tl_die("half-close");
				if (nhalf < MAXC)
					half[nhalf++] = c;
				tl_say("halfclosed %d", c);
			} else {
				if (tl_write_all(c, "ok\n", 3))
					tl_die("reply");
				if (buf[0] == 'I' && nign < MAXC)
					ign[nign++] = c;
			}
		}
	}
}
