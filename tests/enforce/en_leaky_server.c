/* A single-threaded poll server that leaks every connection, two ways, chosen by the client's
 * first byte: 'O' answers one request and never looks at the socket again (close_wait), 'R'
 * answers, reads on to EOF and forgets to close (eof_unclosed). Under enforce=1 sockleak shuts
 * them down; the program must not notice anything but EOF.
 * Prints "port P", "sock FD INODE" and "served N" per connection. Commands on stdin:
 *   recheck   for every leaked fd: read() then close(), "recheck FD READ ERRNO CLOSE ERRNO",
 *             then "rechecked N"
 * Exits at stdin EOF. */
#include <signal.h>

#include "tl.h"

#define MAXC 256

int accept_connection(int lfd);
void forget_after_eof(int fd);

int accept_connection(int lfd)
{
	int c = accept(lfd, NULL, NULL);

	if (c < 0)
		tl_die("accept");
	return c;
}

void forget_after_eof(int fd) { (void)fd; /* the bug under test: no close(fd) */ }

int main(void)
{
	int port, lfd = tl_listen(&port, 0), leaked[MAXC], nleaked = 0, served = 0;
	struct pollfd p[MAXC + 2];
	int watch[MAXC], nwatch = 0;
	char buf[256];

	signal(SIGPIPE, SIG_IGN);
	tl_say("port %d", port);
	for (;;) {
		int np = 0;

		p[np++] = (struct pollfd){.fd = 0, .events = POLLIN};
		p[np++] = (struct pollfd){.fd = lfd, .events = POLLIN};
		for (int i = 0; i < nwatch; i++)
			p[np++] = (struct pollfd){.fd = watch[i], .events = POLLIN};
		if (poll(p, (nfds_t)np, TL_MAX_WAIT_MS) <= 0)
			return TL_EXIT_SETUP;
		if (p[0].revents) {
			int r = tl_stdin_line(buf, sizeof buf, 1000);

			if (r <= 0)
				return 0;
			if (!strcmp(buf, "recheck")) {
				for (int i = 0; i < nleaked; i++) {
					char x;
					ssize_t rr;
					int re, cr, ce;

					errno = 0;
					rr = read(leaked[i], &x, 1);
					re = rr < 0 ? errno : 0;
					errno = 0;
					cr = close(leaked[i]);
					ce = cr < 0 ? errno : 0;
					tl_say("recheck %d %zd %d %d %d", leaked[i], rr, re, cr,
					       ce);
				}
				tl_say("rechecked %d", nleaked);
				nleaked = 0;
			}
		}
		if (p[1].revents & POLLIN) {
			int c = accept_connection(lfd);
			ssize_t n = read(c, buf, sizeof buf);

			if (n <= 0 || tl_write_all(c, "ok\n", 3))
				tl_die("serve");
			tl_report_sock(c);
			if (nleaked < MAXC)
				leaked[nleaked++] = c;
			if (buf[0] == 'R' && nwatch < MAXC)
				watch[nwatch++] = c;
			tl_say("served %d", ++served);
		}
		for (int i = 2; i < np; i++) {
			if (!p[i].revents)
				continue;
			if (read(p[i].fd, buf, sizeof buf) == 0) {
				forget_after_eof(p[i].fd);
				for (int k = 0; k < nwatch; k++)
					if (watch[k] == p[i].fd)
						watch[k] = watch[--nwatch];
			}
		}
	}
}
