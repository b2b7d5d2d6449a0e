/* A server whose clients send a request and half-close (shutdown(SHUT_WR), as `nc -N` and
 * many RPC clients do): it reads the request to its EOF, then streams the file argv[1] with
 * sendfile(2) and closes. The reply is owed after the EOF and is being sent the whole time, so
 * it is no leak at any grace_ms; sendfile() is a call no wrapper sees (the kernel's own record
 * of the data sent is what says the socket is in use).
 * Prints "port P", then per connection "sock FD INODE" and "sent FD BYTES ERRNO".
 * Exits at stdin EOF. */
#include <fcntl.h>
#include <signal.h>
#include <sys/sendfile.h>

#include "tl.h"

int main(int argc, char **argv)
{
	int port, lfd = tl_listen(&port, 0), file, c;
	struct stat st;

	if (argc < 2 || (file = open(argv[1], O_RDONLY)) < 0 || fstat(file, &st))
		tl_die("file");
	signal(SIGPIPE, SIG_IGN);
	tl_say("port %d", port);
	while ((c = tl_next_client(lfd)) >= 0) {
		off_t off = 0;
		int err = 0;

		if (tl_drain_to_eof(c, TL_MAX_WAIT_MS))
			tl_die("request");
		while (off < st.st_size) {
			ssize_t n = sendfile(c, file, &off, (size_t)(st.st_size - off));

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				err = n < 0 ? errno : 0;
				break;
			}
		}
		tl_say("sent %d %lld %d", c, (long long)off, err);
		close(c);
	}
	return 0;
}
