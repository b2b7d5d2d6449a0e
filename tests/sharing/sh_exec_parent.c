/* Parent of an exec'd helper that inherits an accepted socket: the listener is SOCK_CLOEXEC,
 * the accepted socket is not, so only the latter crosses the exec. The parent then closes its
 * own copy (close_shared: the helper still holds it).
 *
 * Usage: sh_exec_parent HELPER_PATH
 * Prints "port P", "listener FD INODE", "sock FD INODE", "forked PID"; on the command "close" closes its copy and
 * prints "closed RET"; exits at stdin EOF. */
#include <sys/wait.h>

#include "tl.h"

int accept_connection(int lfd);
void exec_helper(const char *helper, int c);

int accept_connection(int lfd)
{
	int c = accept(lfd, NULL, NULL);

	if (c < 0)
		tl_die("accept");
	return c;
}

void exec_helper(const char *helper, int c)
{
	char fd[16];

	snprintf(fd, sizeof fd, "%d", c);
	execl(helper, "sh_helper", fd, (char *)NULL);
	_exit(TL_EXIT_SETUP);
}

int main(int argc, char **argv)
{
	char cmd[64];
	int port, lfd, c;
	pid_t pid;

	if (argc < 2)
		return TL_EXIT_SETUP;
	lfd = tl_listen(&port, SOCK_CLOEXEC);
	tl_say("port %d", port);
	tl_say("listener %d %lu", lfd, tl_inode(lfd));
	c = accept_connection(lfd);
	tl_report_sock(c);
	pid = fork();
	if (pid < 0)
		tl_die("fork");
	if (pid == 0)
		exec_helper(argv[1], c);
	tl_say("forked %d", (int)pid);
	tl_command(cmd, sizeof cmd);
	tl_say("closed %d", close(c));
	tl_wait_stdin_eof();
	return 0;
}
