/* Drives leaky-server for `make demo`: well-behaved clients, clients that hang up mid-line,
 * and clients that send HOLD and then hang up. Usage: demo-client PORT */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int dial(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		close(fd);
		return -1;
	}
	return fd;
}

static void session(int port, const char *send_text, int wait_reply)
{
	char buf[256];
	int fd = dial(port);

	if (fd < 0)
		return;
	if (write(fd, send_text, strlen(send_text)) < 0) {
		close(fd);
		return;
	}
	if (wait_reply && read(fd, buf, sizeof(buf)) < 0) {
		close(fd);
		return;
	}
	close(fd);
}

int main(int argc, char **argv)
{
	int port;

	if (argc != 2)
		return 2;
	port = atoi(argv[1]);
	for (int i = 0; i < 4; i++)
		session(port, "hello\n", 1);          /* clean */
	for (int i = 0; i < 3; i++)
		session(port, "half a line", 0);      /* leaks: eof_unclosed */
	for (int i = 0; i < 2; i++)
		session(port, "HOLD\n", 0);           /* leaks: close_wait, EOF never read */
	return 0;
}
