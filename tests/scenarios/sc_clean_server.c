/* Case 6, clean servers: each mode is a correct program that sockleak must never report.
 *   halfclose REPLY_MS  the client half-closes (shutdown(SHUT_WR)) after its request; we read
 *                       to EOF, then write the reply slowly over REPLY_MS (< grace_ms: the
 *                       socket is past EOF that long, legitimately), then close.
 *   keepalive           ping/pong on one idle-between-requests connection until the client
 *                       closes; we read that EOF and close at once.
 *   brief_cw            we accept and do not read while the client has already closed (a
 *                       brief, legitimate CLOSE_WAIT) until run.py says "go" on stdin (well
 *                       before grace_ms); then we read to EOF and close.
 * Proves: no `leak` record at all, in either process (the clients are preloaded too).
 * Usage: sc_clean_server MODE [REPLY_MS]    prints "port P", then "closed". */
#include "tl.h"

int serve_halfclose(int fd, int reply_ms);
int serve_keepalive(int fd);
int serve_brief_close_wait(int fd);

static int drain_to_eof(int fd)
{
	char buf[512];
	ssize_t n;
	while ((n = read(fd, buf, sizeof buf)) != 0)
		if (n < 0 && errno != EINTR)
			return -1;
	return 0;
}

int serve_halfclose(int fd, int reply_ms)
{
	static const char chunk[] = "reply-chunk\n"; /* 12 bytes, 8 of them: run.py checks 96 */
	if (drain_to_eof(fd) != 0)
		return -1;
	for (int i = 0; i < 8; i++) {
		tl_sleep_ms(reply_ms / 8);
		if (tl_write_all(fd, chunk, sizeof chunk - 1) != 0)
			return -1;
	}
	return close(fd);
}

int serve_keepalive(int fd)
{
	char req[5];
	for (;;) {
		size_t got = 0;
		while (got < sizeof req) {
			ssize_t n = read(fd, req + got, sizeof req - got);
			if (n == 0 && got == 0)
				return close(fd); /* the client is done: EOF, close at once */
			if (n <= 0)
				return -1;
			got += (size_t)n;
		}
		if (tl_write_all(fd, "pong\n", 5) != 0)
			return -1;
	}
}

int serve_brief_close_wait(int fd)
{
	char line[16];
	tl_say("accepted");
	if (tl_stdin_line(line, sizeof line, 10000) <= 0)
		return -1;
	if (drain_to_eof(fd) != 0)
		return -1;
	return close(fd);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	int port, lfd = tl_listen(&port, 0), fd, rc;

	tl_say("port %d", port);
	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		tl_die("accept");
	if (strcmp(mode, "halfclose") == 0)
		rc = serve_halfclose(fd, tl_arg(argc, argv, 2, 200));
	else if (strcmp(mode, "keepalive") == 0)
		rc = serve_keepalive(fd);
	else if (strcmp(mode, "brief_cw") == 0)
		rc = serve_brief_close_wait(fd);
	else
		return TL_EXIT_SETUP;
	if (rc != 0)
		tl_die(mode);
	tl_say("closed");
	tl_wait_stdin_eof();
	return 0;
}
