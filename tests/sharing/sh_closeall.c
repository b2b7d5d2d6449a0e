/* A program that closes every descriptor, three ways (close_range, closefrom, a loop of close()
 * up to RLIMIT_NOFILE), leaking one TCP socket between them. Driven by stdin commands:
 *   leak         connect to the driver's port, read to EOF, keep the socket: "leaked FD INODE"
 *   close_range  close_range(3, ~0U, 0): "close_range RET ERRNO"
 *   closefrom    closefrom(3): "closefrom"
 *   closeloop    open 3 more descriptors, close(fd) for every fd in [3, RLIMIT_NOFILE):
 *                "closeloop OK EBADF OTHER FD..." (counts of the results,
 *                then the first 8 descriptors whose close() returned 0)
 *   probe        what the program can still do: "probe OPENFD CLOSE_RET SOCKFD CLOSE_RET"
 * Usage: sh_closeall PORT. Exits at stdin EOF. */
#include <sys/resource.h>

#include "tl.h"

void leak_one(int port);

void leak_one(int port)
{
	int s = tl_connect(port);

	if (s < 0)
		tl_die("connect");
	if (tl_drain_to_eof(s, TL_MAX_WAIT_MS))
		tl_die("drain");
	tl_say("leaked %d %lu", s, tl_inode(s));
}

static void close_loop(void)
{
	struct rlimit rl;
	int ok = 0, ebadf = 0, other = 0, okfd[8];
	char list[128] = "";
	size_t len = 0;

	if (open("/dev/null", O_RDONLY) < 0 || open("/dev/null", O_RDONLY) < 0 ||
	    socket(AF_INET, SOCK_STREAM, 0) < 0)
		tl_die("open");
	if (getrlimit(RLIMIT_NOFILE, &rl))
		tl_die("getrlimit");
	for (int fd = 3; fd < (int)rl.rlim_cur; fd++) {
		errno = 0;
		if (close(fd) == 0) {
			if (ok < 8)
				okfd[ok] = fd;
			ok++;
		} else if (errno == EBADF)
			ebadf++;
		else
			other++;
	}
	for (int i = 0; i < ok && i < 8; i++)
		len += (size_t)snprintf(list + len, sizeof list - len, " %d", okfd[i]);
	tl_say("closeloop %d %d %d%s", ok, ebadf, other, list);
}

static void probe(void)
{
	int f = open("/dev/null", O_RDONLY), fr = close(f);
	int s = socket(AF_INET, SOCK_STREAM, 0), sr = close(s);

	tl_say("probe %d %d %d %d", f, fr, s, sr);
}

int main(int argc, char **argv)
{
	int port = tl_arg(argc, argv, 1, 0);
	char cmd[64];

	tl_say("ready");
	while (tl_command(cmd, sizeof cmd) > 0) {
		if (!strcmp(cmd, "leak")) {
			leak_one(port);
		} else if (!strcmp(cmd, "close_range")) {
			int r = close_range(3, ~0U, 0);

			tl_say("close_range %d %d", r, r ? errno : 0);
		} else if (!strcmp(cmd, "closefrom")) {
			closefrom(3);
			tl_say("closefrom");
		} else if (!strcmp(cmd, "closeloop")) {
			close_loop();
		} else if (!strcmp(cmd, "probe")) {
			probe();
		}
	}
	return 0;
}
