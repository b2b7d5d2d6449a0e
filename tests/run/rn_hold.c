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
 *   rn_hold many   RN_MANY connections, each opened by code of its own (a socket() call on a
 *                  line of its own), read to EOF in one function, all open at exit: RN_MANY
 *                  sites, more leaks than the exit summary lists (it said 32 sites: those it
 *                  listed)
 * Prints "ready" when the sockets are set up, "closed" after a late close. */
#include "tl.h"

#include <poll.h>
#include <string.h>

/* A line on stdin, or 60 s: a lost test still ends. */
static void wait_line(void)
{
	struct pollfd p = {.fd = 0, .events = POLLIN};
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

/* Exported (run.mk): the library names native frames by their dynamic symbols only, and a
 * suppression of this function must match in the library as in the tools. */
int drained_b(int fd);
__attribute__((noinline)) int drained_b(int fd)
{
	char buf[64];

	while (read(fd, buf, sizeof(buf)) > 0) /* RN_HOLD_EOF_B_LINE */
		;
	return fd;
}

static __attribute__((noinline)) int caller_1(int port)
{
	return drained_a(tl_connect_or_die(port));
}
static __attribute__((noinline)) int caller_2(int port)
{
	return drained_a(tl_connect_or_die(port));
}
static __attribute__((noinline)) int caller_3(int port)
{
	return drained_b(tl_connect_or_die(port));
}

/* `many`: one opener per site, each its own socket() call on its own line. */
#define RN_MANY 40
/* clang-format off */
#define RN_OPENER(n)                                                                           \
	static __attribute__((noinline)) int rn_open_##n(const struct sockaddr_in *a)         \
	{                                                                                       \
		int fd = socket(AF_INET, SOCK_STREAM, 0);                                       \
		if (fd < 0 || connect(fd, (const struct sockaddr *)a, sizeof(*a)))             \
			tl_die("connect");                                                      \
		return fd;                                                                      \
	}
/* clang-format on */
RN_OPENER(0)
RN_OPENER(1)
RN_OPENER(2)
RN_OPENER(3)
RN_OPENER(4)
RN_OPENER(5)
RN_OPENER(6)
RN_OPENER(7)
RN_OPENER(8)
RN_OPENER(9)
RN_OPENER(10)
RN_OPENER(11)
RN_OPENER(12)
RN_OPENER(13)
RN_OPENER(14)
RN_OPENER(15)
RN_OPENER(16)
RN_OPENER(17)
RN_OPENER(18)
RN_OPENER(19)
RN_OPENER(20)
RN_OPENER(21)
RN_OPENER(22)
RN_OPENER(23)
RN_OPENER(24)
RN_OPENER(25)
RN_OPENER(26)
RN_OPENER(27)
RN_OPENER(28)
RN_OPENER(29)
RN_OPENER(30)
RN_OPENER(31)
RN_OPENER(32)
RN_OPENER(33)
RN_OPENER(34)
RN_OPENER(35)
RN_OPENER(36)
RN_OPENER(37)
RN_OPENER(38)
RN_OPENER(39)
static int (*const rn_openers[RN_MANY])(const struct sockaddr_in *) = {
	rn_open_0,  rn_open_1,  rn_open_2,  rn_open_3,  rn_open_4,  rn_open_5,  rn_open_6,
	rn_open_7,  rn_open_8,  rn_open_9,  rn_open_10, rn_open_11, rn_open_12, rn_open_13,
	rn_open_14, rn_open_15, rn_open_16, rn_open_17, rn_open_18, rn_open_19, rn_open_20,
	rn_open_21, rn_open_22, rn_open_23, rn_open_24, rn_open_25, rn_open_26, rn_open_27,
	rn_open_28, rn_open_29, rn_open_30, rn_open_31, rn_open_32, rn_open_33, rn_open_34,
	rn_open_35, rn_open_36, rn_open_37, rn_open_38, rn_open_39,
};

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
	if (!strcmp(mode, "many")) {
		struct sockaddr_in a = {.sin_family = AF_INET,
					.sin_port = htons((uint16_t)port),
					.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};

		tl_closing_peers(lfd, RN_MANY);
		for (int i = 0; i < RN_MANY; i++)
			(void)drained_a(rn_openers[i](&a));
		ready();
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
