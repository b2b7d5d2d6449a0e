/* Sockets held on purpose, for the cases of issue 12 that `sockleak run` decides on:
 *   rn_hold idle   a connected pair with no I/O, held until a line on stdin, then exit
 *                  without closing: two `idle` leaks (with idle_ms)
 *   rn_hold late   a connection the peer closed, held in CLOSE_WAIT until a line on stdin,
 *                  then closed: a leak closed late
 *   rn_hold two    two connections opened and read to EOF by the same code: the first held
 *                  until a line on stdin (an eof_unclosed leak), the second open at exit (an
 *                  exit_open leak after an EOF): two leaks at one site
 *   rn_hold sites  three connections opened by one helper (tl_connect_or_die) called from three
 *                  callers, read to EOF in one function by two of them and in another by the
 *                  third, all open at exit: the same open frame, two EOF frames, so two sites,
 *                  though no two of the three stacks are equal (issue 12: the library's exit
 *                  summary counted stacks, three, and `sockleak report` frames, two)
 * Prints "ready" when the sockets are set up, "closed" after a late close. */
#include "tl.h"

#include <poll.h>
#include <string.h>

/* A line on stdin, or 60 s: a lost test still ends. */
static void wait_line(void)
{
	struct pollfd p = { .fd = 0, .events = POLLIN };
	char buf[64];

	if (poll(&p, 1, 60000) > 0 && read(0, buf, sizeof(buf)) < 0)
		tl_die("read stdin");
}

static void ready(void)
{
	printf("ready\n");
	fflush(stdout);
}

/* The one site of `two`: the connect and the EOF read are here, whoever calls. */
static int fetch_to_eof(int port)
{
	char buf[64];
	int fd = tl_connect_or_die(port); /* RN_HOLD_CONNECT_LINE */

	while (read(fd, buf, sizeof(buf)) > 0)
		;
	return fd;
}

/* The EOF reads of `sites`: one site frame each, whoever calls. */
static __attribute__((noinline)) int drained_a(int fd)
{
	char buf[64];

	while (read(fd, buf, sizeof(buf)) > 0) /* RN_HOLD_EOF_A_LINE */
		;
	return fd;
}

static __attribute__((noinline)) int drained_b(int fd)
{
	char buf[64];

	while (read(fd, buf, sizeof(buf)) > 0) /* RN_HOLD_EOF_B_LINE */
		;
	return fd;
}

static __attribute__((noinline)) int caller_1(int port) { return drained_a(tl_connect_or_die(port)); }
static __attribute__((noinline)) int caller_2(int port) { return drained_a(tl_connect_or_die(port)); }
static __attribute__((noinline)) int caller_3(int port) { return drained_b(tl_connect_or_die(port)); }

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	int port, lfd = tl_listen(&port, SOCK_CLOEXEC);

	if (!strcmp(mode, "idle")) {
		int c = tl_connect_or_die(port), a = accept(lfd, NULL, NULL);

		if (a < 0)
			tl_die("accept");
		ready();
		wait_line();
		(void)c;
		return 0;
	}
	if (!strcmp(mode, "late")) {
		int c;

		tl_closing_peers(lfd, 1);
		c = tl_connect_or_die(port);
		ready();
		wait_line();
		close(c);
		printf("closed\n");
		fflush(stdout);
		return 0;
	}
	if (!strcmp(mode, "two")) {
		tl_closing_peers(lfd, 2);
		for (int i = 0; i < 2; i++) {
			(void)fetch_to_eof(port);
			if (i == 0) {
				ready();
				wait_line();
			}
		}
		return 0;
	}
	if (!strcmp(mode, "sites")) {
		tl_closing_peers(lfd, 3);
		(void)caller_1(port);
		(void)caller_2(port);
		(void)caller_3(port);
		ready();
		return 0;
	}
	return 2;
}
