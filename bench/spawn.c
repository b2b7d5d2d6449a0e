/* Start-up wall time: posix_spawn + wait4 of one command N times, each timed on its own, with
 * or without a preload given to the children only (this process stays native, so the same
 * spawner measures both). bench/start.sh alternates native and preloaded rounds and takes the
 * fastest spawn of each: on a shared machine the upper quantiles measure the other jobs.
 *
 *   spawn N PRELOAD|- OPTIONS|- CMD [ARG...]
 *
 * PRELOAD is put in the children's LD_PRELOAD ("-": none), OPTIONS in their SOCKLEAK_OPTIONS.
 * Output: "spawn N min_us U q1_us Q median_us M cpu_q1_us C" (wall of one spawn + wait,
 * and the first quartile of a child's CPU time from wait4). */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp_ll(const void *x, const void *y)
{
	long long a = *(const long long *)x, b = *(const long long *)y;

	return a < b ? -1 : a > b;
}

/* The environment without LD_PRELOAD and SOCKLEAK_OPTIONS, then the two given. */
static char **child_env(const char *preload, const char *options)
{
	size_t n = 0, k = 0;
	char **env;

	while (environ[n])
		n++;
	env = calloc(n + 3, sizeof(*env));
	if (!env)
		exit(2);
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "LD_PRELOAD=", 11) &&
		    strncmp(environ[i], "SOCKLEAK_OPTIONS=", 17))
			env[k++] = environ[i];
	if (strcmp(preload, "-")) {
		env[k] = malloc(strlen(preload) + sizeof("LD_PRELOAD="));
		if (!env[k])
			exit(2);
		sprintf(env[k++], "LD_PRELOAD=%s", preload);
	}
	if (strcmp(options, "-")) {
		env[k] = malloc(strlen(options) + sizeof("SOCKLEAK_OPTIONS="));
		if (!env[k])
			exit(2);
		sprintf(env[k++], "SOCKLEAK_OPTIONS=%s", options);
	}
	return env;
}

int main(int argc, char **argv)
{
	int n = argc > 4 ? atoi(argv[1]) : 0;
	long long *wall, *cpu;
	char **env;

	if (n < 1) {
		fprintf(stderr, "usage: spawn N PRELOAD|- OPTIONS|- CMD [ARG...]\n");
		return 2;
	}
	env = child_env(argv[2], argv[3]);
	wall = calloc((size_t)n, sizeof(*wall));
	cpu = calloc((size_t)n, sizeof(*cpu));
	if (!wall || !cpu)
		return 2;
	for (int i = 0; i < n; i++) {
		struct rusage ru;
		long long t0 = now_ns();
		pid_t pid;
		int st, err = posix_spawn(&pid, argv[4], NULL, NULL, argv + 4, env);

		if (err) {
			fprintf(stderr, "spawn: %s: %s\n", argv[4], strerror(err));
			return 1;
		}
		if (wait4(pid, &st, 0, &ru) != pid || !WIFEXITED(st) || WEXITSTATUS(st)) {
			fprintf(stderr, "spawn: %s did not exit 0\n", argv[4]);
			return 1;
		}
		wall[i] = (now_ns() - t0) / 1000;
		cpu[i] = (long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 +
			 ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
	}
	qsort(wall, (size_t)n, sizeof(*wall), cmp_ll);
	qsort(cpu, (size_t)n, sizeof(*cpu), cmp_ll);
	printf("spawn %d min_us %lld q1_us %lld median_us %lld cpu_q1_us %lld\n", n, wall[0],
	       wall[n / 4], wall[n / 2], cpu[n / 4]);
	return 0;
}
