/* CLOSE_WAIT sockets from sock_diag and their owners from /proc; see cwdiag.h. */
#include "cwdiag.h"

#include "../preload/diagreq.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files.h"

#define SL_TCP_CLOSE_WAIT 8 /* include/net/tcp_states.h */

static int cw_push(struct sl_cw_snap *s, const struct sl_cw *c)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct sl_cw *v = realloc(s->cw, cap * sizeof(*v));
		if (!v)
			return ENOMEM;
		s->cw = v;
		s->cap = cap;
	}
	s->cw[s->n++] = *c;
	return 0;
}

/* The age of a CLOSE_WAIT socket is not kept by the kernel. The peer's FIN is the last segment
 * it sends to a socket left alone, so the time since anything was last received from the peer
 * (data or an acknowledgement, whichever came later) estimates how long the socket has been in
 * CLOSE_WAIT. It is an estimate: a program still writing into the half-closed connection gets
 * acknowledgements that restart it. */
static int64_t cw_age(const struct tcp_info *ti, size_t len)
{
	if (len < offsetof(struct tcp_info, tcpi_last_ack_recv) + sizeof(ti->tcpi_last_ack_recv))
		return -1;
	return ti->tcpi_last_data_recv < ti->tcpi_last_ack_recv ? ti->tcpi_last_data_recv
								: ti->tcpi_last_ack_recv;
}

static int cw_message(struct sl_cw_snap *s, const struct nlmsghdr *h)
{
	const struct inet_diag_msg *m = NLMSG_DATA(h);
	struct sl_cw c;
	int len;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
		return 0;
	memset(&c, 0, sizeof(c));
	c.inode = m->idiag_inode;
	c.uid = m->idiag_uid;
	c.family = m->idiag_family;
	c.sport = ntohs(m->id.idiag_sport);
	c.dport = ntohs(m->id.idiag_dport);
	memcpy(c.src, m->id.idiag_src, 16);
	memcpy(c.dst, m->id.idiag_dst, 16);
	c.age_ms = -1;
	c.owner = -1;
	if (!c.inode) /* orphaned by its process: nobody to name (and no leak of a process) */
		return 0;
	len = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*m)));
	for (struct rtattr *a = (struct rtattr *)(m + 1); RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == INET_DIAG_INFO)
			c.age_ms = cw_age(RTA_DATA(a), RTA_PAYLOAD(a));
	return cw_push(s, &c);
}

static int cw_dump_family(int nl, int family, struct sl_cw_snap *s)
{
	struct sl_diag_req req;
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	/* One fixed buffer for the whole dump: the kernel sends ~200 sockets per datagram. */
	static long buf[65536 / sizeof(long)];

	/* The kernel skips every socket in another state: the cost we pay is the CLOSE_WAIT ones. */
	sl_diag_req_init(&req, family, 1u << SL_TCP_CLOSE_WAIT, 1u << (INET_DIAG_INFO - 1));
	if (sendto(nl, &req, sizeof(req), 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return errno;
	for (;;) {
		ssize_t n = recv(nl, buf, sizeof(buf), 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? errno : EIO;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			int err;

			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);
				return e->error ? -e->error : EIO;
			}
			if ((err = cw_message(s, h)))
				return err;
		}
	}
}

static int cw_by_inode(const void *a, const void *b)
{
	uint64_t x = ((const struct sl_cw *)a)->inode, y = ((const struct sl_cw *)b)->inode;
	return x < y ? -1 : x > y;
}

static struct sl_cw *cw_find(struct sl_cw_snap *s, uint64_t inode)
{
	struct sl_cw key = {.inode = inode};
	return bsearch(&key, s->cw, s->n, sizeof(*s->cw), cw_by_inode);
}

/* "socket:[12345]" -> 12345; 0 for anything else. */
static uint64_t cw_link_inode(const char *l, ssize_t n)
{
	uint64_t x = 0;

	if (n < 10 || memcmp(l, "socket:[", 8) || l[n - 1] != ']')
		return 0;
	for (ssize_t i = 8; i < n - 1; i++) {
		if (l[i] < '0' || l[i] > '9')
			return 0;
		x = x * 10 + (uint64_t)(l[i] - '0');
	}
	return x;
}

static void cw_read_comm(int procfd, const char *pid, char *out, size_t cap)
{
	char path[64];

	snprintf(path, sizeof(path), "%.20s/comm", pid);
	sl_read_small_at(procfd, path, out, cap); /* "" when it cannot be read */
	out[strcspn(out, "\n")] = '\0';
}

static int cw_add_proc(struct sl_cw_snap *s, int procfd, const char *name, pid_t pid, uid_t uid)
{
	struct sl_cw_proc *p;

	if (s->nprocs == s->procs_cap) {
		size_t cap = s->procs_cap ? s->procs_cap * 2 : 16;
		p = realloc(s->procs, cap * sizeof(*p));
		if (!p)
			return -1;
		s->procs = p;
		s->procs_cap = cap;
	}
	p = &s->procs[s->nprocs];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->uid = uid;
	p->oldest_ms = -1;
	cw_read_comm(procfd, name, p->comm, sizeof(p->comm));
	return (int)s->nprocs++;
}

