/* The public sockleak_* API (include/sockleak.h). */
#include "fdtable.h"

#include <sockleak.h>

static int sl_mark(int fd, int flag)
{
	struct sl_sock *s;
	int saved = errno, r = -1;

	if (!sl_enter()) {
		errno = EBUSY;
		return -1;
	}
	sl_lock();
	s = sl_fd_lookup(fd);
	if (s) {
		s->flags |= (uint8_t)flag;
		r = 0;
	}
	sl_unlock();
	sl_leave();
	errno = r ? EBADF : saved;
	return r;
}

SL_EXPORT int sockleak_ignore_fd(int fd) { return sl_mark(fd, SL_F_EXEMPT); }
SL_EXPORT int sockleak_half_close_ok_fd(int fd) { return sl_mark(fd, SL_F_HALFCLOSE); }
SL_EXPORT int sockleak_active(void) { return 1; }
