/* Case 9, sockets sockleak must never report, all held well past grace_ms and through exit:
 *  - a TCP listener, with a connection in its accept queue whose client has closed (the kernel
 *    shows that child in CLOSE_WAIT, but no descriptor of ours refers to it);
 *  - an AF_UNIX socketpair whose peer closed, read to EOF and kept;
 *  - AF_UNIX stream connections whose peer closed: one read to EOF and kept, one never read;
 *  - a healthy, idle TCP connection (both ends open, ESTABLISHED);
 *  - a UDP socket that received a zero-length datagram (recv returns 0, which is no EOF).
 * Proves: no `leak` record at all, during the run or at exit.
 * Usage: sc_not_tcp    prints "pending P" (the listener's port), then "ready". */
#include <stddef.h>
#include <sys/un.h>

#include "tl.h"

static void drain(int fd)
{
	char buf[64];
	ssize_t n;
	while ((n = read(fd, buf, sizeof buf)) != 0)
		if (n < 0 && errno != EINTR)
			tl_die("read");
}

static int unix_listener(struct sockaddr_un *a, socklen_t *len)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	memset(a, 0, sizeof *a);
	a->sun_family = AF_UNIX;
	/* abstract namespace: nothing to clean up on disk */
	snprintf(a->sun_path + 1, sizeof a->sun_path - 1, "sockleak-sc-%d", (int)getpid());
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(a->sun_path + 1));
	if (fd < 0 || bind(fd, (struct sockaddr *)a, *len) != 0 || listen(fd, 8) != 0)
		tl_die("unix listener");
	return fd;
}

int main(void)
{
	int pport, hport, sp[2], c, hc, hs, ul, u1 = -1, u2 = -1, uc, udp;
	int plfd = tl_listen(&pport, 0), hlfd = tl_listen(&hport, 0);
	struct sockaddr_un ua;
	struct sockaddr_in ia = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t ualen, ialen = sizeof ia;
	char b;

	/* listener with a closed, never accepted connection in its queue */
	if ((c = tl_connect(pport)) < 0 || close(c) != 0)
		tl_die("pending connection");

	/* healthy idle TCP pair */
	if ((hc = tl_connect(hport)) < 0 || (hs = accept(hlfd, NULL, NULL)) < 0 ||
	    write(hc, "a", 1) != 1 || read(hs, &b, 1) != 1 || write(hs, "b", 1) != 1 ||
	    read(hc, &b, 1) != 1)
		tl_die("healthy pair");

	/* socketpair, peer closed, read to EOF */
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) != 0 || write(sp[1], "x", 1) != 1 ||
	    close(sp[1]) != 0)
		tl_die("socketpair");
	drain(sp[0]);

	/* AF_UNIX stream connections, peer closed: one drained to EOF, one never read */
	ul = unix_listener(&ua, &ualen);
	for (int i = 0; i < 2; i++) {
		if ((uc = socket(AF_UNIX, SOCK_STREAM, 0)) < 0 ||
		    connect(uc, (struct sockaddr *)&ua, ualen) != 0 || write(uc, "y", 1) != 1 ||
		    close(uc) != 0)
			tl_die("unix client");
		if (i == 0)
			u1 = accept(ul, NULL, NULL);
		else
			u2 = accept(ul, NULL, NULL);
	}
	if (u1 < 0 || u2 < 0)
		tl_die("unix accept");
	drain(u1);

	/* UDP: a zero-length datagram makes recv return 0 */
	if ((udp = socket(AF_INET, SOCK_DGRAM, 0)) < 0 ||
	    bind(udp, (struct sockaddr *)&ia, sizeof ia) != 0 ||
	    getsockname(udp, (struct sockaddr *)&ia, &ialen) != 0 ||
	    sendto(udp, "", 0, 0, (struct sockaddr *)&ia, ialen) != 0 || recv(udp, &b, 1, 0) != 0)
		tl_die("udp");

	(void)plfd; /* held open to the end, never accepted from */
	tl_say("pending %d", pport);
	tl_say("ready");
	tl_wait_stdin_eof();
	return 0; /* everything above still open at exit: none of it is a TCP leak */
}
