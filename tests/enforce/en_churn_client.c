/* Client for the enforcement race test (never preloaded): T threads, N connections each.
 *   MODE echo   K messages of 64 bytes per connection, each echo checked byte for byte; then
 *               shutdown(SHUT_WR) and a read that must return 0 (a clean FIN, not a reset)
 *   MODE late   one 64-byte request, shutdown(SHUT_WR), then the 64-byte reply and EOF
 * Usage: en_churn_client PORT T N K MODE
 * Prints "done OK RESETS SHORT MISMATCH CONNFAIL OTHER FIRST_ERRNO". */
#include <pthread.h>
#include <signal.h>

#include "tl.h"

#define MSG 64

static int port, nconn, nmsg, late;
static unsigned long ok, resets, shorts, mismatch, connfail, other;
static int first_errno;

static void bad(unsigned long *c, int e)
{
	__atomic_add_fetch(c, 1, __ATOMIC_RELAXED);
	if (e)
		__atomic_compare_exchange_n(&first_errno, &(int){0}, e, 0, __ATOMIC_RELAXED,
					    __ATOMIC_RELAXED);
}

static void fail_io(int e)
{
	if (e == 0)
		bad(&shorts, 0);
	else if (e == ECONNRESET || e == EPIPE)
		bad(&resets, e);
	else
		bad(&other, e);
}

static int one_connection(long id)
{
	char out[MSG], in[MSG], x;
	int fd = tl_connect(port);
	ssize_t n;

	if (fd < 0) {
		bad(&connfail, errno);
		return -1;
	}
	for (int k = 0; k < (late ? 1 : nmsg); k++) {
		for (int i = 0; i < MSG; i++)
			out[i] = (char)('a' + (id * 7 + k * 3 + i) % 26);
		if (tl_write_all(fd, out, MSG)) {
			fail_io(errno);
			goto out;
		}
		if (late && shutdown(fd, SHUT_WR)) {
			bad(&other, errno);
			goto out;
		}
		if (tl_read_full(fd, in, MSG)) {
			fail_io(errno);
			goto out;
		}
		if (memcmp(in, out, MSG)) {
			bad(&mismatch, 0);
			goto out;
		}
	}
	if (!late && shutdown(fd, SHUT_WR)) {
		bad(&other, errno);
		goto out;
	}
	while ((n = read(fd, &x, 1)) < 0 && errno == EINTR)
		;
	if (n != 0) {
		fail_io(n < 0 ? errno : EPROTO);
		goto out;
	}
	__atomic_add_fetch(&ok, 1, __ATOMIC_RELAXED);
out:
	close(fd);
	return 0;
}

static void *run(void *arg)
{
	long t = (long)arg;

	for (long i = 0; i < nconn; i++)
		one_connection(t * nconn + i);
	return NULL;
}

int main(int argc, char **argv)
{
	int threads = tl_arg(argc, argv, 2, 4);
	pthread_t t[64];

	port = tl_arg(argc, argv, 1, 0);
	nconn = tl_arg(argc, argv, 3, 100);
	nmsg = tl_arg(argc, argv, 4, 4);
	late = argc > 5 && !strcmp(argv[5], "late");
	signal(SIGPIPE, SIG_IGN);
	if (threads > 64)
		threads = 64;
	for (long i = 0; i < threads; i++)
		if (pthread_create(&t[i], NULL, run, (void *)i))
			tl_die("pthread_create");
	for (int i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	tl_say("done %lu %lu %lu %lu %lu %lu %d", ok, resets, shorts, mismatch, connfail, other,
	       first_errno);
	return 0;
}
