/* A fixed-count HTTP/1.1 client for the nginx benchmark: exactly N requests, one at a time, so
 * the server's instruction count under callgrind depends on N and nothing else (wrk only runs
 * for a duration).
 *
 *   httpc PORT N ka      N requests on one keep-alive connection
 *   httpc PORT N close   N connections, one request each ("Connection: close")
 *
 * Exits non-zero on the first malformed or short response. Never preloaded. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static char buf[65536];

/* The server closes first and keeps TIME_WAIT for 60 s: rotate the client's source address over
 * 127.0.1.1-250 so a run of many thousand connections never runs out of 4-tuples. */
static int dial(int port)
{
	static unsigned seq;
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct sockaddr_in src = {.sin_family = AF_INET};
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	if (!seq)
		seq = (unsigned)getpid();
	src.sin_addr.s_addr = htonl(0x7f000100u + 1 + seq++ % 250);
	setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
	bind(fd, (struct sockaddr *)&src, sizeof(src));
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		fprintf(stderr, "httpc: connect: %s\n", strerror(errno));
		exit(1);
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static void send_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);

		if (w <= 0) {
			fprintf(stderr, "httpc: write: %s\n", strerror(errno));
			exit(1);
		}
		s += w;
		n -= (size_t)w;
	}
}

/* Read one response: headers, then Content-Length bytes of body. */
static void read_response(int fd)
{
	size_t have = 0, need = 0;
	char *end = NULL;

	for (;;) {
		ssize_t r = read(fd, buf + have, sizeof(buf) - 1 - have);

		if (r <= 0) {
			fprintf(stderr, "httpc: short response\n");
			exit(1);
		}
		have += (size_t)r;
		buf[have] = '\0';
		if (!end && (end = strstr(buf, "\r\n\r\n"))) {
			char *cl = strcasestr(buf, "\r\nContent-Length:");

			if (strncmp(buf, "HTTP/1.1 200", 12) || !cl || cl > end) {
				fprintf(stderr, "httpc: bad response: %.40s\n", buf);
				exit(1);
			}
			need = (size_t)(end + 4 - buf) + strtoul(cl + 17, NULL, 10);
		}
		if (end && have >= need)
			return;
	}
}

int main(int argc, char **argv)
{
	static const char ka[] = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
	static const char cl[] = "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
	int port, fd;
	long n;

	if (argc != 4) {
		fprintf(stderr, "usage: httpc PORT N ka|close\n");
		return 2;
	}
	port = atoi(argv[1]);
	n = atol(argv[2]);
	if (!strcmp(argv[3], "ka")) {
		fd = dial(port);
		for (long i = 0; i < n; i++) {
			send_all(fd, ka, sizeof(ka) - 1);
			read_response(fd);
		}
		close(fd);
	} else {
		for (long i = 0; i < n; i++) {
			fd = dial(port);
			send_all(fd, cl, sizeof(cl) - 1);
			read_response(fd);
			/* Wait for the server's FIN, as a browser would: the server closes first. */
			while (read(fd, buf, sizeof(buf)) > 0)
				;
			close(fd);
		}
	}
	return 0;
}
