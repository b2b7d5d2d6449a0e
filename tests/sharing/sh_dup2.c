/* dup2 onto descriptors that are not free: onto a tracked (already leaked) socket, which closes
 * it implicitly, and onto the number of sockleak's own log descriptor (found in /proc/self/fd),
 * which must keep the log working and keep log records out of the program's socket.
 * Usage: sh_dup2 PORT LOG_PREFIX. Commands on stdin:
 *   connect      two connections: "sock FD INODE" x2 (s1, s2)
 *   eof2         read s2 to EOF, keep it: "eof2"
 *   dup2         dup2(s1, s2): "dup2 RET"
 *   close1       close(s1): "close1 RET"
 *   eof1         read s2 (now s1's socket) to EOF: "eof1"
 *   dup2log      s3 = connect; dup2(s3, LOGFD); close(s3); write "hello\n" on LOGFD:
 *                "dup2log LOGFD RET S3 INODE CLOSE_RET WRITE_RET"
 *   eof3         read LOGFD to EOF: "eof3" */
#include <dirent.h>

#include "tl.h"

void read_until_eof(int fd);

void read_until_eof(int fd)
{
	if (tl_drain_to_eof(fd, TL_MAX_WAIT_MS))
		tl_die("drain");
}

static int find_log_fd(const char *prefix)
{
	char path[300], link[4096];
	size_t plen = strlen(prefix);
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int found = -1;

	if (!d)
		tl_die("opendir");
	while ((e = readdir(d))) {
		ssize_t n;

		snprintf(path, sizeof path, "/proc/self/fd/%s", e->d_name);
		n = readlink(path, link, sizeof link - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		if (!strncmp(link, prefix, plen) && link[plen] == '.')
			found = atoi(e->d_name);
	}
	closedir(d);
	return found;
}

int main(int argc, char **argv)
{
	int port = tl_arg(argc, argv, 1, 0), s1 = -1, s2 = -1, logfd = -1;
	const char *prefix = argc > 2 ? argv[2] : "";
	char cmd[64];

	tl_say("ready");
	while (tl_command(cmd, sizeof cmd) > 0) {
		if (!strcmp(cmd, "connect")) {
			s1 = tl_connect(port);
			s2 = tl_connect(port);
			if (s1 < 0 || s2 < 0)
				tl_die("connect");
			tl_report_sock(s1);
			tl_report_sock(s2);
		} else if (!strcmp(cmd, "eof2")) {
			read_until_eof(s2);
			tl_say("eof2");
		} else if (!strcmp(cmd, "dup2")) {
			tl_say("dup2 %d", dup2(s1, s2));
		} else if (!strcmp(cmd, "close1")) {
			tl_say("close1 %d", close(s1));
		} else if (!strcmp(cmd, "eof1")) {
			read_until_eof(s2);
			tl_say("eof1");
		} else if (!strcmp(cmd, "dup2log")) {
			int s3, r, cr;
			unsigned long ino;
			ssize_t w;

			logfd = find_log_fd(prefix);
			s3 = tl_connect(port);
			if (logfd < 0 || s3 < 0)
				tl_die("dup2log setup");
			ino = tl_inode(s3);
			r = dup2(s3, logfd);
			cr = close(s3);
			w = write(logfd, "hello\n", 6);
			tl_say("dup2log %d %d %d %lu %d %zd", logfd, r, s3, ino, cr, w);
		} else if (!strcmp(cmd, "eof3")) {
			read_until_eof(logfd);
			tl_say("eof3");
		}
	}
	return 0;
}
