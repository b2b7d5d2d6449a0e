/* Clients of case 6 (see sc_clean_server): correct programs, preloaded too, never reported.
 *   halfclose              request, shutdown(SHUT_WR), read the reply to EOF, close.
 *   keepalive ROUNDS GAP   ROUNDS ping/pong exchanges GAP ms apart on one connection, close.
 *   brief_cw               request, close.
 * Usage: sc_clean_client PORT MODE [ROUNDS GAP_MS]    prints "reply N" / "rounds N" / "sent". */
#include "tl.h"

static int read_to_eof(int fd, size_t *total)
{
	char buf[512];
	ssize_t n;
	*total = 0;
	while ((n = read(fd, buf, sizeof buf)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		*total += (size_t)n;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 2 ? argv[2] : "";
	int fd = tl_connect(tl_arg(argc, argv, 1, 0));

	if (fd < 0)
		tl_die("connect");
	if (strcmp(mode, "halfclose") == 0) {
		size_t got;
		if (tl_write_all(fd, "request\n", 8) != 0 || shutdown(fd, SHUT_WR) != 0 ||
		    read_to_eof(fd, &got) != 0)
			tl_die("halfclose");
		tl_say("reply %zu", got);
	} else if (strcmp(mode, "keepalive") == 0) {
		int rounds = tl_arg(argc, argv, 3, 10), gap = tl_arg(argc, argv, 4, 100), i;
		for (i = 0; i < rounds; i++) {
			char resp[5];
			size_t got = 0;
			if (i > 0)
				tl_sleep_ms(gap);
			if (tl_write_all(fd, "ping\n", 5) != 0)
				tl_die("write");
			while (got < sizeof resp) {
				ssize_t n = read(fd, resp + got, sizeof resp - got);
				if (n <= 0)
					tl_die("read pong");
				got += (size_t)n;
			}
		}
		tl_say("rounds %d", i);
	} else if (strcmp(mode, "brief_cw") == 0) {
		if (tl_write_all(fd, "request\n", 8) != 0)
			tl_die("write");
		tl_say("sent");
	} else {
		return TL_EXIT_SETUP;
	}
	if (close(fd) != 0)
		tl_die("close");
	return 0;
}
