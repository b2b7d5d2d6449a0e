/* Kernel socket facts; see sockets.h. */
#include "sockets.h"

#include "diagreq.h"
#include "ownfd.h"
#include "real.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

size_t sl_fmt_inet(char *out, size_t cap, int family, const void *addr, uint16_t port_be)
{
	char a[INET6_ADDRSTRLEN];
	int n;

	if (!inet_ntop(family, addr, a, sizeof(a)))
		return 0;
	if (family == AF_INET6)
		n = snprintf(out, cap, "[%s]:%u", a, ntohs(port_be));
	else
		n = snprintf(out, cap, "%s:%u", a, ntohs(port_be));
	return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

size_t sl_fmt_sockaddr(char *out, size_t cap, const struct sockaddr *sa, socklen_t len)
{
	if (cap)
		out[0] = '\0';
	if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = (const void *)sa;

		return sl_fmt_inet(out, cap, AF_INET, &in->sin_addr, in->sin_port);
	}
	if (sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *in6 = (const void *)sa;

		return sl_fmt_inet(out, cap, AF_INET6, &in6->sin6_addr, in6->sin6_port);
	}
	return 0;
}

const char *sl_tcp_state_name(int state)
{
	static const char *const names[] = {
		"UNKNOWN",   "ESTABLISHED", "SYN_SENT",   "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",
		"TIME_WAIT", "CLOSE",       "CLOSE_WAIT", "LAST_ACK", "LISTEN",    "CLOSING",
	};

	if (state < 0 || state >= (int)(sizeof(names) / sizeof(names[0])))
		return "UNKNOWN";
	return names[state];
}

/* TCP_INFO of fd; the bytes the kernel filled, 0 on error. */
static socklen_t sl_tcp_info(int fd, struct tcp_info *ti)
{
	socklen_t len = sizeof(*ti);

	return syscall(SYS_getsockopt, fd, IPPROTO_TCP, TCP_INFO, ti, &len) ? 0 : len;
}

int sl_tcp_state(int fd)
{
	struct tcp_info ti;

	return sl_tcp_info(fd, &ti) < 1 ? -1 : ti.tcpi_state;
}

int sl_tcp_state_and_last_data(int fd, uint32_t *sent_ago, uint32_t *recv_ago)
{
	struct tcp_info ti;
	socklen_t len = sl_tcp_info(fd, &ti);

	if (len < 1)
		return -1;
	if (len < offsetof(struct tcp_info, tcpi_last_ack_recv))
		*sent_ago = *recv_ago = UINT32_MAX; /* an old kernel: no answer, nothing moves */
	else {
		*sent_ago = ti.tcpi_last_data_sent;
		*recv_ago = ti.tcpi_last_data_recv;
	}
	return ti.tcpi_state;
}

uint64_t sl_fd_inode(int fd)
{
	struct stat st;

	/* Raw syscalls here and below: these run on descriptor numbers other threads may close
	 * at any moment, which every caller allows for by checking the inode; going around libc
	 * also keeps sanitizer interceptors from modelling it as a race on the fd. */
	if (syscall(SYS_fstat, fd, &st) || !S_ISSOCK(st.st_mode))
		return 0;
	return (uint64_t)st.st_ino;
}

int sl_fd_is_tcp(int fd, int *family)
{
	int v = 0, type = 0, proto = 0;
	socklen_t len = sizeof(v);

	if (syscall(SYS_getsockopt, fd, SOL_SOCKET, SO_DOMAIN, &v, &len) ||
	    (v != AF_INET && v != AF_INET6))
		return 0;
	len = sizeof(type);
	if (syscall(SYS_getsockopt, fd, SOL_SOCKET, SO_TYPE, &type, &len) || type != SOCK_STREAM)
		return 0;
	len = sizeof(proto);
	if (syscall(SYS_getsockopt, fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len) ||
	    proto != IPPROTO_TCP)
		return 0;
	if (family)
		*family = v;
	return 1;
}

