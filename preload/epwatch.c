/* Our epoll instance; see epwatch.h. Runs on the watchdog's thread, which may be the raw one
 * (rthread.h): system calls through syscall() (errno there is the thread's own), no
 * allocation, no libc lock. */
#include "epwatch.h"

#include "ownfd.h"

#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int sl_ep SL_FORK_STATE = -1;
static int sl_ep_pid;
/* a forked child's copy of its parent's instance, still open */
static int sl_ep_inherited SL_FORK_STATE;
static dev_t sl_ep_dev;
static ino_t sl_ep_ino;
static unsigned sl_ep_generation;

int sl_ep_owns_fd(int fd) { return fd >= 0 && fd == __atomic_load_n(&sl_ep, __ATOMIC_RELAXED); }
int sl_ep_fd(void) { return __atomic_load_n(&sl_ep, __ATOMIC_RELAXED); }
unsigned sl_ep_gen(void) { return sl_ep_generation; }

static void sl_ep_new_generation(void)
{
	sl_ep_generation = sl_ep_generation % 254 + 1; /* 1..254: never 0 or SL_EP_DEAD */
}

/* A forked child holds its parent's instance until its own watchdog first uses epoll: closing
 * it in the atfork handler cost every child a system call, even one that never touches a
 * socket (issue 10). Closed only while the number still holds an epoll instance (every one is
 * a file on the one anonymous inode), so a program's descriptor that took the number after a
 * raw close is never ours to close. */
static void sl_ep_drop_inherited(void)
{
	int ep = __atomic_load_n(&sl_ep, __ATOMIC_RELAXED);
	struct stat st;

	if (!sl_ep_inherited)
		return;
	sl_ep_inherited = 0;
	if (ep >= 0 && !syscall(SYS_fstat, ep, &st) && st.st_dev == sl_ep_dev &&
	    st.st_ino == sl_ep_ino)
		syscall(SYS_close, ep);
	__atomic_store_n(&sl_ep, -1, __ATOMIC_RELAXED);
}

int sl_ep_ready(void)
{
	struct epoll_event ev;
	struct stat st;
	int ep;

	sl_ep_drop_inherited();
	ep = __atomic_load_n(&sl_ep, __ATOMIC_RELAXED);
	/* A program that closed every descriptor with raw syscalls may have taken the number:
	 * a wait on anything but an epoll instance fails (EBADF, EINVAL). A forked child that
	 * missed our atfork handler (a raw clone) must not use its parent's instance. */
	if (ep >= 0 && (sl_ep_pid != (int)syscall(SYS_getpid) ||
			(syscall(SYS_epoll_pwait, ep, &ev, 1, 0, NULL, 8) < 0 && errno != EINTR))) {
		__atomic_store_n(&sl_ep, -1, __ATOMIC_RELAXED);
		ep = -1;
	}
	if (ep >= 0)
		return ep;
	ep = (int)syscall(SYS_epoll_create1, EPOLL_CLOEXEC);
	if (ep < 0)
		return -1;
	ep = sl_place_high(ep);
	sl_own_add(&sl_ep, ep);
	if (!syscall(SYS_fstat, ep, &st)) {
		sl_ep_dev = st.st_dev;
		sl_ep_ino = st.st_ino;
	}
	__atomic_store_n(&sl_ep, ep, __ATOMIC_RELAXED);
	sl_ep_pid = (int)syscall(SYS_getpid);
	sl_ep_new_generation();
	return ep;
}

int sl_ep_add(int fd, uint64_t inode)
{
	struct epoll_event ev = {.events = EPOLLRDHUP, .data.u64 = inode};

	sl_ep_drop_inherited(); /* never into the parent's instance */
	if (syscall(SYS_epoll_ctl, sl_ep, EPOLL_CTL_ADD, fd, &ev) == 0)
		return 0;
	/* Registered already, under this number, for what may be another socket that had the
	 * number before (closed after a dup): make the data this socket's. */
	if (errno == EEXIST && syscall(SYS_epoll_ctl, sl_ep, EPOLL_CTL_MOD, fd, &ev) == 0)
		return 0;
	return errno;
}

void sl_ep_del(int fd)
{
	struct epoll_event ev = {0};

	sl_ep_drop_inherited(); /* never a registration of the parent's */
	syscall(SYS_epoll_ctl, sl_ep, EPOLL_CTL_DEL, fd, &ev);
}

int sl_ep_poll(void (*fn)(uint64_t inode, int hup, void *ctx), void *ctx, size_t max_events)
{
	static struct epoll_event evs[1024];
	size_t total = 0;

	sl_ep_drop_inherited(); /* never the parent's events */
	/* Level-triggered, a ready socket goes back to the end of the ready list once returned:
	 * stop after a short batch, or after as many events as there can be sockets. */
	for (;;) {
		long n = syscall(SYS_epoll_pwait, sl_ep, evs, 1024, 0, NULL, 8);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno;
		for (long i = 0; i < n; i++)
			fn(evs[i].data.u64, !!(evs[i].events & (EPOLLHUP | EPOLLERR)), ctx);
		total += (size_t)n;
		if (n < 1024 || total >= max_events)
			return 0;
	}
}

void sl_ep_forget(void)
{
	sl_ep_inherited = 0;
	__atomic_store_n(&sl_ep, -1, __ATOMIC_RELAXED);
}

SL_FORK_CODE void sl_ep_atfork_child(void)
{
	/* No system call here: see sl_ep_drop_inherited. */
	sl_ep_inherited = __atomic_load_n(&sl_ep, __ATOMIC_RELAXED) >= 0;
}
