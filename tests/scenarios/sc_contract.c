/* The wrappers' contract at process level. run.py runs this twice, without and with the
 * preload, and requires identical output: every interposed call (accept, accept4, connect,
 * recv, recvfrom, recvmsg, read, readv, the fortified __read_chk/__recv_chk/__recvfrom_chk,
 * write, writev, send, sendto, sendmsg, shutdown, close, pipe, pipe2, and the credential calls
 * setuid ... initgroups) returns exactly what libc returns and leaves errno exactly as libc
 * leaves it, in success, in failure, at EOF, on an empty non-blocking socket and when
 * interrupted by a signal whose handler lacks SA_RESTART. The credential calls only ever ask
 * for the ids the process has (or fail), so running as root changes nothing.
 *
 * Each line is "LABEL = RET ERRNO [DATA]". errno is set to a sentinel before every call, so
 * "errno=unchanged" after a success shows that nobody touched it. fd numbers are printed (a
 * preload must not shift them); ephemeral ports are not (they differ between runs).
 * Every socket is closed before exit, so the preloaded run has nothing to report.
 * Exits with status 3 on purpose: the preload must not change a program's exit status. */
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/time.h>
#include <sys/uio.h>

#include "tl.h"

#define SENTINEL 4242

/* glibc's fortified entry points, called directly: -O0 never makes the compiler choose them. */
ssize_t __read_chk(int fd, void *buf, size_t n, size_t buflen);
ssize_t __recv_chk(int fd, void *buf, size_t n, size_t buflen, int flags);
ssize_t __recvfrom_chk(int fd, void *buf, size_t n, size_t buflen, int flags, struct sockaddr *sa,
		       socklen_t *salen);

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

static void show(const char *label, long ret, int err, const char *data)
{
	const char *name = err == SENTINEL ? "unchanged" : strerrorname_np(err);
	printf("%-36s = %ld errno=%s", label, ret, name ? name : "?");
	if (data && ret > 0)
		printf(" data=\"%.*s\"", (int)ret, data);
	putchar('\n');
	fflush(stdout);
}

/* Statement macros: errno must be read after the call, not in unspecified argument order. */
/* clang-format off */
#define SHOW(label, expr)                                                                          \
	do {                                                                                       \
		errno = SENTINEL;                                                                  \
		long r_ = (long)(expr);                                                            \
		show(label, r_, errno, NULL);                                                      \
	} while (0)
/* clang-format on */
/* clang-format off */
#define SHOW_DATA(label, expr, buf)                                                                \
	do {                                                                                       \
		errno = SENTINEL;                                                                  \
		long r_ = (long)(expr);                                                            \
		show(label, r_, errno, buf);                                                       \
	} while (0)
/* clang-format on */
/* clang-format off */
#define SHOW_INTO(var, label, expr)                                                                \
	do {                                                                                       \
		errno = SENTINEL;                                                                  \
		var = (expr);                                                                      \
		show(label, var, errno, NULL);                                                     \
	} while (0)
/* clang-format on */

/* Interrupt the next blocking call once, after 100 ms. */
static void arm_alarm(void)
{
	struct itimerval it = {.it_value = {0, 100000}};
	setitimer(ITIMER_REAL, &it, NULL);
}

static void set_nonblocking(int fd, int on)
{
	int fl = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK);
}