/* Walk one process's descriptors; returns how many sockets it took. */
static size_t cw_scan_fds(struct sl_cw_snap *s, int procfd, const char *name, pid_t pid, uid_t uid)
{
	char path[64], link[64];
	int dfd, idx = -1;
	DIR *d;
	struct dirent *e;
	size_t took = 0;

	snprintf(path, sizeof(path), "%.20s/fd", name);
	if ((dfd = openat(procfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		if (errno == EACCES || errno == EPERM)
			s->unreadable++;
		return 0;
	}
	if (!(d = fdopendir(dfd))) {
		close(dfd);
		return 0;
	}
	while ((e = readdir(d))) {
		ssize_t n;
		uint64_t ino;
		struct sl_cw *c;

		if (e->d_name[0] == '.')
			continue;
		n = readlinkat(dfd, e->d_name, link, sizeof(link));
		s->fds_read++;
		if (n <= 0 || !(ino = cw_link_inode(link, n)) || !(c = cw_find(s, ino)) ||
		    c->owner >= 0)
			continue;
		if (idx < 0 && (idx = cw_add_proc(s, procfd, name, pid, uid)) < 0)
			break;
		c->owner = idx;
		took++;
	}
	closedir(d);
	return took;
}

struct cand {
	pid_t pid;
	uid_t uid;
	int other_uid; /* owns none of the CLOSE_WAIT sockets' uids: looked at last */
	off_t nfds;
};

static int cand_cmp(const void *x, const void *y)
{
	const struct cand *a = x, *b = y;

	if (a->other_uid != b->other_uid)
		return a->other_uid - b->other_uid;
	if (a->nfds != b->nfds)
		return a->nfds < b->nfds ? -1 : 1;
	return a->pid < b->pid ? -1 : a->pid > b->pid;
}

static int uid_of_some_socket(const struct sl_cw_snap *s, uid_t uid)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->cw[i].uid == uid)
			return 1;
	return 0;
}

/* The walk costs ~3 us a descriptor (readdir and readlink of /proc/PID/fd on a loaded 2-core
 * machine, docs/performance.md), so the order matters more than anything else: processes of
 * the sockets' owners first (the kernel gives each socket's uid), and among them the ones with
 * the fewest descriptors (/proc/PID/fd's size is its count since Linux 6.2; 0 before, which
 * leaves pid order). A holder of leaked sockets is rarely the host's biggest process, and the
 * walk stops at the last holder, so a host's 100k established sockets in other processes are
 * never read. */
static void cw_attribute(struct sl_cw_snap *s)
{
	size_t left = s->n, n = 0, cap = 0;
	struct cand *c = NULL;
	int procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;
	struct dirent *e;

	if (procfd < 0 || !(d = fdopendir(procfd))) {
		if (procfd >= 0)
			close(procfd);
		return;
	}
	while ((e = readdir(d))) {
		char *end, path[64];
		long pid = strtol(e->d_name, &end, 10);
		struct stat st, fds;

		if (*end || pid <= 0 || fstatat(procfd, e->d_name, &st, 0))
			continue;
		if (n == cap) {
			struct cand *v = realloc(c, (cap = cap ? cap * 2 : 256) * sizeof(*c));
			if (!v)
				break;
			c = v;
		}
		snprintf(path, sizeof(path), "%.20s/fd", e->d_name);
		c[n].pid = (pid_t)pid;
		c[n].uid = st.st_uid;
		c[n].other_uid = !uid_of_some_socket(s, st.st_uid);
		c[n].nfds = fstatat(procfd, path, &fds, 0) ? 0 : fds.st_size;
		n++;
	}
	qsort(c, n, sizeof(*c), cand_cmp);
	for (size_t i = 0; i < n && left; i++) {
		char name[24];

		snprintf(name, sizeof(name), "%d", (int)c[i].pid);
		left -= cw_scan_fds(s, procfd, name, c[i].pid, c[i].uid);
	}
	free(c);
	closedir(d);
}

int sl_cw_take(struct sl_cw_snap *s)
{
	int nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG), err;

	s->n = s->nprocs = s->unattributed = s->unreadable = s->fds_read = 0;
	if (nl < 0)
		return errno;
	err = cw_dump_family(nl, AF_INET, s);
	if (!err)
		err = cw_dump_family(nl, AF_INET6, s);
	close(nl);
	if (err)
		return err;
	if (!s->n)
		return 0; /* nothing in CLOSE_WAIT: /proc is not walked at all */
	qsort(s->cw, s->n, sizeof(*s->cw), cw_by_inode);
	cw_attribute(s);
	for (size_t i = 0; i < s->n; i++) {
		const struct sl_cw *c = &s->cw[i];
		struct sl_cw_proc *p;

		if (c->owner < 0) {
			s->unattributed++;
			continue;
		}
		p = &s->procs[c->owner];
		p->count++;
		if (c->age_ms > p->oldest_ms)
			p->oldest_ms = c->age_ms;
	}
	return 0;
}

void sl_cw_free(struct sl_cw_snap *s)
{
	free(s->cw);
	free(s->procs);
	memset(s, 0, sizeof(*s));
}

void sl_cw_addr(const struct sl_cw *c, int peer, char *buf, size_t cap)
{
	char a[INET6_ADDRSTRLEN];
	const uint8_t *ip = peer ? c->dst : c->src;
	unsigned port = peer ? c->dport : c->sport;

	if (c->family == AF_INET6) {
		inet_ntop(AF_INET6, ip, a, sizeof(a));
		snprintf(buf, cap, "[%s]:%u", a, port);
	} else {
		inet_ntop(AF_INET, ip, a, sizeof(a));
		snprintf(buf, cap, "%s:%u", a, port);
	}
}
