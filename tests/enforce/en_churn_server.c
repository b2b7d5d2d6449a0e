/* A healthy multithreaded echo server for the enforcement race test: W threads accept on one
 * listener; each connection is served to EOF and closed at once. Every failure the program
 * could see is counted: read errors, write errors or short writes, close() failures.
 *
 * Usage: en_churn_server W MODE [DELAY_MS]
 *   MODE echo       echo each MSG-byte message back; at EOF close
 *   MODE linger     as echo, but wait DELAY_MS between the EOF and the close (cleanup work):
 *                   still healthy, every reply is out, but the socket sits past EOF meanwhile
 *   MODE late       read one request, read to EOF, wait DELAY_MS, then reply and close (a reply
 *                   after the client's half-close)
 *   MODE late-ok    as late, with sockleak_half_close_ok() on every connection
 * Prints "port P"; command "stats" prints "stats CONNS MSGS RERR WERR CERR FIRST_ERRNO".
 * Exits at stdin EOF. */
#include <pthread.h>
#include <signal.h>
#include <sockleak.h>

#include "tl.h"

#define MSG 64

static int lfd, mode, delay_ms;
static unsigned long conns, msgs, rerr, werr, cerr;
static int first_errno;

static void count(unsigned long *c, int e)
{
	__atomic_add_fetch(c, 1, __ATOMIC_RELAXED);
	if (e)
		__atomic_compare_exchange_n(&first_errno, &(int){0}, e, 0, __ATOMIC_RELAXED,
					    __ATOMIC_RELAXED);
}

/* Read a whole message; 1 on a message, 0 on EOF at a message boundary, -1 on error. */
static int read_msg(int fd, char *buf)
{
	size_t got = 0;

	while (got < MSG) {
		ssize_t n = read(fd, buf + got, MSG - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			count(&rerr, errno);
			return -1;
		}
		if (n == 0) {
			if (got)
				count(&rerr, EPROTO);
			return got ? -1 : 0;
		}
		got += (size_t)n;
	}
	return 1;
}

void serve_connection(int c);

void serve_connection(int c)
{
	char buf[MSG];
	int r;

	if (mode == 0 || mode == 3) {
		while ((r = read_msg(c, buf)) == 1) {
			if (tl_write_all(c, buf, MSG)) {
				count(&werr, errno);
				break;
			}
			__atomic_add_fetch(&msgs, 1, __ATOMIC_RELAXED);
		}
		if (r == 0 && mode == 3)
			tl_sleep_ms(delay_ms);
	} else {
		if (mode == 2)
			sockleak_half_close_ok(c);
		if (read_msg(c, buf) == 1 && read_msg(c, buf + 0) == 0) {
			tl_sleep_ms(delay_ms);
			if (tl_write_all(c, buf, MSG))
				count(&werr, errno);
			else
				__atomic_add_fetch(&msgs, 1, __ATOMIC_RELAXED);
		}
	}
	if (close(c) != 0)
		count(&cerr, errno);
	__atomic_add_fetch(&conns, 1, __ATOMIC_RELAXED);
}

static void *worker(void *arg)
{
	(void)arg;
	for (;;) {
		int c = accept(lfd, NULL, NULL);

		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			tl_die("accept");
		}
		serve_connection(c);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int w = tl_arg(argc, argv, 1, 8), port;
	const char *m = argc > 2 ? argv[2] : "echo";
	char cmd[64];

	mode = !strcmp(m, "late") ? 1 : !strcmp(m, "late-ok") ? 2 : !strcmp(m, "linger") ? 3 : 0;
	delay_ms = tl_arg(argc, argv, 3, 0);
	signal(SIGPIPE, SIG_IGN);
	lfd = tl_listen(&port, 0);
	for (int i = 0; i < w; i++) {
		pthread_t t;

		if (pthread_create(&t, NULL, worker, NULL))
			tl_die("pthread_create");
	}
	tl_say("port %d", port);
	while (tl_command(cmd, sizeof cmd) > 0)
		if (!strcmp(cmd, "stats"))
			tl_say("stats %lu %lu %lu %lu %lu %d",
			       __atomic_load_n(&conns, __ATOMIC_RELAXED),
			       __atomic_load_n(&msgs, __ATOMIC_RELAXED), rerr, werr, cerr,
			       first_errno);
	return 0;
}
