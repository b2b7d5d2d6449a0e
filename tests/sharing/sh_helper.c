/* A long-running helper exec'd with an inherited TCP socket (its fd number in argv[1]): it
 * answers one request, reads the socket to EOF and forgets to close it. It never reads stdin
 * (it shares it with its parent); it exits normally on SIGUSR1.
 * Prints "helper-ready PID", "helper-eof PID". */
#include <signal.h>

#include "tl.h"

void helper_serve(int fd);

void helper_serve(int fd)
{
	char buf[64];
	ssize_t n = read(fd, buf, sizeof buf);

	if (n <= 0 || tl_write_all(fd, "helper\n", 7))
		exit(TL_EXIT_SETUP);
	if (tl_drain_to_eof(fd, TL_MAX_WAIT_MS))
		exit(TL_EXIT_SETUP);
	/* The bug under test: no close(fd). */
}

int main(int argc, char **argv)
{
	int fd = tl_arg(argc, argv, 1, -1);
	sigset_t set;
	struct timespec ts = {TL_MAX_WAIT_MS / 1000, 0};

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if (fd < 0 || fcntl(fd, F_GETFD) < 0)
		return TL_EXIT_SETUP;
	tl_say("helper-ready %d", (int)getpid());
	helper_serve(fd);
	tl_say("helper-eof %d", (int)getpid());
	if (sigtimedwait(&set, NULL, &ts) != SIGUSR1)
		return TL_EXIT_SETUP;
	return 0;
}
