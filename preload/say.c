/* Text on stderr; see say.h. */
#include "say.h"

#include "options.h" /* SL_PATH_MAX */
#include "sl.h"

#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static dev_t sl_err_dev; /* fd 2 at start-up, */
static ino_t sl_err_ino;
static int sl_err_known; /* ... when it was open, */
static int sl_err_sock;  /* ... and a socket (journald's, an inetd client's) */

ssize_t sl_raw_write(int fd, const void *buf, size_t len)
{
	return syscall(SYS_write, fd, buf, len);
}

void sl_log_early(void)
{
	struct stat st;

	if (!syscall(SYS_fstat, 2, &st)) {
		sl_err_dev = st.st_dev;
		sl_err_ino = st.st_ino;
		sl_err_known = 1;
		sl_err_sock = S_ISSOCK(st.st_mode);
	}
}

/* fd 2 is still the file it was at start-up. A server that dup2()s a client's connection
 * onto fd 2 (inetd style) must not send sockleak's text to that client: checked before each
 * message, which are rare, and before each record written to fd 2 itself (log.c). */
int sl_stderr_same(void)
{
	struct stat st;

	return sl_err_known && !syscall(SYS_fstat, 2, &st) && st.st_dev == sl_err_dev &&
	       st.st_ino == sl_err_ino;
}

void sl_log_text(const char *msg, size_t len)
{
	if (sl_err_sock || !sl_stderr_same())
		return; /* the records (log_path) still say it */
	while (len > 0) {
		ssize_t w = sl_raw_write(2, msg, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		msg += w;
		len -= (size_t)w;
	}
}

void sl_log_say(const char *fmt, ...)
{
	char msg[SL_PATH_MAX * 2 + 200];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(msg) - 2)
		n = (int)sizeof(msg) - 2;
	msg[n++] = '\n';
	sl_log_text(msg, (size_t)n);
}
