/* A thread with a 16 KiB stack, glibc's smallest (issue 10): sockleak's thread-local storage
 * comes out of every thread's stack, so 33 KiB of it made pthread_create fail with EINVAL.
 * The thread also goes through sockleak's slow paths (a socket, its stack, an EOF, the first
 * record of the log).
 * Prints "create ERR" and, when created, "ran 1". */
#include "tl.h"

#include <pthread.h>

static int port, lfd;

static void *run(void *arg)
{
	int fd = tl_accepted_at_eof(lfd, port), d = dup(fd);

	(void)arg;
	/* A close that leaves a duplicate open writes a close_shared record: the log is opened,
	 * its start record and a stack written, all on this thread's stack. */
	close(fd);
	close(d);
	return (void *)1;
}

int main(void)
{
	pthread_attr_t a;
	pthread_t t;
	void *res = NULL;
	int err;

	lfd = tl_listen(&port, 0);
	pthread_attr_init(&a);
	if (pthread_attr_setstacksize(&a, 16384))
		tl_die("pthread_attr_setstacksize");
	err = pthread_create(&t, &a, run, NULL);
	tl_say("create %d", err);
	if (!err) {
		pthread_join(t, &res);
		tl_say("ran %d", res == (void *)1);
	}
	return 0;
}
