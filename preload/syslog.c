/* The syslog sink; see syslog.h. */
#include "syslog.h"

#include "options.h"
#include "say.h"
#include "sl.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

/* LOG_USER: sockleak is a tool in the program's process, not a daemon of its own. */
#define SL_SYSLOG_FACILITY (1 << 3)
#define SL_SYSLOG_WARNING 4
#define SL_SYSLOG_INFO 6

static int sl_failure_said SL_FORK_STATE;

/* The syntax of log_path is the options table's (one definition: sockleak run reads it too). */
int sl_syslog_wanted(const char *log_path, const char **path)
{
	return sl_opts_sink(log_path, path) == SL_SINK_SYSLOG;
}

int sl_syslog_open(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	size_t n = strlen(path);
	int fd, err;

	if (n >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sa.sun_path, path, n + 1);
	/* Raw syscalls: our own socket is none of the program's business, and the wrappers must
	 * not see it. */
	fd = (int)syscall(SYS_socket, AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	/* connect on a unix datagram socket never waits; it fails at once when nobody listens. */
	if (syscall(SYS_connect, fd, &sa, sizeof(sa))) {
		err = errno;
		syscall(SYS_close, fd);
		errno = err;
		return -1;
	}
	return fd;
}

int sl_syslog_send(int fd, const char *event, const char *json, size_t len)
{
	char head[48];
	int pri = SL_SYSLOG_FACILITY | (strcmp(event, "leak") ? SL_SYSLOG_INFO : SL_SYSLOG_WARNING);
	int n = snprintf(head, sizeof(head), "<%d>sockleak[%d]: ", pri, (int)getpid());
	struct iovec iov[2] = {{head, (size_t)n}, {(void *)json, len}};
	struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 2};

	for (;;) {
		/* A datagram goes whole or not at all: no partial writes to finish. */
		if (syscall(SYS_sendmsg, fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0)
			return 0;
		if (errno != EINTR)
			return errno ? errno : EIO;
	}
}

void sl_syslog_failed(int err, const char *path)
{
	char msg[640];
	int n;

	if (sl_failure_said)
		return;
	sl_failure_said = 1;
	n = snprintf(msg, sizeof(msg),
		     "sockleak: syslog %s: %s: records are dropped while it lasts (counted in the "
		     "exit record)\n",
		     path, strerrordesc_np(err) ? strerrordesc_np(err) : "error");
	sl_log_text(msg, n > 0 && (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1);
}

SL_FORK_CODE void sl_syslog_atfork_child(void) { sl_failure_said = 0; }