static int sl_diag_family(int nl, int family, uint32_t mask,
			  void (*fn)(const struct sl_diag *d, void *ctx), void *ctx)
{
	struct sl_diag_req req;
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	/* Aligned for nlmsghdr; 32 KiB holds ~200 sockets per datagram. Static, not __thread:
	 * callers are serialised already (one netlink socket, whose replies they share), and 32 KiB
	 * of static TLS in every thread of the host made glibc refuse threads with small stacks
	 * (node's inspector thread, 32 KiB: "node[PID]: pthread_create: Invalid argument"). */
	static long buf[32768 / sizeof(long)];

	sl_diag_req_init(&req, family, mask, 0);
	if (syscall(SYS_sendto, nl, &req, sizeof(req), 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return errno;
	for (;;) {
		ssize_t n = syscall(SYS_recvfrom, nl, buf, sizeof(buf), 0, NULL, NULL);
		struct nlmsghdr *h;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? errno : EIO;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			const struct inet_diag_msg *m;
			struct sl_diag d;

			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				return e->error ? -e->error : EIO;
			}
			if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
				continue;
			m = NLMSG_DATA(h);
			d.inode = m->idiag_inode;
			d.family = m->idiag_family;
			d.state = m->idiag_state;
			/* Addresses are not formatted here: most sockets of the host are not ours, and
			 * the ones reported get theirs from getsockname/getpeername. */
			fn(&d, ctx);
		}
	}
}

/* Our own socket: made with the raw syscall so no wrapper tracks it, CLOEXEC, placed high and
 * kept, so the watchdog never takes a low descriptor number the program expects to get. */
static int sl_nl = -1;
static int sl_nl_pid;

int sl_diag_owns_fd(int fd) { return fd >= 0 && fd == __atomic_load_n(&sl_nl, __ATOMIC_RELAXED); }
int sl_diag_fd(void) { return __atomic_load_n(&sl_nl, __ATOMIC_RELAXED); }

void sl_diag_open(void)
{
	int nl = (int)syscall(SYS_socket, AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	int hi;

	if (nl < 0)
		return;
	hi = sl_place_high(nl);
	nl = hi;
	__atomic_store_n(&sl_nl, nl, __ATOMIC_RELAXED);
	sl_own_add(&sl_nl, nl);
	sl_nl_pid = (int)syscall(SYS_getpid);
}

int sl_diag_dump(uint32_t state_mask, int inet6, void (*fn)(const struct sl_diag *d, void *ctx),
		 void *ctx)
{
	int err, nl = __atomic_load_n(&sl_nl, __ATOMIC_RELAXED);

	/* A forked child shares the parent's netlink socket (and its replies): get its own. */
	if (nl >= 0 && sl_nl_pid != (int)syscall(SYS_getpid)) {
		syscall(SYS_close, nl);
		__atomic_store_n(&sl_nl, -1, __ATOMIC_RELAXED);
		nl = -1;
	}
	/* A program that closed every descriptor with raw syscalls may have taken the number. */
	if (nl >= 0) {
		struct sockaddr_nl sa;
		socklen_t len = sizeof(sa);

		if (syscall(SYS_getsockname, nl, (struct sockaddr *)&sa, &len) ||
		    sa.nl_family != AF_NETLINK) {
			__atomic_store_n(&sl_nl, -1, __ATOMIC_RELAXED);
			nl = -1;
		}
	}
	if (nl < 0) {
		sl_diag_open();
		nl = __atomic_load_n(&sl_nl, __ATOMIC_RELAXED);
		if (nl < 0)
			return errno ? errno : EIO;
	}
	err = sl_diag_family(nl, AF_INET, state_mask, fn, ctx);
	if (!err && inet6)
		err = sl_diag_family(nl, AF_INET6, state_mask, fn, ctx);
	return err;
}
