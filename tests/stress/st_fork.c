/* fork() hundreds of times while other threads open, dup and close sockets (and connect,
 * read EOF and close, so sockleak's state lock, stack capture and log are busy). Each child
 * uses the preload itself (socket, connect, dup, close), then exits normally (the exit-time
 * scan runs in the child). A child that does not exit within 10 s is hung: counted, killed.
 * Usage: st_fork FORKS THREADS [CHURN_PAUSE_US] (a pause per churn iteration keeps the 2-core
 * machine usable, the churn is still thousands of operations per second). Prints "done FORKS HUNG BADSTATUS CHURN_OPS", exits 0. */
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/wait.h>

#include "tl.h"

static int lfd, port;
static atomic_int running = 1;
static atomic_ulong ops;
static int pause_us;

static void *acceptor(void *arg)
{
	(void)arg;
	while (atomic_load(&running)) {
		int a = accept(lfd, NULL, NULL);

		if (a >= 0)
			close(a);
	}
	return NULL;
}

static void *churn(void *arg)
{
	(void)arg;
	for (unsigned long i = 0; atomic_load(&running); i++) {
		int s = socket(AF_INET, SOCK_STREAM, 0), d = dup(s),
		    e = fcntl(s, F_DUPFD_CLOEXEC, 0);

		close(s);
		close(d);
		close(e);
		if (i % 4 == 0) {
			int c = tl_connect(port);

			if (c >= 0) {
				tl_drain_to_eof(c, 5000);
				close(c);
			}
		}
		atomic_fetch_add(&ops, 1);
		if (pause_us) {
			struct timespec ts = {0, pause_us * 1000L};

			nanosleep(&ts, NULL);
		}
	}
	return NULL;
}

/* Where each thread of a hung child is: its kernel wait channel and system call, so that a
 * deadlock says where it is before the child is killed. */
static void describe_hung(pid_t p)
{
	char path[96], wchan[64], sc[128];
	DIR *d;
	struct dirent *e;

	snprintf(path, sizeof path, "/proc/%d/task", (int)p);
	if (!(d = opendir(path)))
		return;
	while ((e = readdir(d))) {
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		wchan[0] = sc[0] = '\0';
		snprintf(path, sizeof path, "/proc/%d/task/%.16s/wchan", (int)p, e->d_name);
		if ((f = fopen(path, "r"))) {
			if (!fgets(wchan, sizeof wchan, f))
				wchan[0] = '\0';
			fclose(f);
		}
		snprintf(path, sizeof path, "/proc/%d/task/%.16s/syscall", (int)p, e->d_name);
		if ((f = fopen(path, "r"))) {
			if (!fgets(sc, sizeof sc, f))
				sc[0] = '\0';
			sc[strcspn(sc, "\n")] = '\0';
			fclose(f);
		}
		tl_say("hung-thread %d %s wchan=%s syscall=%s", (int)p, e->d_name, wchan, sc);
	}
	closedir(d);
}

static void child(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0), c = tl_connect(port), d = dup(c);

	close(s);
	close(c);
	close(d);
	exit(0);
}

int main(int argc, char **argv)
{
	int forks = tl_arg(argc, argv, 1, 300), nthreads = tl_arg(argc, argv, 2, 4);
	int hung = 0, bad = 0;
	pthread_t t[16], acc;

	pause_us = tl_arg(argc, argv, 3, 0);

	lfd = tl_listen(&port, 0);
	if (nthreads > 16)
		nthreads = 16;
	if (pthread_create(&acc, NULL, acceptor, NULL))
		tl_die("pthread_create");
	for (int i = 0; i < nthreads; i++)
		if (pthread_create(&t[i], NULL, churn, NULL))
			tl_die("pthread_create");
	for (int i = 0; i < forks; i++) {
		pid_t p = fork();
		long long end;
		int st = 0;

		if (p < 0)
			tl_die("fork");
		if (p == 0)
			child();
		end = tl_now_ms() + 10000;
		for (;;) {
			pid_t r = waitpid(p, &st, WNOHANG);

			if (r == p)
				break;
			if (tl_now_ms() > end) {
				tl_say("hung %d", (int)p);
				describe_hung(p);
				hung++;
				kill(p, SIGKILL);
				waitpid(p, &st, 0);
				break;
			}
			tl_sleep_ms(1);
		}
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			bad++;
	}
	atomic_store(&running, 0);
	for (int i = 0; i < nthreads; i++)
		pthread_join(t[i], NULL);
	tl_say("done %d %d %d %lu", forks, hung, bad, atomic_load(&ops));
	/* The acceptor may sit in accept(): a normal exit ends it. */
	return 0;
}
