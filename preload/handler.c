/* node: where the program handled a socket that its runtime accepted.
 *
 * node accepts from libuv's event loop (uv__server_io, uv__accept) and reads the EOF there
 * too, with no JavaScript function on the stack: every node leak was one site in uv__accept.
 * The JavaScript `connection` handler runs right after accept(), inside TCPWrap::OnConnection,
 * and makes no system call on the socket while it runs unless it writes (measured with
 * `strace -f -k`: no setsockopt, getpeername or fcntl; readStart only marks the fd for the
 * next epoll_ctl, made by the loop). A write from JavaScript is synchronous: node tries
 * uv_try_write first, so write()/writev() run under the JavaScript function that wrote (a
 * greeting in the handler, a reply in its 'data' listener). So in a node process the first
 * write on an accepted socket takes a stack, SL_STACK_MAX deep (the program's frame is ~18
 * frames under write), and the socket's open stack becomes the same frames with that
 * "handler" stack attached (sl_stack_with_handler: no field more per socket). The leak record
 * names it (`handler_stack`, docs/log-format.md) and the tools name the site after its first
 * program frame when the open stack has none (tools/group.c).
 *
 * Cost: nothing for other programs. The write wrappers jump to libc through sl_real (real.h,
 * hot_x86_64.S); only in a node process are its write slots pointed at the functions below,
 * which look the fd up once more and call libc's function. An accepted socket pays one deep
 * unwind at its first write (docs/performance.md). */
#include "lang.h"

#include "real.h"
#include "stack.h"

#include <errno.h>

int sl_node;

static struct {
	ssize_t (*write)(int, const void *, size_t);
	ssize_t (*writev)(int, const struct iovec *, int);
	ssize_t (*send)(int, const void *, size_t, int);
	ssize_t (*sendto)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
	ssize_t (*sendmsg)(int, const struct msghdr *, int);
} sl_node_real;

/* The first write on an accepted socket whose open stack has no handler yet. */
static void sl_handler_take(int fd, struct sl_sock *s)
{
	uint32_t open = s->open_stack, h, idx;
	int saved = errno;

	if (!sl_enter())
		return;
	h = sl_stack_capture_deep();
	idx = h ? sl_stack_with_handler(open, h) : 0;
	if (idx) {
		sl_lock();
		/* Still the same socket, with the stack we built on. */
		if (sl_fd_lookup(fd) == s && s->open_stack == open)
			s->open_stack = idx;
		sl_unlock();
	}
	sl_leave();
	errno = saved;
}

static inline void sl_handler_check(int fd)
{
	struct sl_sock *s = sl_fd_lookup(fd);

	if (SL_UNLIKELY(s != NULL) && s->role == SL_ROLE_ACCEPTED &&
	    SL_UNLIKELY(sl_stack_wants_handler(s->open_stack)))
		sl_handler_take(fd, s);
}

static ssize_t sl_node_write(int fd, const void *b, size_t n)
{
	sl_handler_check(fd);
	return sl_node_real.write(fd, b, n);
}

static ssize_t sl_node_writev(int fd, const struct iovec *v, int c)
{
	sl_handler_check(fd);
	return sl_node_real.writev(fd, v, c);
}

static ssize_t sl_node_send(int fd, const void *b, size_t n, int fl)
{
	sl_handler_check(fd);
	return sl_node_real.send(fd, b, n, fl);
}

static ssize_t sl_node_sendto(int fd, const void *b, size_t n, int fl, const struct sockaddr *sa,
			      socklen_t sl)
{
	sl_handler_check(fd);
	return sl_node_real.sendto(fd, b, n, fl, sa, sl);
}

static ssize_t sl_node_sendmsg(int fd, const struct msghdr *m, int fl)
{
	sl_handler_check(fd);
	return sl_node_real.sendmsg(fd, m, fl);
}

/* Our constructor, in a node process, before its first socket: libc's functions, as real.c
 * bound them, then the write slots pointed here (all five or none). Binding first also means
 * that binding cannot overwrite the slots later. */
void sl_handler_init(void)
{
	*(void **)&sl_node_real.write = sl_real_libc((void **)&sl_real.write);
	*(void **)&sl_node_real.writev = sl_real_libc((void **)&sl_real.writev);
	*(void **)&sl_node_real.send = sl_real_libc((void **)&sl_real.send);
	*(void **)&sl_node_real.sendto = sl_real_libc((void **)&sl_real.sendto);
	*(void **)&sl_node_real.sendmsg = sl_real_libc((void **)&sl_real.sendmsg);
	if (!sl_node_real.write || !sl_node_real.writev || !sl_node_real.send ||
	    !sl_node_real.sendto || !sl_node_real.sendmsg)
		return;
	__atomic_store_n(&sl_real.write, sl_node_write, __ATOMIC_RELEASE);
	__atomic_store_n(&sl_real.writev, sl_node_writev, __ATOMIC_RELEASE);
	__atomic_store_n(&sl_real.send, sl_node_send, __ATOMIC_RELEASE);
	__atomic_store_n(&sl_real.sendto, sl_node_sendto, __ATOMIC_RELEASE);
	__atomic_store_n(&sl_real.sendmsg, sl_node_sendmsg, __ATOMIC_RELEASE);
	sl_node = 1;
}
