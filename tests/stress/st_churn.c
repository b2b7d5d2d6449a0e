/* Many threads churning descriptors while the watchdog scans: T client threads each make N
 * connections to W server threads of the same process. Per connection, by i % 3: plain;
 * dup() then close the original (one close_shared) and talk through the dup; fcntl(F_DUPFD)
 * then close the copy (one close_shared). Each side checks the exchange; the server reads the
 * client's EOF and closes. Every socket but the listener is closed at the end, so the counts
 * in sockleak's exit record are exact: tracked = 1 + 2*T*N, open = 1.
 * Usage: st_churn T N W. Prints "done CONNS CLOSE_SHARED_EXPECTED ERRORS", exits at stdin EOF. */
#include <pthread.h>
#include <stdatomic.h>

#include "tl.h"

static int lfd, port, per;
static atomic_ulong errors, shared_expected, served;

static void *server(void *arg)
{
	(void)arg;
	for (;;) {
		char buf[32];
		int a = accept(lfd, NULL, NULL);

		if (a < 0) {
			if (errno != EINTR)
				atomic_fetch_add(&errors, 1);
			continue;
		}
		if (tl_read_full(a, buf, sizeof buf) || tl_write_all(a, buf, sizeof buf) ||
		    tl_drain_to_eof(a, 10000) || close(a))
			atomic_fetch_add(&errors, 1);
		atomic_fetch_add(&served, 1);
	}
	return NULL;
}

static void *client(void *arg)
{
	long t = (long)arg;

	for (int i = 0; i < per; i++) {
		char out[32], in[32];
		int c = tl_connect(port), use = c;

		if (c < 0) {
			atomic_fetch_add(&errors, 1);
			continue;
		}
		if (i % 3 == 1) {
			use = dup(c);
			if (use < 0 || close(c))
				atomic_fetch_add(&errors, 1);
			atomic_fetch_add(&shared_expected, 1);
		} else if (i % 3 == 2) {
			int e = fcntl(c, F_DUPFD_CLOEXEC, 0);

			if (e < 0 || close(e))
				atomic_fetch_add(&errors, 1);
			atomic_fetch_add(&shared_expected, 1);
		}
		memset(out, (int)('a' + (t + i) % 26), sizeof out);
		if (tl_write_all(use, out, sizeof out) || tl_read_full(use, in, sizeof in) ||
		    memcmp(in, out, sizeof in) || close(use))
			atomic_fetch_add(&errors, 1);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int nt = tl_arg(argc, argv, 1, 8), w = tl_arg(argc, argv, 3, 4);
	pthread_t t[64], s;

	per = tl_arg(argc, argv, 2, 300);
	if (nt > 64)
		nt = 64;
	lfd = tl_listen(&port, 0);
	for (int i = 0; i < w; i++)
		if (pthread_create(&s, NULL, server, NULL))
			tl_die("pthread_create");
	for (long i = 0; i < nt; i++)
		if (pthread_create(&t[i], NULL, client, (void *)i))
			tl_die("pthread_create");
	for (int i = 0; i < nt; i++)
		pthread_join(t[i], NULL);
	/* Bounded wait for the servers to close their side of every connection. */
	for (long long end = tl_now_ms() + 20000;
	     atomic_load(&served) < (unsigned long)nt * per && tl_now_ms() < end;)
		tl_sleep_ms(5);
	tl_say("done %lu %lu %lu", atomic_load(&served), atomic_load(&shared_expected),
	       atomic_load(&errors));
	tl_wait_stdin_eof();
	return 0;
}
