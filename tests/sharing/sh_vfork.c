/* vfork children that close the parent's sockets and dup2 over stdout before exec: a vfork child
 * runs on its parent's memory, so the preload must not touch its tables or its log there (the
 * design brief: after vfork only raw syscalls run). The parent then leaks the accepted socket in
 * CLOSE_WAIT, which must be reported exactly as if no vfork had happened.
 * Prints "port P", "sock FD INODE", "spawned N" after N vfork+exec rounds; exits at stdin EOF. */
#include <sys/wait.h>

#include "tl.h"

int accept_connection(int lfd);

int accept_connection(int lfd)
{
	int c = accept(lfd, NULL, NULL);

	if (c < 0)
		tl_die("accept");
	return c;
}

int main(void)
{
	int port, lfd = tl_listen(&port, 0), c, n = 0;

	tl_say("port %d", port);
	c = accept_connection(lfd);
	tl_report_sock(c);
	for (int i = 0; i < 5; i++) {
		int st;
		pid_t p = vfork();

		if (p == 0) {
			/* Only what POSIX allows after vfork, plus close/dup2, as real spawners do. */
			close(c);
			close(lfd);
			dup2(2, 1);
			execl("/bin/true", "true", (char *)0);
			_exit(127);
		}
		if (p < 0 || waitpid(p, &st, 0) != p || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			tl_die("vfork child");
		n++;
	}
	tl_say("spawned %d", n);
	tl_wait_stdin_eof(); /* the bug under test: c is never closed */
	return 0;
}
