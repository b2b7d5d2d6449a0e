/* Signals that land inside sockleak's wrappers. Two I/O threads echo messages over loopback TCP
 * connections of their own (and open and close a connection every 64 rounds), while a third
 * thread sends them SIGUSR1 (SA_RESTART) and SIGUSR2 (no SA_RESTART: the I/O loop sees EINTR)
 * as fast as it can. The handlers call wrapped functions: close(dup(fd)) of a tracked socket
 * (a close_shared record from a handler), read() of an empty non-blocking socket (EAGAIN), and
 * read() of a socket at EOF (0).
 * Usage: st_signals ROUNDS MIN_SIGNALS: each I/O thread runs ROUNDS/2 rounds and on until
 * MIN_SIGNALS have been handled (at most 30 s). Prints "done ROUNDS SIGNALS HANDLER_ERRORS
 * IO_ERRORS", exits 0. */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>

#include "tl.h"

static int lfd, port, hfd, efd;
static atomic_ulong nsig, herr, ioerr, total_rounds;
static unsigned long min_signals;
static long long deadline;
static atomic_int running = 1;
/* The I/O threads stay alive until the signaller has stopped: pthread_kill of a joined thread
 * is undefined. */
static pthread_barrier_t loops_done, signals_done;

static void handler(int sig)
{
	int saved = errno, d = dup(hfd);
	char c;

	(void)sig;
	atomic_fetch_add(&nsig, 1);
	if (d < 0 || close(d) != 0)
		atomic_fetch_add(&herr, 1);
	if (read(hfd, &c, 1) != -1 || errno != EAGAIN)
		atomic_fetch_add(&herr, 1);
	if (read(efd, &c, 1) != 0)
		atomic_fetch_add(&herr, 1);
	errno = saved;
}

/* A connected pair through a listener of the calling thread's own (a shared one would let
 * the threads accept each other's connections). */
static int pair_on(int l, int lport, int *server_side)
{
	int c = tl_connect(lport), a;

	while ((a = accept(l, NULL, NULL)) < 0 && errno == EINTR)
		;
	if (c < 0 || a < 0)
		return -1;
	*server_side = a;
	return c;
}

static int pair(int *server_side) { return pair_on(lfd, port, server_side); }

static void *io_thread(void *arg)
{
	long rounds = (long)arg;
	char out[256], in[256];
	int a, b, myport, mylfd = tl_listen(&myport, 0);

	long r;

	for (r = 0; (r < rounds || atomic_load(&nsig) < min_signals) && tl_now_ms() < deadline;
	     r++) {
		if (r % 64 == 0) {
			if (r && (close(a) || close(b)))
				atomic_fetch_add(&ioerr, 1);
			b = -1;
			/* accept/connect may be interrupted: retry like a real program */
			while ((a = pair_on(mylfd, myport, &b)) < 0) {
				if (errno != EINTR) {
					atomic_fetch_add(&ioerr, 1);
					return NULL;
				}
			}
		}
		for (int i = 0; i < (int)sizeof out; i++)
			out[i] = (char)(r + i);
		if (tl_write_all(a, out, sizeof out) || tl_read_full(b, in, sizeof in) ||
		    memcmp(in, out, sizeof in) || tl_write_all(b, in, sizeof in) ||
		    tl_read_full(a, out, sizeof out))
			atomic_fetch_add(&ioerr, 1);
	}
	close(a);
	close(b);
	close(mylfd);
	atomic_fetch_add(&total_rounds, (unsigned long)r);
	pthread_barrier_wait(&loops_done);
	pthread_barrier_wait(&signals_done);
	return NULL;
}

static void *signaller(void *arg)
{
	pthread_t *t = arg;

	for (unsigned long i = 0; atomic_load(&running); i++) {
		struct timespec ts = {0, 20000};

		pthread_kill(t[i % 2], (i / 2) % 2 ? SIGUSR2 : SIGUSR1);
		/* A pause lets each signal land before the next: pending signals coalesce. */
		nanosleep(&ts, NULL);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	long rounds = tl_arg(argc, argv, 1, 20000);

	min_signals = (unsigned long)tl_arg(argc, argv, 2, 20000);
	deadline = tl_now_ms() + 30000;
	struct sigaction sa = {.sa_handler = handler};
	pthread_t io[2], sg;
	int x, ea;

	lfd = tl_listen(&port, 0);
	hfd = pair(&x);
	efd = pair(&ea);
	if (hfd < 0 || efd < 0)
		tl_die("pair");
	close(ea); /* efd's peer is gone: efd reads EOF */
	fcntl(hfd, F_SETFL, O_NONBLOCK);
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_flags = 0;
	sigaction(SIGUSR2, &sa, NULL);
	pthread_barrier_init(&loops_done, NULL, 3);
	pthread_barrier_init(&signals_done, NULL, 3);
	for (int i = 0; i < 2; i++)
		if (pthread_create(&io[i], NULL, io_thread, (void *)(rounds / 2)))
			tl_die("pthread_create");
	if (pthread_create(&sg, NULL, signaller, io))
		tl_die("pthread_create");
	pthread_barrier_wait(&loops_done);
	atomic_store(&running, 0);
	pthread_join(sg, NULL);
	pthread_barrier_wait(&signals_done);
	pthread_join(io[0], NULL);
	pthread_join(io[1], NULL);
	tl_say("done %lu %lu %lu %lu", atomic_load(&total_rounds), atomic_load(&nsig),
	       atomic_load(&herr), atomic_load(&ioerr));
	close(hfd);
	close(x);
	close(efd);
	return 0;
}
