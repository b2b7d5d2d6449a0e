/* A TCP socket at a high descriptor: 70000 (above 65536), or with "max" the highest the hard
 * limit allows. RLIMIT_NOFILE soft limit raised to the hard limit (and, for 70000, the hard
 * limit raised when it is lower and we may: CAP_SYS_RESOURCE), dup2 to HIGH, original
 * closed (close_shared naming 70000), peer closes, read to EOF, never closed: a leak with fd
 * 70000. Prints "limit SOFT HARD", "sock 70000 INODE", "eof"; "skip REASON" when the limit
 * cannot reach 70001. Exits at stdin EOF. */
#include <sys/resource.h>

#include "tl.h"

static int HIGH = 70000;

void leak_high(int s);

void leak_high(int s)
{
	if (tl_drain_to_eof(s, TL_MAX_WAIT_MS))
		tl_die("drain");
}

int main(int argc, char **argv)
{
	struct rlimit rl;
	int port, lfd, c, a;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		tl_die("getrlimit");
	rl.rlim_cur = rl.rlim_max;
	if (argc > 1 && !strcmp(argv[1], "max"))
		HIGH = (int)(rl.rlim_max > 1u << 20 ? 1u << 20 : rl.rlim_max) - 1;
	if (rl.rlim_max <= (rlim_t)HIGH) {
		/* Raising the hard limit needs CAP_SYS_RESOURCE; the test says so when it cannot. */
		struct rlimit up = {(rlim_t)HIGH + 64, (rlim_t)HIGH + 64};

		if (setrlimit(RLIMIT_NOFILE, &up)) {
			tl_say("skip the hard limit %lu <= %d cannot be raised: %s",
			       (unsigned long)rl.rlim_max, HIGH, strerror(errno));
			tl_wait_stdin_eof();
			return 0;
		}
		rl = up;
	} else if (setrlimit(RLIMIT_NOFILE, &rl)) {
		tl_die("setrlimit");
	}
	tl_say("limit %lu %lu", (unsigned long)rl.rlim_cur, (unsigned long)rl.rlim_max);
	lfd = tl_listen(&port, 0);
	tl_say("port %d", port);
	c = tl_connect(port);
	a = accept(lfd, NULL, NULL);
	if (c < 0 || a < 0)
		tl_die("connect");
	if (dup2(c, HIGH) != HIGH)
		tl_die("dup2");
	tl_say("closed %d %d", c, close(c));
	tl_report_sock(HIGH);
	close(a);
	leak_high(HIGH);
	tl_say("eof");
	tl_wait_stdin_eof();
	return 0;
}
