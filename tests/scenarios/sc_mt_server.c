/* Case 4, a multithreaded server under load: WORKERS threads accept from one listener until
 * TOTAL connections are handled. Every connection is read to EOF; every EVERY-th one (by the
 * order handling finishes) is then forgotten instead of closed.
 * Proves: exactly TOTAL/EVERY `eof_unclosed` leaks, one per leaked socket (distinct inodes, the
 * ones listed in "sock" lines), and none for the TOTAL - TOTAL/EVERY sockets closed properly,
 * although their fd numbers are reused thousands of times across threads.
 * Usage: sc_mt_server TOTAL WORKERS EVERY
 *        prints "port P", then after all are handled "sock FD INODE" per leak and "handled N". */
#include <pthread.h>
#include <stdatomic.h>

#include "tl.h"

#define MAX_WORKERS 64

static int lfd, total, every;
static atomic_int claimed, handled;
static pthread_mutex_t leaked_lock = PTHREAD_MUTEX_INITIALIZER;
static int leaked[4096], nleaked;

void read_request_to_eof(int fd);
void serve_connection(int fd);

void read_request_to_eof(int fd)
{
	char buf[256];
	ssize_t n;
	while ((n = read(fd, buf, sizeof buf)) != 0)
		if (n < 0 && errno != EINTR)
			tl_die("read");
}

void serve_connection(int fd)
{
	read_request_to_eof(fd);
	if ((atomic_fetch_add(&handled, 1) + 1) % every == 0) {
		/* the bug under test: this path forgets close(fd) */
		pthread_mutex_lock(&leaked_lock);
		if (nleaked < (int)(sizeof leaked / sizeof leaked[0]))
			leaked[nleaked++] = fd;
		pthread_mutex_unlock(&leaked_lock);
		return;
	}
	if (close(fd) != 0)
		tl_die("close");
}

static void *worker(void *arg)
{
	(void)arg;
	/* Claim a connection before accepting it, so exactly TOTAL accepts happen in all. */
	while (atomic_fetch_add(&claimed, 1) < total) {
		int fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			tl_die("accept");
		serve_connection(fd);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int nworkers = tl_arg(argc, argv, 2, 4), port;
	pthread_t t[MAX_WORKERS];

	total = tl_arg(argc, argv, 1, 2000);
	every = tl_arg(argc, argv, 3, 50);
	if (nworkers < 1 || nworkers > MAX_WORKERS || every < 1)
		return TL_EXIT_SETUP;
	lfd = tl_listen(&port, 0);
	tl_say("port %d", port);
	for (int i = 0; i < nworkers; i++)
		if (pthread_create(&t[i], NULL, worker, NULL) != 0)
			return TL_EXIT_SETUP;
	for (int i = 0; i < nworkers; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < nleaked; i++)
		tl_report_sock(leaked[i]);
	tl_say("handled %d", atomic_load(&handled));
	tl_wait_stdin_eof();
	return 0;
}
