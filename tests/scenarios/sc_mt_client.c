/* Client of case 4: THREADS threads make TOTAL short connections between them; each sends a
 * request and closes (the active close, so these sockets are never in CLOSE_WAIT here). Run
 * with the preload too: it must report nothing for this process.
 * Usage: sc_mt_client PORT TOTAL THREADS    prints "done N" with the connections made. */
#include <pthread.h>
#include <stdatomic.h>

#include "tl.h"

#define MAX_THREADS 64

static int port;
static atomic_int made;

static void *client(void *arg)
{
	int n = *(int *)arg;
	for (int i = 0; i < n; i++) {
		int fd = tl_connect(port);
		if (fd < 0)
			tl_die("connect");
		if (tl_write_all(fd, "request\n", 8) != 0)
			tl_die("write");
		if (close(fd) != 0)
			tl_die("close");
		atomic_fetch_add(&made, 1);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int total = tl_arg(argc, argv, 2, 2000), nthreads = tl_arg(argc, argv, 3, 4);
	int share[MAX_THREADS];
	pthread_t t[MAX_THREADS];

	port = tl_arg(argc, argv, 1, 0);
	if (nthreads < 1 || nthreads > MAX_THREADS)
		return TL_EXIT_SETUP;
	for (int i = 0; i < nthreads; i++) {
		share[i] = total / nthreads + (i < total % nthreads);
		if (pthread_create(&t[i], NULL, client, &share[i]) != 0)
			return TL_EXIT_SETUP;
	}
	for (int i = 0; i < nthreads; i++)
		pthread_join(t[i], NULL);
	tl_say("done %d", atomic_load(&made));
	return 0;
}
