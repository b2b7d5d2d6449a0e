/* A small line-protocol server with a classic CLOSE_WAIT bug, for `make demo`.
 *
 * Each client sends lines; the server answers "ok <line>". When the client hangs up, the
 * handler is supposed to close the connection, but the error path for a client that hung up
 * in the middle of a line returns without close(): the socket stays in CLOSE_WAIT for as
 * long as the server runs. A second bug: connections that send "HOLD" are parked in a list
 * and never read again, so their FIN is never even seen.
 *
 * Usage: leaky-server PORTFILE MAXCONN  (binds 127.0.0.1:0, writes the port to PORTFILE,
 * serves MAXCONN connections, then lingers a moment and exits normally). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int parked[64];
static int nparked;

/* Returns when the client is done. */
static void serve_client(int fd)
{
	char buf[512];
	size_t have = 0;

	for (;;) {
		ssize_t n = read(fd, buf + have, sizeof(buf) - 1 - have);

		if (n <= 0) {
			if (have > 0)
				return; /* BUG: hung up mid-line; we forgot close(fd) here */
			close(fd);
			return;
		}
		have += (size_t)n;
		buf[have] = '\0';
		if (strncmp(buf, "HOLD", 4) == 0 && nparked < 64) {
			parked[nparked++] = fd; /* BUG: parked forever, never read again */
			return;
		}
		char *nl;
		while ((nl = memchr(buf, '\n', have)) != NULL) {
			char reply[600];
			size_t len = (size_t)(nl - buf);
			int w = snprintf(reply, sizeof(reply), "ok %.*s\n", (int)len, buf);

			if (write(fd, reply, (size_t)w) < 0)
				break;
			memmove(buf, nl + 1, have - len - 1);
			have -= len + 1;
		}
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof(a);
	int one = 1, l, max;
	FILE *pf;

	if (argc != 3)
		return 2;
	max = atoi(argv[2]);
	l = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 64) ||
	    getsockname(l, (struct sockaddr *)&a, &alen))
		return 1;
	pf = fopen(argv[1], "w");
	if (!pf)
		return 1;
	fprintf(pf, "%d\n", ntohs(a.sin_port));
	fclose(pf);
	for (int i = 0; i < max; i++) {
		int c = accept(l, NULL, NULL);

		if (c >= 0)
			serve_client(c);
	}
	sleep(1); /* let the watchdog see the parked sockets in CLOSE_WAIT */
	close(l);
	return 0;
}
