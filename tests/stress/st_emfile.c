/* Running out of descriptors. With RLIMIT_NOFILE at LIMIT: a connected socket s and a dup d,
 * then socket() until it fails; at the limit dup(), open() and accept-side calls fail too;
 * close(d) at the limit (a close_shared that cannot be logged: no descriptor is free); every
 * filler closed; the peer closes and s is read to EOF and kept (a leak found at exit).
 * Prints "emfile N ERRNO DUP DUPERRNO OPEN OPENERRNO CLOSED_D CLOSED_OK" and "sock FD INODE",
 * exits normally at stdin EOF. The driver runs it with and without the preload: the program
 * must see exactly the same. */
#include <sys/resource.h>

#include "tl.h"

int fill[65536];

int main(int argc, char **argv)
{
	struct rlimit rl = {(rlim_t)tl_arg(argc, argv, 1, 128), 0};
	int port, lfd, s, a, d, n = 0, err, dr, de, orr, oe, cd, cok = 0;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = (rlim_t)tl_arg(argc, argv, 1, 128);
		if (setrlimit(RLIMIT_NOFILE, &rl))
			tl_die("setrlimit");
	}
	lfd = tl_listen(&port, 0);
	s = tl_connect(port);
	a = accept(lfd, NULL, NULL);
	d = dup(s);
	if (s < 0 || a < 0 || d < 0)
		tl_die("setup");
	for (;;) {
		int f = socket(AF_INET, SOCK_STREAM, 0);

		if (f < 0) {
			err = errno;
			break;
		}
		if (n < 65536)
			fill[n++] = f;
	}
	errno = 0;
	dr = dup(s);
	de = errno;
	errno = 0;
	orr = open("/dev/null", O_RDONLY);
	oe = errno;
	cd = close(d);
	for (int i = 0; i < n; i++)
		cok += close(fill[i]) == 0;
	tl_say("emfile %d %d %d %d %d %d %d %d", n, err, dr, de, orr, oe, cd, cok);
	close(a);
	if (tl_drain_to_eof(s, 10000))
		tl_die("drain");
	tl_report_sock(s);
	tl_wait_stdin_eof();
	return 0;
}
