/* A thread with a 16 KiB stack, glibc's smallest (issue 10): sockleak's thread-local storage
 * comes out of every thread's stack, so 33 KiB of it made pthread_create fail with EINVAL.
 * The thread also goes through sockleak's slow paths (a socket, its stack, an EOF, the first
 * record of the log). A second 16 KiB thread runs a program with execl in a forked child; its
 * stack has 64 KiB of PROT_NONE below it, so a wrapper that needs more stack than the program
 * faults there instead of writing over whatever memory lies below.
 * Then execl with 5,000 arguments, which glibc passes on to the kernel as any other list.
 * Prints "create ERR" and, when created, "ran 1", then "execl STATUS", "execl_many STATUS". */
#include "tl.h"

#include <pthread.h>
#include <sys/mman.h>
#include <sys/wait.h>

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

/* glibc's execl sizes its argv to the arguments given, on the caller's stack. */
static void *run_execl(void *arg)
{
	pid_t p = fork();
	int st = -1;

	(void)arg;
	if (p == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	if (p > 0)
		waitpid(p, &st, 0);
	return (void *)(long)st;
}

static void execl_on_small_stack(void)
{
	size_t guard = 65536, size = 16384;
	char *m = mmap(NULL, guard + size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pthread_attr_t a;
	pthread_t t;
	void *res = (void *)-1L;

	if (m == MAP_FAILED || mprotect(m + guard, size, PROT_READ | PROT_WRITE))
		tl_die("mmap");
	pthread_attr_init(&a);
	if (pthread_attr_setstack(&a, m + guard, size) || pthread_create(&t, &a, run_execl, NULL))
		tl_die("pthread_create");
	pthread_join(t, &res);
	tl_say("execl %ld", (long)res);
}

#define A10(a) a, a, a, a, a, a, a, a, a, a,
#define A100(a) A10(a) A10(a) A10(a) A10(a) A10(a) A10(a) A10(a) A10(a) A10(a) A10(a)
#define A1000(a) A100(a) A100(a) A100(a) A100(a) A100(a) A100(a) A100(a) A100(a) A100(a) A100(a)

static void execl_many(void)
{
	pid_t p = fork();
	int st = -1;

	if (p == 0) {
		execl("/bin/true", "true",
		      A1000("x") A1000("x") A1000("x") A1000("x") A1000("x")(char *) NULL);
		_exit(127);
	}
	if (p > 0)
		waitpid(p, &st, 0);
	tl_say("execl_many %d", st);
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
	execl_on_small_stack();
	execl_many();
	return 0;
}
