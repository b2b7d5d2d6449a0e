/* Out of memory for sockleak's tables: after a warm-up connection (the watchdog runs, libunwind
 * is primed), RLIMIT_AS is set to what the process has mapped now, so no new mapping can be
 * made: not by the program (which needs none for sockets: they are kernel memory) and not by
 * sockleak, whose socket records, inode map and fd-table chunks then cannot grow. PAIRS
 * connections (fewer when RLIMIT_NOFILE is lower) are made and closed again under that limit;
 * then the limit is lifted and one connection read to EOF is kept open. Prints "made OK ERRORS CLOSE_ERRORS", "sock FD INODE";
 * "skip REASON" in a sanitizer build (its allocator maps memory for itself) or when fewer
 * than 500 connections fit the descriptor limit. Exits at stdin EOF.
 * Usage: st_nomem PAIRS */
#include <sys/resource.h>

#include "tl.h"

#define PAIRS_MAX 4096

static int cs[PAIRS_MAX], as[PAIRS_MAX];

static long vm_bytes(void)
{
	char buf[4096];
	int fd = open("/proc/self/status", O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
	const char *p;

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		tl_die("/proc/self/status");
	buf[n] = '\0';
	p = strstr(buf, "VmSize:");
	return p ? atol(p + 7) * 1024 : -1;
}

/* Map the stack this program and the preload's wrappers will use, before the limit. */
static void grow_stack(void)
{
	volatile char deep[512 * 1024];

	memset((char *)deep, 1, sizeof deep);
}

int main(int argc, char **argv)
{
	int pairs = tl_arg(argc, argv, 1, 3000), port, lfd, ok = 0, err = 0, cerr = 0, c, a;
	struct rlimit rl, as_before;

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
	tl_say("skip a sanitizer's allocator maps memory for itself: RLIMIT_AS would stop it");
	tl_wait_stdin_eof();
	return 0;
#endif
	if (pairs > PAIRS_MAX)
		pairs = PAIRS_MAX;
	if (getrlimit(RLIMIT_NOFILE, &rl))
		tl_die("getrlimit");
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		tl_die("setrlimit RLIMIT_NOFILE");
	/* As many pairs as the descriptor limit allows; 500 are enough to outgrow the inode map. */
	if (rl.rlim_cur < (rlim_t)(2 * pairs + 64))
		pairs = (int)((rl.rlim_cur - 64) / 2);
	if (pairs < 500) {
		tl_say("skip the descriptor limit %lu is too low for 500 connections",
		       (unsigned long)rl.rlim_cur);
		tl_wait_stdin_eof();
		return 0;
	}
	lfd = tl_listen(&port, 0);
	c = tl_connect(port);
	a = accept(lfd, NULL, NULL);
	if (c < 0 || a < 0)
		tl_die("warm-up connection");
	grow_stack();
	if (getrlimit(RLIMIT_AS, &as_before))
		tl_die("getrlimit RLIMIT_AS");
	rl = as_before;
	rl.rlim_cur = (rlim_t)vm_bytes() + 4096;
	if (rl.rlim_cur > rl.rlim_max) {
		tl_say("skip RLIMIT_AS's hard limit is below what the process has mapped");
		tl_wait_stdin_eof();
		return 0;
	}
	tl_say("warm");
	if (setrlimit(RLIMIT_AS, &rl))
		tl_die("setrlimit RLIMIT_AS");
	for (int i = 0; i < pairs; i++) {
		cs[i] = tl_connect(port);
		as[i] = accept(lfd, NULL, NULL);
		if (cs[i] < 0 || as[i] < 0)
			err++;
		else
			ok++;
	}
	for (int i = 0; i < pairs; i++) {
		if (cs[i] >= 0 && close(cs[i]))
			cerr++;
		if (as[i] >= 0 && close(as[i]))
			cerr++;
	}
	if (setrlimit(RLIMIT_AS, &as_before))
		tl_die("lifting RLIMIT_AS");
	tl_say("made %d %d %d", ok, err, cerr);
	/* Tracking is back: a connection read to EOF and kept. */
	tl_report_sock(tl_accepted_at_eof(lfd, port));
	tl_wait_stdin_eof();
	return 0;
}
