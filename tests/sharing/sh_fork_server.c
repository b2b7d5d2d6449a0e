/* A fork-per-connection server with the classic bug: the parent never closes its copy of the
 * accepted socket. Each child answers one request, closes the listener and its connection
 * (close_shared: the parent still holds both) and exits; in "hold" mode it keeps the
 * connection until SIGUSR1 first, so the driver can see who still holds what.
 *
 * Usage: sh_fork_server N exit|hold
 * Prints "port P", then per connection "sock FD INODE" and "forked CHILDPID FD", children print
 * "holding PID" (hold mode) and "child-closed PID"; the parent prints "reaped PID STATUS" for
 * each child, then "reaped-all", and exits when stdin reaches EOF. */
#include <signal.h>
#include <sys/wait.h>

#include "tl.h"

int accept_connection(int lfd);
void serve_child(int lfd, int c, int hold);

int accept_connection(int lfd)
{
	int c = accept(lfd, NULL, NULL);

	if (c < 0)
		tl_die("accept");
	return c;
}

void serve_child(int lfd, int c, int hold)
{
	char buf[64];
	ssize_t n = read(c, buf, sizeof buf);

	if (n <= 0 || tl_write_all(c, "ok\n", 3))
		_exit(TL_EXIT_SETUP);
	if (close(lfd) != 0)
		_exit(TL_EXIT_SETUP);
	if (hold) {
		sigset_t set;
		struct timespec ts = {TL_MAX_WAIT_MS / 1000, 0};

		sigemptyset(&set);
		sigaddset(&set, SIGUSR1);
		tl_say("holding %d", (int)getpid());
		if (sigtimedwait(&set, NULL, &ts) != SIGUSR1)
			_exit(TL_EXIT_SETUP);
	}
	if (close(c) != 0)
		_exit(TL_EXIT_SETUP);
	tl_say("child-closed %d", (int)getpid());
	exit(0); /* a normal exit: sockleak's exit-time scan runs in the child too */
}

int main(int argc, char **argv)
{
	int n = tl_arg(argc, argv, 1, 3), hold = argc > 2 && !strcmp(argv[2], "hold"), port;
	int lfd = tl_listen(&port, 0);
	sigset_t set;

	/* Blocked before fork, so a child can never miss the driver's SIGUSR1. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	tl_say("port %d", port);
	tl_say("listener %d %lu", lfd, tl_inode(lfd));
	for (int i = 0; i < n; i++) {
		int c = accept_connection(lfd);
		pid_t pid;

		tl_report_sock(c);
		pid = fork();
		if (pid < 0)
			tl_die("fork");
		if (pid == 0)
			serve_child(lfd, c, hold);
		tl_say("forked %d %d", (int)pid, c);
		/* The bug under test: no close(c) here. */
	}
	for (int i = 0; i < n; i++) {
		int st;
		pid_t p = waitpid(-1, &st, 0);

		if (p < 0)
			tl_die("waitpid");
		tl_say("reaped %d %d", (int)p, st);
	}
	tl_say("reaped-all");
	tl_wait_stdin_eof();
	return 0;
}
