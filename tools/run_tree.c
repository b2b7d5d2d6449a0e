/* `sockleak run`: the program's process tree, and what becomes of it when the program ends or
 * the runner is killed.
 *
 * A member of the tree is a process in the program's process group, a child of the runner (a
 * subreaper: orphans come to it), or a process whose environment carries this run's
 * SOCKLEAK_RUN=ID, which the runner puts into the program's and the preload passes on. The
 * last one finds what left both: daemons that called setsid() and whose parent died.
 *
 * The guard is a small process of the runner's, in a session of its own, that does nothing
 * until the runner is gone. If the runner exits without saying it is done (SIGKILL from a CI
 * timeout), the guard kills the tree and removes the private log directory. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "files.h"
#include "run.h"

/* /proc/PID/environ of one process; marker is "SOCKLEAK_RUN=ID". A process of another user
 * cannot be read (EACCES) and is not ours. Environments beyond 1 MiB are not searched past it. */
static int sl_run_has_marker(const char *pid, const char *marker)
{
	static char buf[(1 << 20) + 1]; /* and sl_read_small's NUL */
	char path[64];
	size_t ml = strlen(marker) + 1; /* with its NUL */
	ssize_t got;
	size_t len;

	snprintf(path, sizeof(path), "/proc/%s/environ", pid);
	if ((got = sl_read_small(path, buf, sizeof(buf))) < 0)
		return 0;
	len = (size_t)got;
	for (size_t i = 0; i + ml <= len;) {
		const char *nul = memchr(buf + i, '\0', len - i);
		size_t el = nul ? (size_t)(nul - (buf + i)) + 1 : len - i;

		if (el == ml && !memcmp(buf + i, marker, ml))
			return 1;
		i += el;
	}
	return 0;
}

int sl_run_tree_signal(const struct sl_run_tree *t, int sig)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	pid_t self = getpid();
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		char st[1024];
		const char *p;
		int ppid, pgrp, sid;
		char state;
		long pid;

		if (strspn(de->d_name, "0123456789") != strlen(de->d_name) ||
		    (pid = atol(de->d_name)) == self || pid == t->runner || pid <= 1)
			continue;
		if (!(p = sl_proc_stat(pid, st, sizeof(st))) ||
		    sscanf(p, "%c %d %d %d", &state, &ppid, &pgrp, &sid) != 4 || state == 'Z' ||
		    state == 'X')
			continue;
		/* the group id with the session: a group id is free again once its group is empty */
		if ((t->runner && ppid == t->runner) ||
		    (t->pgid > 1 && pgrp == t->pgid && sid == t->sid) ||
		    sl_run_has_marker(de->d_name, t->marker)) {
			if (!kill((pid_t)pid, sig))
				n++;
		}
	}
	closedir(d);
	return n;
}

/* ---- the guard ------------------------------------------------------------------------------ */

static void sl_run_guard(int rfd, struct sl_run_tree *t, const char *logdir)
{
	static const int ign[] = {SIGINT,  SIGTERM, SIGHUP,  SIGQUIT,
				  SIGPIPE, SIGTSTP, SIGTTIN, SIGTTOU};
	sigset_t none;
	pid_t pg = 0;
	int done = 0, fd;
	ssize_t n;

	/* out of the runner's session and process group: a kill of the runner's group or a hangup
	 * of its terminal must leave the guard to do its work */
	setsid();
	for (size_t i = 0; i < sizeof(ign) / sizeof(ign[0]); i++)
		signal(ign[i], SIG_IGN);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* hold none of the CI's pipes: a job waits for their end */
	if ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
	}
	while ((n = read(rfd, &pg, sizeof(pg))) < 0 && errno == EINTR)
		;
	if (n != sizeof(pg) || pg <= 1)
		pg = 0; /* the runner died before the program started */
	while ((n = read(rfd, &done, sizeof(done))) < 0 && errno == EINTR)
		;
	if (n == sizeof(done))
		_exit(0); /* the runner finished and took care of the tree itself */
	/* the runner is gone: nobody will read the logs or wait for the tree */
	t->pgid = pg;
	t->runner = 0;
	for (int i = 0; i < 100 && sl_run_tree_signal(t, SIGKILL); i++) {
		struct timespec ts = {0, 20 * 1000000L};
		nanosleep(&ts, NULL);
	}
	if (logdir[0])
		sl_run_logdir_remove(logdir);
	_exit(0);
}

int sl_run_guard_start(struct sl_run_tree *t, const char *logdir)
{
	int pfd[2], st;
	pid_t mid;

	if (pipe2(pfd, O_CLOEXEC))
		return -1;
	/* forked twice, before the runner becomes a subreaper, so that the guard is not the
	 * runner's child: waiting for the program's tree must not wait for it */
	if ((mid = fork()) == 0) {
		close(pfd[1]);
		if (fork() == 0)
			sl_run_guard(pfd[0], t, logdir);
		_exit(0);
	}
	close(pfd[0]);
	if (mid < 0) {
		close(pfd[1]);
		return -1;
	}
	while (waitpid(mid, &st, 0) < 0 && errno == EINTR)
		;
	return pfd[1];
}

void sl_run_guard_tell(int fd, pid_t pgid)
{
	if (fd >= 0 && write(fd, &pgid, sizeof(pgid)) != sizeof(pgid)) {
		/* the guard is gone: nothing to tell */
	}
}

void sl_run_guard_done(int fd)
{
	int done = 1;

	if (fd < 0)
		return;
	if (write(fd, &done, sizeof(done)) != sizeof(done)) {
		/* the guard is gone */
	}
	close(fd);
}
