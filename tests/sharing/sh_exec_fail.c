/* Execs that fail with a tracked socket open, then one that succeeds: a path that does not exist
 * (ENOENT, as a shell trying each PATH entry meets), one that is not executable (EACCES), a PATH
 * search that finds nothing, one with the environment cleared, a posix_spawn of a missing path;
 * then /bin/true. Only the last exec happened, so only it may have an `exec` record (and none an
 * `exec_untracked`). Prints "port P", "sock FD INODE", "failed N" (the calls that failed as
 * expected), then execs /bin/true. */
#include <spawn.h>

#include "tl.h"

int main(void)
{
	char *argv[] = {"nothing", NULL}, *noenv[] = {NULL};
	int port, lfd = tl_listen(&port, SOCK_CLOEXEC), c, n = 0;
	pid_t pid;

	tl_say("port %d", port);
	if ((c = accept(lfd, NULL, NULL)) < 0)
		tl_die("accept");
	tl_report_sock(c);
	n += execve("/nonexistent/sockleak-test", argv, environ) < 0 && errno == ENOENT;
	n += execve("/dev/null", argv, environ) < 0 && errno == EACCES;
	n += execvp("sockleak-no-such-program", argv) < 0 && errno == ENOENT;
	n += execve("/nonexistent/sockleak-test", argv, noenv) < 0 && errno == ENOENT;
	n += posix_spawn(&pid, "/nonexistent/sockleak-test", NULL, NULL, argv, environ) == ENOENT;
	tl_say("failed %d", n);
	execl("/bin/true", "true", (char *)NULL);
	tl_die("exec /bin/true");
}
