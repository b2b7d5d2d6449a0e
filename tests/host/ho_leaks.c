/* Many leaks at once (issue 10): argv[1] connections read to EOF and kept open, then exit.
 * Every one must get its record (a scan once stopped at 256).
 * Prints "leaked N". */
#include "tl.h"

#include <sys/resource.h>

int main(int argc, char **argv)
{
	int n = tl_arg(argc, argv, 1, 1000), port, lfd;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	lfd = tl_listen(&port, 0);
	for (int i = 0; i < n; i++)
		tl_accepted_at_eof(lfd, port);
	tl_say("leaked %d", n);
	return 0;
}
