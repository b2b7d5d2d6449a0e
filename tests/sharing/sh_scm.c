/* A TCP socket handed over SCM_RIGHTS on a UNIX socketpair between two processes: the parent
 * accepts it, sends it and closes its copy; the child receives it, answers one request, reads
 * to EOF and forgets to close it. The child exits normally when the parent's end of the pair
 * closes (the parent exits at stdin EOF).
 * Prints "port P", "receiver PID", "sent FD CLOSE_RET", the child "sock FD INODE" and
 * "recv-eof".
 *
 * With the argument "self", one process sends the socket it just accepted to itself (before
 * any scan could take its identity: the preload takes it lazily), receives it under a second
 * descriptor, closes the first, then serves and forgets the second the same way. Prints
 * "port P", "sock FD INODE" for both descriptors, "closed FD RET" and "recv-eof". */
#include <sys/uio.h>

#include "tl.h"

int accept_connection(int lfd);
int receive_fd(int us);
void send_fd(int us, int fd);

int accept_connection(int lfd)
{
	int c = accept(lfd, NULL, NULL);

	if (c < 0)
		tl_die("accept");
	return c;
}

void send_fd(int us, int fd)
{
	char byte = 'F';
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct iovec iov = {&byte, 1};
	struct msghdr m = {.msg_iov = &iov,
			   .msg_iovlen = 1,
			   .msg_control = ctl.b,
			   .msg_controllen = sizeof ctl.b};
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);

	memset(&ctl, 0, sizeof ctl);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof fd);
	if (sendmsg(us, &m, 0) != 1)
		tl_die("sendmsg");
}

int receive_fd(int us)
{
	char byte;
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct iovec iov = {&byte, 1};
	struct msghdr m = {.msg_iov = &iov,
			   .msg_iovlen = 1,
			   .msg_control = ctl.b,
			   .msg_controllen = sizeof ctl.b};
	struct cmsghdr *c;
	int fd;

	if (recvmsg(us, &m, 0) != 1)
		tl_die("recvmsg");
	c = CMSG_FIRSTHDR(&m);
	if (!c || c->cmsg_type != SCM_RIGHTS)
		tl_die("no SCM_RIGHTS");
	memcpy(&fd, CMSG_DATA(c), sizeof fd);
	return fd;
}

static void serve_and_forget(int fd, int us)
{
	char buf[64];
	ssize_t n;

	tl_report_sock(fd);
	n = read(fd, buf, sizeof buf);
	if (n <= 0 || tl_write_all(fd, "recv\n", 5))
		_exit(TL_EXIT_SETUP);
	if (tl_drain_to_eof(fd, TL_MAX_WAIT_MS))
		_exit(TL_EXIT_SETUP);
	tl_say("recv-eof");
	/* Until the parent goes away (self: stdin EOF): then a normal exit. */
	if (us >= 0)
		tl_drain_to_eof(us, TL_MAX_WAIT_MS);
	else
		tl_wait_stdin_eof();
	exit(0);
}

static void receiver(int us) { serve_and_forget(receive_fd(us), us); }

static void to_self(void)
{
	int sv[2], port, lfd, c, r;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		tl_die("socketpair");
	lfd = tl_listen(&port, 0);
	tl_say("port %d", port);
	c = accept_connection(lfd);
	send_fd(sv[0], c);
	r = receive_fd(sv[1]);
	tl_report_sock(c);
	tl_report_sock(r);
	tl_say("closed %d %d", c, close(c));
	serve_and_forget(r, -1);
}

int main(int argc, char **argv)
{
	int sv[2], port, lfd, c;
	pid_t pid;

	if (argc > 1 && !strcmp(argv[1], "self"))
		to_self();
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		tl_die("socketpair");
	pid = fork();
	if (pid < 0)
		tl_die("fork");
	if (pid == 0) {
		close(sv[0]);
		receiver(sv[1]);
	}
	close(sv[1]);
	tl_say("receiver %d", (int)pid);
	lfd = tl_listen(&port, 0);
	tl_say("port %d", port);
	c = accept_connection(lfd);
	send_fd(sv[0], c);
	tl_say("sent %d %d", c, close(c));
	tl_wait_stdin_eof();
	return 0;
}
