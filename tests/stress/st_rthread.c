/* The watchdog's raw thread (preload/rthread.h) seen from the program.
 * 1. After the first tracked socket: the process has exactly one more task, named "sockleak",
 *    and glibc still believes itself single-threaded ("watchdog TASKS SINGLE SANITIZED").
 * 2. The watchdog's errno is its own: a tracked socket past EOF is closed behind sockleak's
 *    back (raw syscall), so the watchdog's duplicate of it fails with EBADF at its next scans,
 *    while this thread spins without libc calls holding errno = 4242 ("errno E").
 * 3. A pthread started now makes glibc multi-threaded; a socket it reads to EOF and keeps is
 *    still reported ("sock FD INODE" then "threaded SINGLE").
 * 4. With "setid" (needs root): a first leak ("sock FD INODE"; the log file is open once it
 *    is reported, and the driver says "go"), then setgroups, setresgid, setresuid to 65534;
 *    every task of the process, the watchdog's included, must carry the new ids ("creds ok
 *    TASKS" or "creds bad TID UID GID"), and a new leak is still reported ("sock FD INODE").
 * Exits at stdin EOF. */
#include <dirent.h>
#include <grp.h>
#include <pthread.h>
#include <sys/single_threaded.h>
#include <sys/syscall.h>

#include "tl.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZED 1
#else
#define SANITIZED 0
#endif

static int lfd, port;

/* Call fn(path of the task's directory, ctx) for each task of this process; returns how many
 * there were. */
static int each_task(void (*fn)(const char *dir, void *ctx), void *ctx)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	if (!d)
		tl_die("opendir");
	while ((e = readdir(d))) {
		char dir[300];

		if (e->d_name[0] == '.')
			continue;
		n++;
		snprintf(dir, sizeof dir, "/proc/self/task/%s", e->d_name);
		fn(dir, ctx);
	}
	closedir(d);
	return n;
}

static void is_watchdog(const char *dir, void *ctx)
{
	char path[320], name[32] = "";
	FILE *f;

	snprintf(path, sizeof path, "%s/comm", dir);
	if ((f = fopen(path, "r"))) {
		if (fgets(name, sizeof name, f) && !strcmp(name, "sockleak\n"))
			*(int *)ctx = 1;
		fclose(f);
	}
}

/* Tasks of this process, and whether one is the watchdog. */
static int tasks(int *watchdog)
{
	*watchdog = 0;
	return each_task(is_watchdog, watchdog);
}

static int wait_watchdog(void)
{
	long long end = tl_now_ms() + 10000;
	int n, w;

	while ((n = tasks(&w)) && !w && tl_now_ms() < end)
		tl_sleep_ms(10);
	return w ? n : -1;
}

/* A tracked connection whose peer has closed, read to EOF: the accepted side. */
void leak_eof(int *out);

void leak_eof(int *out) { *out = tl_accepted_at_eof(lfd, port); }

static void *reader(void *arg)
{
	int a;

	(void)arg;
	leak_eof(&a);
	tl_report_sock(a);
	return NULL;
}

/* Every task's real, effective and saved uid and gid are 65534; ctx: still all so. */
static void check_creds(const char *dir, void *ctx)
{
	char path[320], line[256];
	unsigned u[4] = {0}, g[4] = {0};
	FILE *f;

	snprintf(path, sizeof path, "%s/status", dir);
	if (!(f = fopen(path, "r")))
		return; /* a task that just exited */
	while (fgets(line, sizeof line, f)) {
		sscanf(line, "Uid: %u %u %u %u", &u[0], &u[1], &u[2], &u[3]);
		sscanf(line, "Gid: %u %u %u %u", &g[0], &g[1], &g[2], &g[3]);
	}
	fclose(f);
	for (int i = 0; i < 4; i++)
		if (u[i] != 65534 || g[i] != 65534) {
			tl_say("creds bad %s %u %u", dir, u[i], g[i]);
			*(int *)ctx = 0;
			break;
		}
}

static int creds_ok(void)
{
	int ok = 1;

	each_task(check_creds, &ok);
	return ok;
}

int main(int argc, char **argv)
{
	int setid = argc > 1 && !strcmp(argv[1], "setid");
	int a, n;
	pthread_t t;
	long long end;
	volatile long spin = 0;

	lfd = tl_listen(&port, 0);
	n = wait_watchdog();
	tl_say("watchdog %d %d %d", n, (int)__libc_single_threaded, SANITIZED);

	/* 2: the watchdog's EBADF must not land in this thread's errno. */
	leak_eof(&a);
	syscall(SYS_close, a);
	errno = 4242;
	for (end = tl_now_ms() + 1500; tl_now_ms() < end;)
		spin++;
	n = errno;
	tl_say("errno %d", n);

	if (setid) {
		gid_t g = 65534;
		char cmd[16];

		leak_eof(&a);
		tl_report_sock(a);
		tl_command(cmd, sizeof cmd);

		if (setgroups(1, &g) || setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			tl_die("set*id");
		n = wait_watchdog();
		tl_say("creds %s %d", creds_ok() ? "ok" : "bad", n);
		leak_eof(&a);
		tl_report_sock(a);
	} else {
		if (pthread_create(&t, NULL, reader, NULL) || pthread_join(t, NULL))
			tl_die("pthread");
		tl_say("threaded %d", (int)__libc_single_threaded);
	}
	tl_wait_stdin_eof();
	return 0;
}
