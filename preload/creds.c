/* The credential calls. Before the first of them the log is opened, while the program still
 * has the credentials it started with (when it tracks a socket). glibc moves every thread it knows to the new uid/gid (its set*id
 * broadcast); the raw watchdog thread (rthread.h) it does not know, and that thread would keep
 * root in a server that dropped privileges. So a raw watchdog is stopped before the change and
 * started again after it, with the caller's new credentials. With a pthread watchdog, or none,
 * these are the real calls and nothing more. The result and errno are libc's. */
#include "fdtable.h"
#include "log.h"
#include "real.h"
#include "watchdog.h"

#include <grp.h>
#include <sys/syscall.h>
#include <unistd.h>

static int sl_creds_before(void)
{
	int paused = 0, saved = errno;

	/* In a vfork child, a signal handler inside our code, or before start-up: hands off. */
	if (sl_enter()) {
		/* The log is opened with the credentials the program started with (issue 10):
		 * after a drop to `nobody` it could no longer be created in a root-only directory.
		 * Only by a process with a TCP socket (a daemon that bound its port): one with none
		 * has nothing to report yet, and a cron-style fork+setuid+exec child would leave an
		 * empty root-owned file per job that its new image may not even use. */
		if (sl_inited && sl_sock_count())
			sl_log_prepare();
		paused = sl_watchdog_pause();
		sl_leave();
	}
	errno = saved;
	return paused;
}

static void sl_creds_after(int paused)
{
	int saved = errno;

	if (paused && sl_enter()) {
		sl_watchdog_ensure();
		sl_leave();
	}
	errno = saved;
}

#define SL_CREDS(call) \
	({ \
		int p_ = sl_creds_before(), r_ = (call); \
		sl_creds_after(p_); \
		r_; \
	})

SL_EXPORT int setuid(uid_t u) { return SL_CREDS(SL_CALL(setuid, (int)syscall(SYS_setuid, u), u)); }
SL_EXPORT int setgid(gid_t g) { return SL_CREDS(SL_CALL(setgid, (int)syscall(SYS_setgid, g), g)); }
SL_EXPORT int seteuid(uid_t u)
{
	return SL_CREDS(SL_CALL(seteuid, (int)syscall(SYS_setresuid, -1, u, -1), u));
}
SL_EXPORT int setegid(gid_t g)
{
	return SL_CREDS(SL_CALL(setegid, (int)syscall(SYS_setresgid, -1, g, -1), g));
}
SL_EXPORT int setreuid(uid_t r, uid_t e)
{
	return SL_CREDS(SL_CALL(setreuid, (int)syscall(SYS_setreuid, r, e), r, e));
}
SL_EXPORT int setregid(gid_t r, gid_t e)
{
	return SL_CREDS(SL_CALL(setregid, (int)syscall(SYS_setregid, r, e), r, e));
}
SL_EXPORT int setresuid(uid_t r, uid_t e, uid_t s)
{
	return SL_CREDS(SL_CALL(setresuid, (int)syscall(SYS_setresuid, r, e, s), r, e, s));
}
SL_EXPORT int setresgid(gid_t r, gid_t e, gid_t s)
{
	return SL_CREDS(SL_CALL(setresgid, (int)syscall(SYS_setresgid, r, e, s), r, e, s));
}
SL_EXPORT int setgroups(size_t n, const gid_t *list)
{
	return SL_CREDS(SL_CALL(setgroups, (int)syscall(SYS_setgroups, n, list), n, list));
}
/* glibc's initgroups calls its setgroups internally, past the wrapper above. */
SL_EXPORT int initgroups(const char *user, gid_t g)
{
	return SL_CREDS(SL_CALL(initgroups, SL_NOSYS, user, g));
}