int main(void)
{
	char buf[64], x[2], y[2], z[1];
	int port, lfd = tl_listen(&port, 0), pfd[2], dead, c1, c2, c3, s1, s2, lone;
	struct sockaddr_in to = {.sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct sockaddr_in refused = to, peer, from;
	socklen_t len = sizeof refused, plen = sizeof peer, flen = sizeof from;
	struct iovec iov[2];
	struct msghdr msg = {.msg_iov = iov, .msg_iovlen = 2};
	struct sigaction sa = {.sa_handler = on_alarm, .sa_flags = 0}; /* no SA_RESTART */

	if (pipe(pfd) != 0)
		tl_die("pipe");
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);

	/* a port where nothing listens: bound, never listen()ed */
	lone = socket(AF_INET, SOCK_STREAM, 0);
	refused.sin_port = 0;
	if (lone < 0 || bind(lone, (struct sockaddr *)&refused, sizeof refused) != 0 ||
	    getsockname(lone, (struct sockaddr *)&refused, &len) != 0)
		tl_die("lone");

	/* closed descriptors */
	SHOW_INTO(dead, "socket", socket(AF_INET, SOCK_STREAM, 0));
	SHOW("close(socket)", close(dead));
	SHOW("read(closed fd)", read(dead, buf, sizeof buf));
	SHOW("recv(closed fd)", recv(dead, buf, sizeof buf, 0));
	SHOW("close(closed fd)", close(dead));
	SHOW("close(-1)", close(-1));

	/* connect */
	SHOW_INTO(c1, "socket(c1)", socket(AF_INET, SOCK_STREAM, 0));
	SHOW("connect(c1)", connect(c1, (struct sockaddr *)&to, sizeof to));
	SHOW("connect(c1 again)", connect(c1, (struct sockaddr *)&to, sizeof to));
	SHOW("connect(bad fd)", connect(-1, (struct sockaddr *)&to, sizeof to));
	SHOW("connect(pipe)", connect(pfd[0], (struct sockaddr *)&to, sizeof to));
	SHOW_INTO(c2, "socket(c2)", socket(AF_INET, SOCK_STREAM, 0));
	SHOW("connect(refused)", connect(c2, (struct sockaddr *)&refused, sizeof refused));
	SHOW("close(c2)", close(c2));
	SHOW_INTO(c3, "socket(c3)", socket(AF_INET, SOCK_STREAM, 0));
	SHOW("connect(c3)", connect(c3, (struct sockaddr *)&to, sizeof to));

	/* accept, accept4 */
	SHOW_INTO(s1, "accept", accept(lfd, (struct sockaddr *)&peer, &plen));
	printf("accept peer: len=%u family=%d addr=%s\n", (unsigned)plen, peer.sin_family,
	       inet_ntoa(peer.sin_addr));
	SHOW_INTO(s2, "accept4(NONBLOCK|CLOEXEC)",
		  accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC));
	printf("accept4 flags: nonblock=%d cloexec=%d\n", !!(fcntl(s2, F_GETFL) & O_NONBLOCK),
	       !!(fcntl(s2, F_GETFD) & FD_CLOEXEC));
	SHOW("accept4(bad flags)", accept4(lfd, NULL, NULL, 0x40000000));
	SHOW("accept(not listening)", accept(c1, NULL, NULL));
	SHOW("accept(pipe)", accept(pfd[0], NULL, NULL));
	SHOW("accept(bad fd)", accept(-1, NULL, NULL));
	set_nonblocking(lfd, 1);
	SHOW("accept(nonblocking, none pending)", accept(lfd, NULL, NULL));
	SHOW("accept4(nonblocking, none pending)", accept4(lfd, NULL, NULL, SOCK_CLOEXEC));
	set_nonblocking(lfd, 0);

	/* empty sockets */
	SHOW("recv(empty nonblocking)", recv(s2, buf, sizeof buf, 0));
	SHOW("read(empty nonblocking)", read(s2, buf, sizeof buf));
	SHOW("recv(empty, MSG_DONTWAIT)", recv(s1, buf, sizeof buf, MSG_DONTWAIT));

	/* data through every read-side call */
	if (tl_write_all(c1, "0123456789abcdef", 16) != 0 ||
	    poll(&(struct pollfd){.fd = s1, .events = POLLIN}, 1, 5000) != 1)
		tl_die("write");
	SHOW_DATA("recv(5)", recv(s1, buf, 5, 0), buf);
	SHOW_DATA("recv(3, MSG_PEEK)", recv(s1, buf, 3, MSG_PEEK), buf);
	SHOW_DATA("recvfrom(4)", recvfrom(s1, buf, 4, 0, (struct sockaddr *)&from, &flen), buf);
	printf("recvfrom addrlen=%u\n", (unsigned)flen);
	iov[0] = (struct iovec){x, 2};
	iov[1] = (struct iovec){y, 2};
	SHOW("recvmsg(2+2)", recvmsg(s1, &msg, 0));
	printf("recvmsg data=\"%.2s%.2s\" flags=%d namelen=%u\n", x, y, msg.msg_flags,
	       (unsigned)msg.msg_namelen);
	iov[0] = (struct iovec){z, 1};
	iov[1] = (struct iovec){buf, 2};
	SHOW("readv(1+2)", readv(s1, iov, 2));
	printf("readv data=\"%.1s%.2s\"\n", z, buf);
	SHOW("recv(drained, MSG_DONTWAIT)", recv(s1, buf, sizeof buf, MSG_DONTWAIT));

	/* interrupted by a signal handler installed without SA_RESTART */
	arm_alarm();
	SHOW("read(interrupted)", read(s1, buf, sizeof buf));
	arm_alarm();
	SHOW("recv(interrupted)", recv(s1, buf, sizeof buf, 0));
	arm_alarm();
	SHOW("recvfrom(interrupted)", recvfrom(s1, buf, sizeof buf, 0, NULL, NULL));
	iov[0] = (struct iovec){buf, sizeof buf};
	msg.msg_iovlen = 1;
	arm_alarm();
	SHOW("recvmsg(interrupted)", recvmsg(s1, &msg, 0));
	arm_alarm();
	SHOW("readv(interrupted)", readv(s1, iov, 1));
	arm_alarm();
	SHOW("accept(interrupted)", accept(lfd, NULL, NULL));
	printf("alarms=%d\n", (int)alarms);

	/* shutdown, and EOF through every read-side call */
	SHOW("shutdown(c1, SHUT_WR)", shutdown(c1, SHUT_WR));
	SHOW("read(at EOF)", read(s1, buf, sizeof buf));
	SHOW("recv(at EOF)", recv(s1, buf, sizeof buf, 0));
	SHOW("recvfrom(at EOF)", recvfrom(s1, buf, sizeof buf, 0, NULL, NULL));
	SHOW("recvmsg(at EOF)", recvmsg(s1, &msg, 0));
	SHOW("readv(at EOF)", readv(s1, iov, 1));
	SHOW("shutdown(bad how)", shutdown(s1, 42));
	SHOW("shutdown(unconnected)", shutdown(lone, SHUT_RDWR));
	SHOW("shutdown(pipe)", shutdown(pfd[0], SHUT_RDWR));
	SHOW("shutdown(bad fd)", shutdown(-1, SHUT_RDWR));
	SHOW("shutdown(s1, SHUT_RDWR)", shutdown(s1, SHUT_RDWR));
	SHOW("read(c1 after peer shutdown)", read(c1, buf, sizeof buf));
	SHOW("shutdown(c3, SHUT_WR)", shutdown(c3, SHUT_WR));
	set_nonblocking(s2, 0); /* wait for the FIN rather than race it */
	SHOW("read(s2 at EOF)", read(s2, buf, sizeof buf));

	/* the write side, zero-length calls and the fortified reads, on a fresh pair */
	{
		int c4, s4, p2[2] = {-1, -1}, p3[2] = {-1, -1};
		struct iovec wv[2] = {{"fg", 2}, {"h", 1}};
		struct msghdr wm = {.msg_iov = wv, .msg_iovlen = 2};

		SHOW_INTO(c4, "socket(c4)", socket(AF_INET, SOCK_STREAM, 0));
		SHOW("connect(c4)", connect(c4, (struct sockaddr *)&to, sizeof to));
		SHOW_INTO(s4, "accept(s4)", accept(lfd, NULL, NULL));
		SHOW("write(c4)", write(c4, "ab", 2));
		SHOW("send(c4)", send(c4, "cd", 2, 0));
		SHOW("sendto(c4)", sendto(c4, "e", 1, 0, NULL, 0));
		SHOW("writev(c4)", writev(c4, wv, 2));
		SHOW("sendmsg(c4)", sendmsg(c4, &wm, 0));
		SHOW("write(c4, 0 bytes)", write(c4, "", 0));
		SHOW("read(s4, 0 bytes)", read(s4, buf, 0));
		SHOW("recv(s4, 0 bytes)", recv(s4, buf, 0, 0));
		SHOW_DATA("__read_chk(s4, 2)", __read_chk(s4, buf, 2, sizeof buf), buf);
		SHOW_DATA("__recv_chk(s4, 2)", __recv_chk(s4, buf, 2, sizeof buf, 0), buf);
		SHOW_DATA("__recvfrom_chk(s4, 4)",
			  __recvfrom_chk(s4, buf, 4, sizeof buf, 0, NULL, NULL), buf);
		SHOW_DATA("read(s4, rest)", read(s4, buf, sizeof buf), buf);
		SHOW("write(bad fd)", write(-1, "x", 1));
		SHOW("send(pipe)", send(pfd[0], "x", 1, 0));
		SHOW("send(unconnected, NOSIGNAL)", send(lone, "x", 1, MSG_NOSIGNAL));
		SHOW("sendto(bad fd)", sendto(-1, "x", 1, 0, NULL, 0));
		SHOW("writev(bad fd)", writev(-1, wv, 2));
		SHOW("sendmsg(bad fd)", sendmsg(-1, &wm, 0));
		SHOW("shutdown(c4, SHUT_WR)", shutdown(c4, SHUT_WR));
		SHOW("__read_chk(s4 at EOF)", __read_chk(s4, buf, sizeof buf, sizeof buf));
		SHOW("__recv_chk(s4 at EOF)", __recv_chk(s4, buf, sizeof buf, sizeof buf, 0));
		SHOW("close(c4)", close(c4));
		SHOW("close(s4)", close(s4));
		SHOW("pipe", pipe(p2));
		printf("pipe fds = %d %d\n", p2[0], p2[1]);
		SHOW("pipe2(O_CLOEXEC)", pipe2(p3, O_CLOEXEC));
		printf("pipe2 fds = %d %d\n", p3[0], p3[1]);
		SHOW("pipe2(bad flags)", pipe2(p3, 0x7ff00000));
		close(p2[0]);
		close(p2[1]);
		close(p3[0]);
		close(p3[1]);
	}

	/* credentials: the ids the process already has succeed, nonsense fails */
	SHOW("setuid(own)", setuid(getuid()));
	SHOW("setgid(own)", setgid(getgid()));
	SHOW("seteuid(own)", seteuid(geteuid()));
	SHOW("setegid(own)", setegid(getegid()));
	SHOW("setreuid(-1, -1)", setreuid((uid_t)-1, (uid_t)-1));
	SHOW("setregid(-1, -1)", setregid((gid_t)-1, (gid_t)-1));
	SHOW("setresuid(-1, -1, -1)", setresuid((uid_t)-1, (uid_t)-1, (uid_t)-1));
	SHOW("setresgid(-1, -1, -1)", setresgid((gid_t)-1, (gid_t)-1, (gid_t)-1));
	SHOW("setuid(-1)", setuid((uid_t)-1));
	SHOW("setgroups(too many)", setgroups((size_t)1 << 30, NULL));
	SHOW("initgroups(nobody's user, bad)", initgroups("sockleak-no-such-user", (gid_t)-1));

	/* close everything */
	SHOW("close(s1)", close(s1));
	SHOW("close(s2)", close(s2));
	SHOW("close(c1)", close(c1));
	SHOW("close(c3)", close(c3));
	SHOW("close(lone)", close(lone));
	SHOW("close(lfd)", close(lfd));
	SHOW("close(pipe)", close(pfd[0]));
	SHOW("close(pipe again)", close(pfd[0]));
	close(pfd[1]);
	return 3;
}
