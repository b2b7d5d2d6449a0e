/* A host program for tests/hostile, driven one command per stdin line (tl.h protocol):
 *   record       one close_shared record, now, on this thread: a connection to our own
 *                listener, dup()ed, the duplicate closed ("recorded OK": 1 when every call
 *                returned what it must, so the driver sees the program served identically)
 *   leak         an accepted connection read to EOF and kept ("sock FD INODE")
 *   setuid U     libc setgroups/setgid/setuid to U, as a daemon drops privileges
 *   rawsetuid U  the same with raw system calls, which change this thread only
 *   vforkexec    vfork, and /bin/true in the child with an empty environment ("ran PID")
 *   vforkexeclong  the same through a 505-byte path (/bin/././.../true) with an argv[0] of 300
 *                bytes 0x01 (6 bytes each in JSON): its record is over 2 KiB
 *   exit         return from main: a normal exit, with sockleak's exit scan and record
 * It says "ready PORT PID" first. Stdin EOF also ends it normally. */
#include "tl.h"

#include <grp.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static int lfd, port;

void hf_record(void);
void hf_record(void)
{
	int c = tl_connect(port), a = accept(lfd, NULL, NULL), d, ok;

	d = c >= 0 ? dup(c) : -1;
	ok = c >= 0 && a >= 0 && d >= 0 && close(d) == 0 && close(c) == 0 && close(a) == 0;
	tl_say("recorded %d", ok);
}

static void drop(const char *arg, int raw)
{
	gid_t g = (gid_t)atoi(arg);
	uid_t u = (uid_t)atoi(arg);
	int r;

	if (raw)
		r = syscall(SYS_setgroups, 1, &g) || syscall(SYS_setresgid, g, g, g) ||
		    syscall(SYS_setresuid, u, u, u);
	else
		r = setgroups(1, &g) || setgid(g) || setuid(u);
	tl_say("%s %s", raw ? "rawsetuid" : "setuid", r ? "failed" : "ok");
}

static void vfork_exec(int longer)
{
	char path[512] = "/bin/", arg0[301], *argv[] = {"true", NULL}, *envp[] = {NULL};
	int st = -1;
	pid_t p;

	for (size_t n = strlen(path); n < 500; n += 2)
		strcat(path, "./");
	strcat(path, "true");
	memset(arg0, 1, sizeof(arg0) - 1);
	arg0[sizeof(arg0) - 1] = '\0';
	if (longer)
		argv[0] = arg0;
	if ((p = vfork()) == 0) {
		execve(longer ? path : "/bin/true", argv, envp);
		_exit(127);
	}
	if (p > 0)
		waitpid(p, &st, 0);
	tl_say("ran %d %d", (int)p, st);
}

int main(void)
{
	char cmd[64];
	int kept[64], nkept = 0;

	lfd = tl_listen(&port, 0);
	tl_say("ready %d %d", port, (int)getpid());
	while (tl_stdin_line(cmd, sizeof cmd, TL_MAX_WAIT_MS) > 0) {
		if (!strcmp(cmd, "record"))
			hf_record();
		else if (!strcmp(cmd, "leak") && nkept < 64)
			tl_report_sock(kept[nkept++] = tl_accepted_at_eof(lfd, port));
		else if (!strncmp(cmd, "setuid ", 7))
			drop(cmd + 7, 0);
		else if (!strncmp(cmd, "rawsetuid ", 10))
			drop(cmd + 10, 1);
		else if (!strcmp(cmd, "vforkexec"))
			vfork_exec(0);
		else if (!strcmp(cmd, "vforkexeclong"))
			vfork_exec(1);
		else if (!strcmp(cmd, "exit"))
			break;
		else
			tl_say("unknown %s", cmd);
	}
	tl_say("bye");
	return 0;
}
