/* Descriptor budget (issue 10): under a low hard RLIMIT_NOFILE, how many sockets can the
 * program open? It first makes the things that cost sockleak descriptors (a stack, hence
 * libunwind's pipe; a leak the watchdog scans and reports), waits argv[1] ms for the watchdog,
 * then opens sockets until socket() fails.
 * Prints "sockets N errno E". */
#include "tl.h"

int main(int argc, char **argv)
{
	int hold_ms = tl_arg(argc, argv, 1, 300), port, lfd = tl_listen(&port, 0), n = 0;

	tl_accepted_at_eof(lfd, port);
	tl_sleep_ms(hold_ms);
	while (n < 100000 && socket(AF_INET, SOCK_STREAM, 0) >= 0)
		n++;
	tl_say("sockets %d errno %d", n, errno);
	return 0;
}
