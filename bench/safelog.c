/* The primitives of the safe log (docs/performance.md, "Safe logs"), each timed on its own in a
 * loop, natively (the library does the same calls): what a record pays for the rotation check,
 * what the watchdog pays once a second for the credential check, what a record pays for the
 * file size limit.
 *
 *   safelog fstatat PATH N   fstatat(PATH, AT_SYMLINK_NOFOLLOW): the rotation check of a record
 *   safelog creds N          read /proc/self/status and /proc/thread-self/status: the
 *                            credential check (preload/logfile.c reads both)
 *   safelog fsize N          prlimit64(0, RLIMIT_FSIZE, NULL, &old): the size limit's read
 *
 * Output: "MODE N ns_per_call best_of_5". */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "safelog: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void read_file(const char *path)
{
	char buf[4096];
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		die(path);
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
}

static void once(const char *mode, const char *path)
{
	if (!strcmp(mode, "fstatat")) {
		struct stat st;

		if (fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW))
			die("fstatat");
	} else if (!strcmp(mode, "creds")) {
		read_file("/proc/self/status");
		read_file("/proc/thread-self/status");
	} else {
		struct rlimit old;

		if (syscall(SYS_prlimit64, 0, RLIMIT_FSIZE, NULL, &old))
			die("prlimit64");
	}
}

int main(int argc, char **argv)
{
	int has_path = argc > 1 && !strcmp(argv[1], "fstatat");
	const char *mode = argc > 1 ? argv[1] : "", *path = has_path && argc > 2 ? argv[2] : NULL;
	long n = argc > 2 + has_path ? atol(argv[2 + has_path]) : 0;
	double best = 0;

	if (n < 1 || (strcmp(mode, "fstatat") && strcmp(mode, "creds") && strcmp(mode, "fsize"))) {
		fprintf(stderr, "usage: safelog fstatat PATH N | creds N | fsize N\n");
		return 2;
	}
	for (int r = 0; r < 5; r++) {
		double t0 = now_ns(), t;

		for (long i = 0; i < n; i++)
			once(mode, path);
		t = (now_ns() - t0) / (double)n;
		if (!r || t < best)
			best = t;
	}
	printf("%s %ld %.1f\n", mode, n, best);
	return 0;
}
