/* Watchdog thread and scans; see watchdog.h. Everything here may run on the raw thread:
 * see rthread.h for what that allows. */
#include "watchdog.h"

#include "epwatch.h"
#include "fdident.h"
#include "fdtable.h"
#include "procfd.h"
#include "lock.h"
#include "log.h"
#include "options.h"
#include "policy.h"
#include "records.h"
#include "rthread.h"
#include "sitekey.h"
#include "sockets.h"
#include "stack.h"
#include "suppress.h"
#include "track.h"

#include <fcntl.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>


#define SL_SUMMARY_MAX 32
#define SL_SMALL 128 /* up to this many sockets, scan each instead of netlink */

/* this process has a watchdog (reset in a fork child) */
int sl_wd_started SL_FORK_STATE;
/* a fork child that has made no socket call of its own yet */
static int sl_wd_idle_child SL_FORK_STATE;
static int sl_wd_raw SL_FORK_STATE;  /* ... and it runs on the raw thread (rthread.h) */
static int sl_wd_stop SL_FORK_STATE; /* futex word: 1 asks the watchdog to return */
static sl_mutex sl_wd_ctl SL_FORK_STATE = SL_MUTEX_INIT; /* serialises sl_watchdog_pause */
static sl_mutex sl_scan_mu SL_FORK_STATE = SL_MUTEX_INIT;
static uint32_t sl_scan_no;
static uint64_t sl_prev_scan_ms; /* start of the previous scan */
static unsigned long sl_leaked SL_FORK_STATE, sl_enforced SL_FORK_STATE;
/* This scan's leaks, every one of them (no cap: each leaked socket gets its record, at exit
 * too), in pages we own that grow with the largest scan (~330 bytes a leak). */
static struct sl_leak_info *sl_cand;
static size_t sl_cand_cap;
static struct sl_leak_info sl_summary[SL_SUMMARY_MAX];
static unsigned sl_nsummary SL_FORK_STATE;

/* CLOSE_WAIT inodes from the last dump, in pages we own. */
static uint64_t *sl_cw_inodes;
static size_t sl_ncw, sl_cw_cap; /* entries; capacity in bytes */

unsigned long sl_leaked_count(void) { return __atomic_load_n(&sl_leaked, __ATOMIC_RELAXED); }
unsigned long sl_enforced_count(void) { return __atomic_load_n(&sl_enforced, __ATOMIC_RELAXED); }

static void sl_cw_add(const struct sl_diag *d, void *ctx)
{
	uint64_t *n = SL_PAGES_APPEND(sl_cw_inodes, sl_ncw, sl_cw_cap);

	(void)ctx;
	if (n)
		*n = d->inode;
}

/* Sockets to register with our epoll instance (epwatch.h), or to take their identity first
 * (inode 0: fdtable.h), and sockets epoll reported reset or shut, in pages we own. */
struct sl_reg {
	int fd;
	uint32_t gen;
	uint64_t inode;
	int asked;
};
static struct sl_reg *sl_reg;
static size_t sl_nreg, sl_reg_cap; /* entries; capacity in bytes */
#define SL_HUP_MAX 256
static uint64_t sl_hup[SL_HUP_MAX];
static size_t sl_nhup;

/* Under sl_lock: s is collected when a CLOSE_WAIT could still be reported for it and it is
 * not registered in generation epgen yet, or when it has no identity yet (in every scan_with
 * mode: the CLOSE_WAIT sockets are known by inode). */
static int sl_reg_collect(struct sl_sock *s, void *ctx)
{
	unsigned epgen = *(const unsigned *)ctx;
	struct sl_reg *n;

	if ((s->inode && s->ep == epgen) || s->ep == SL_EP_DEAD || s->fd < 0 || s->eof_ms ||
	    (s->flags &
	     (SL_F_LISTEN | SL_F_REPORTED | SL_F_FIN_SENT | SL_F_EXEMPT | SL_F_HALFCLOSE)))
		return 0;
	if (!(n = SL_PAGES_APPEND(sl_reg, sl_nreg, sl_reg_cap)))
		return 1; /* the rest at the next scan */
	*n = (struct sl_reg){s->fd, s->gen, s->inode, 0};
	return 0;
}

/* The sockets collected without identity take it now: the first scan that saw them alive.
 * The fstat outside the lock; a number closed or reused meanwhile changed the record's
 * generation, and is dropped. Without epoll the list was only for this, and is emptied. */
static void sl_identify(unsigned epgen)
{
	size_t k = 0;

	for (size_t i = 0; i < sl_nreg; i++)
		if (!sl_reg[i].inode) {
			sl_reg[i].asked = 1;
			sl_reg[i].inode = sl_fd_inode(sl_reg[i].fd);
		}
	sl_lock();
	for (size_t i = 0; i < sl_nreg; i++) {
		struct sl_reg r = sl_reg[i];

		if (r.asked && (!r.inode || !sl_fd_identify(r.fd, r.gen, r.inode)))
			continue;
		r.asked = 0;
		if (epgen)
			sl_reg[k++] = r;
	}
	sl_unlock();
	sl_nreg = k;
}

static void sl_ep_event(uint64_t inode, int hup, void *ctx)
{
	struct sl_diag d = {.inode = inode};

	(void)ctx;
	if (!hup)
		sl_cw_add(&d, NULL);
	else if (sl_nhup < SL_HUP_MAX)
		sl_hup[sl_nhup++] = inode;
}

/* The CLOSE_WAIT sockets through epoll: register the sockets the previous scan's walk found
 * unregistered (sl_age; at exit, a walk of its own finds them now), then one wait. Returns the
 * generation of the instance, or 0 when epoll is unavailable (then sock_diag). */
static unsigned sl_ep_scan(int at_exit)
{
	unsigned epgen;
	int fds[SL_HUP_MAX], nfds = 0;

	if (sl_ep_ready() < 0)
		return 0;
	epgen = sl_ep_gen();
	sl_nhup = 0;
	if (at_exit) {
		sl_lock();
		sl_sock_each(sl_reg_collect, &epgen);
		sl_unlock();
	}
	/* System calls outside the lock; a number closed meanwhile fails (EBADF), and one
	 * reused registers a socket we do not track under that inode, which nothing reads. */
	for (size_t i = 0; i < sl_nreg; i++)
		if (sl_ep_add(sl_reg[i].fd, sl_reg[i].inode))
			sl_reg[i].fd = -1;
	sl_lock();
	for (size_t i = 0; i < sl_nreg; i++) {
		struct sl_sock *s = sl_reg[i].fd < 0 ? NULL : sl_fd_lookup(sl_reg[i].fd);

		if (s && s->gen == sl_reg[i].gen && s->ep != SL_EP_DEAD)
			s->ep = (uint8_t)epgen;
	}
	sl_unlock();
	sl_nreg = 0;
	if (sl_ep_poll(sl_ep_event, NULL, sl_sock_count() + 1024))
		return 0;
	if (!sl_nhup)
		return epgen;
	/* Reset, or shut on both sides: no longer a CLOSE_WAIT to come. A socket never
	 * connected is also "hung up": it stays registered until it connects. */
	sl_lock();
	for (size_t i = 0; i < sl_nhup; i++) {
		struct sl_sock *s = sl_sock_by_inode(sl_hup[i]);

		if (s && s->role != SL_ROLE_OTHER && s->fd >= 0 && s->ep != SL_EP_DEAD) {
			s->ep = SL_EP_DEAD;
			fds[nfds++] = s->fd;
		}
	}
	sl_unlock();
	for (int i = 0; i < nfds; i++)
		sl_ep_del(fds[i]);
	return epgen;
}

/* Without netlink or epoll (seccomp, some sandboxes, a descriptor budget too small for ours:
 * see sl_fd_budget_low): ask TCP_INFO for each tracked socket, on the program's own
 * descriptor. Every socket, in pages we own (entries; capacity in bytes). */
struct sl_fb {
	int fd;
	uint32_t gen;
	uint64_t inode;
};
static struct sl_fb *sl_fb;
static size_t sl_nfb, sl_fb_cap;

static int sl_fb_collect(struct sl_sock *s, void *ctx)
{
	struct sl_fb *n;

	(void)ctx;
	if (s->fd < 0 || (s->flags & (SL_F_REPORTED | SL_F_FIN_SENT)) || s->eof_ms)
		return 0;
	if (!(n = SL_PAGES_APPEND(sl_fb, sl_nfb, sl_fb_cap)))
		return 1; /* the rest at the next scan */
	*n = (struct sl_fb){s->fd, s->gen, s->inode};
	return 0;
}

/* Reading the state needs no duplicate: check the inode on both sides of the query, and a
 * number closed and reused meanwhile (a new socket, a new inode) is never mistaken. *inode 0:
 * a socket without identity yet (fdtable.h), given the one found. */
static int sl_fd_state_checked(int fd, uint64_t *inode)
{
	uint64_t ino = sl_fd_inode(fd);
	int st;

	if (!ino || (*inode && ino != *inode))
		return -1;
	st = sl_tcp_state(fd);
	if (sl_fd_inode(fd) != ino)
		return -1;
	*inode = ino;
	return st;
}

static void sl_cw_fallback(void)
{
	sl_nfb = 0;
	sl_lock();
	sl_sock_each(sl_fb_collect, NULL);
	sl_unlock();
	for (size_t i = 0; i < sl_nfb; i++) {
		struct sl_diag diag = {.inode = sl_fb[i].inode};

		if (sl_fd_state_checked(sl_fb[i].fd, &diag.inode) != TCP_CLOSE_WAIT)
			continue;
		/* A record without identity yet takes the one found, now that it matters. */
		if (!sl_fb[i].inode) {
			sl_lock();
			if (!sl_fd_identify(sl_fb[i].fd, sl_fb[i].gen, diag.inode))
				diag.inode = 0;
			sl_unlock();
		}
		if (diag.inode)
			sl_cw_add(&diag, NULL);
	}
}

struct sl_walk {
	struct sl_scan_clock clock;
	size_t n;
	unsigned epgen; /* epoll generation in use, or 0 */
};

/* A span in ms in 32 bits: 49 days, then clamped. */
static uint32_t sl_ms32(uint64_t ms) { return ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms; }

/* A candidate looked leaked by what we knew of its connection's last data (the program's last
 * read, stamped by the wrappers); its sends, and data moved by sendfile, splice or io_uring,
 * which no wrapper sees, are the kernel's to tell. Asked here, outside sl_lock (one getsockopt
 * a candidate, ~0.6 us: the program's accept and close never wait on it), and only for
 * candidates: a connection pays it at most once a scan while it looks quiet, never on a read
 * or a write; the same getsockopt gives the record its tcp_state. The caller checks that fd is
 * still this socket before and after. False when the answer clears it: then its record learns
 * the newer time (moved only forward, as a read stamped meanwhile may be newer still) and it
 * waits for a later scan. */
static int sl_still_leaked(struct sl_leak_info *l, const struct sl_scan_clock *clock)
{
	uint32_t sent_ago, recv_ago;
	struct sl_verdict v;
	struct sl_sock *s;
	uint64_t at;

	l->tcp_state = sl_tcp_state_and_last_data(l->fd, &sent_ago, &recv_ago);
	if (l->kind == SL_KIND_EXIT || l->tcp_state < 0)
		return 1;
	/* The clock after the question: "ago" is then never taken as longer than it was. */
	at = sl_policy_last_data(l->facts.last_io_ms, sl_mono_ms(), sent_ago, recv_ago);
	if (at == l->facts.last_io_ms)
		return 1;
	l->facts.last_io_ms = at;
	v = sl_policy_scan(&l->facts, &sl_opt, clock);
	if (v.kind != SL_KIND_NONE) {
		l->kind = v.kind;
		l->age_ms = clock->now > v.since ? clock->now - v.since : 0;
		return 1;
	}
	sl_lock();
	s = sl_fd_lookup(l->fd);
	if (s && s->gen == l->gen) {
		uint64_t cur = __atomic_load_n(&s->last_io_ms, __ATOMIC_RELAXED);

		while (at > cur && !__atomic_compare_exchange_n(&s->last_io_ms, &cur, at, 0,
								__ATOMIC_RELAXED, __ATOMIC_RELAXED))
			;
	}
	sl_unlock();
	return 0;
}

/* Under sl_lock: age one socket; copy it out as a candidate when the policy (policy.h) says it
 * is leaking. */
static int sl_age(struct sl_sock *s, void *ctx)
{
	struct sl_walk *w = ctx;
	struct sl_leak_info *l;
	struct sl_facts f;
	struct sl_verdict v;

	/* Left CLOSE_WAIT (closed by a peer reset, or shut down). Not once reported: scans no
	 * longer look for it then, and its late_close says how long it leaked from cw_ms (issue 12:
	 * leak_age_ms was 0 for every close_wait socket closed late). */
	if (s->cw_ms && s->cw_scan != sl_scan_no && !(s->flags & SL_F_REPORTED))
		s->cw_ms = 0;
	if (!s->inode || (w->epgen && s->ep != w->epgen))
		sl_reg_collect(s, &w->epgen); /* identified now, registered at the next scan */
	f = sl_sock_facts(s);
	v = sl_policy_scan(&f, &sl_opt, &w->clock);
	if (v.kind == SL_KIND_NONE)
		return 0;
	if (!(l = SL_PAGES_APPEND(sl_cand, w->n, sl_cand_cap)))
		return 1; /* no memory: the rest at the next scan, or lost at exit */
	sl_leak_info_of(l, s, v.kind, w->clock.now, v.since);
	l->facts = f; /* sl_still_leaked asks the kernel, after the lock */
	return 0;
}

static void sl_peer_names(int d, struct sl_leak_info *l)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (!syscall(SYS_getsockname, d, (struct sockaddr *)&ss, &len))
		sl_fmt_sockaddr(l->local, sizeof(l->local), (struct sockaddr *)&ss, len);
	len = sizeof(ss);
	if (!syscall(SYS_getpeername, d, (struct sockaddr *)&ss, &len))
		sl_fmt_sockaddr(l->peer, sizeof(l->peer), (struct sockaddr *)&ss, len);
}

/* The site of a leak in the summary: the key the tools group by (sitekey.h), so that this
 * summary, `sockleak run` and `sockleak report` count the same sites (issue 12). The key's
 * strings are the stacks' own, which stay; the frames are read one stack at a time, into
 * buffers under sl_site_mu (12 KiB: too much for the stack of a program thread that closes a
 * socket its runtime had dropped, sl_watchdog_gc_closed). */
static sl_mutex sl_site_mu SL_FORK_STATE = SL_MUTEX_INIT;

static void sl_summary_key(const struct sl_leak_info *l, struct sl_site_key *k)
{
	static struct sl_site_frame f[3][SL_STACK_MAX];
	struct sl_site_leak in = {
		.kind = l->kind > SL_KIND_NONE ? (unsigned)l->kind - 1 : 0,
		.after_eof = l->eof_ms || l->eof_stack,
		.after_cw = l->cw_ms != 0,
		.exe = sl_self_exe(),
		.role = sl_role_name(l->role),
	};

	in.open.f = f[0];
	in.open.n = sl_stack_site_frames(l->open_stack, f[0], SL_STACK_MAX);
	in.eof.f = f[1];
	in.eof.n = sl_stack_site_frames(l->eof_stack, f[1], SL_STACK_MAX);
	in.handler.f = f[2];
	in.handler.n = sl_stack_site_frames(sl_stack_handler(l->open_stack), f[2], SL_STACK_MAX);
	sl_site_key(&in, k);
}

/* Every leak's site, counted: the summary lists the first SL_SUMMARY_MAX leaks, but says how
 * many sites all of them are at, as the report does (it said 32 for 40 sites). The hashes of
 * the keys (sl_site_key_hash: 64 bits of content), up to SL_SITES_SEEN. */
#define SL_SITES_SEEN 1024
static uint64_t sl_sites_seen[SL_SITES_SEEN];
static unsigned sl_nsites_seen SL_FORK_STATE;
static int sl_sites_more SL_FORK_STATE; /* more than SL_SITES_SEEN */

static unsigned long sl_suppressed SL_FORK_STATE; /* leaks of suppressed sites */

/* A reported leak, for the exit summary: a suppressed one only counted (LeakSanitizer's way,
 * and the runner's and the report's with the same file: the summary said 3 leaks where they
 * said 2), the others listed while there is room, and their site counted. Not with sl_lock
 * held: it takes sl_lock, then sl_site_mu, each alone. */
static void sl_summary_add(const struct sl_leak_info *l, int suppressed)
{
	struct sl_site_key k;
	uint64_t h;
	unsigned i;

	if (suppressed) {
		__atomic_add_fetch(&sl_suppressed, 1, __ATOMIC_RELAXED);
		return;
	}
	sl_lock();
	if (sl_nsummary < SL_SUMMARY_MAX)
		sl_summary[sl_nsummary++] = *l;
	sl_unlock();
	sl_mutex_lock(&sl_site_mu);
	sl_summary_key(l, &k);
	h = sl_site_key_hash(&k);
	for (i = 0; i < sl_nsites_seen && sl_sites_seen[i] != h; i++)
		;
	if (i == sl_nsites_seen) {
		if (i < SL_SITES_SEEN)
			sl_sites_seen[sl_nsites_seen++] = h;
		else
			sl_sites_more = 1;
	}
	sl_mutex_unlock(&sl_site_mu);
}

void sl_watchdog_gc_closed(struct sl_leak_info *l, int fd)
{
	l->tcp_state = sl_tcp_state(fd);
	sl_peer_names(fd, l);
	__atomic_add_fetch(&sl_leaked, 1, __ATOMIC_RELAXED);
	sl_rec_leak(l);
	sl_summary_add(l, sl_supp_match(l->open_stack, l->eof_stack));
}

/* Enforcement: shut the socket down through a private duplicate, so that a number the
 * program closed and reused meanwhile is never the one shut (docs/enforce.md). The one
 * descriptor sockleak borrows for a moment. Returns 0 or an errno. */
static int sl_shut_checked(int fd, uint64_t inode)
{
	int d = (int)syscall(SYS_fcntl, fd, F_DUPFD_CLOEXEC, sl_high_base()), err;

	if (d < 0)
		return errno;
	err = sl_fd_inode(d) != inode ? EBADF : syscall(SYS_shutdown, d, SHUT_RDWR) ? errno : 0;
	syscall(SYS_close, d);
	return err;
}

/* Verify one candidate, record it, enforce when asked. Reading needs no duplicate (which
 * would take a descriptor from the program's budget): the answers count only when the
 * program's descriptor is this socket before and after them. */
static void sl_report(struct sl_leak_info *l, const struct sl_scan_clock *clock)
{
	int ok = 0, err = 0;
	struct sl_sock *s;
	/* A socket found leaking before any scan took its identity takes it now, from its
	 * descriptor: the record is checked to be the same one (generation) below. */
	uint64_t ino = sl_fd_inode(l->fd);

	if (!ino || (l->inode && ino != l->inode)) {
		sl_fd_stale(l->fd, l->inode, l->gen); /* closed behind our back (raw syscall) */
		return;
	}
	if (!sl_still_leaked(l, clock)) {
		if (sl_fd_inode(l->fd) != ino) /* the answer was another socket's */
			sl_fd_stale(l->fd, l->inode, l->gen);
		return;
	}
	sl_peer_names(l->fd, l);
	if (sl_fd_inode(l->fd) != ino) {
		sl_fd_stale(l->fd, l->inode, l->gen);
		return;
	}
	if (!sl_policy_confirmed(l->kind, l->tcp_state))
		return;
	sl_lock();
	s = sl_fd_lookup(l->fd);
	if (s && s->gen == l->gen && !l->inode && !sl_sock_identify(s, ino))
		l->inode = ino;
	if (s && l->inode && s->inode == l->inode && s->gen == l->gen &&
	    !(s->flags & SL_F_REPORTED)) {
		s->flags |= SL_F_REPORTED;
		s->kind = (uint8_t)l->kind;
		s->reported_after = sl_ms32(sl_mono_ms() - s->open_ms);
		ok = 1;
	}
	sl_unlock();
	if (ok) {
		__atomic_add_fetch(&sl_leaked, 1, __ATOMIC_RELAXED);
		if (l->nshared)
			l->nshared = sl_holders_alive(l->inode, l->shared, l->nshared);
		sl_rec_leak(l);
		/* after the record: writing its stacks named their JIT frames (sitekey.h) */
		sl_summary_add(l, sl_supp_match(l->open_stack, l->eof_stack));
		/* Reported once: its CLOSE_WAIT need not come back at every scan. */
		if (sl_ep_fd() >= 0)
			sl_ep_del(l->fd);
		/* sl_supp_match only reads a flag decided when each stack was captured. */
		if (sl_policy_enforce(&sl_opt, l->kind,
				      sl_supp_match(l->open_stack, l->eof_stack))) {
			err = sl_shut_checked(l->fd, l->inode);
			sl_lock();
			s = sl_fd_lookup(l->fd);
			if (s && s->gen == l->gen && !err)
				s->flags |= SL_F_ENFORCED | SL_F_FIN_SENT;
			sl_unlock();
			if (!err)
				__atomic_add_fetch(&sl_enforced, 1, __ATOMIC_RELAXED);
			sl_rec_enforce(l->fd, l->inode, l->kind, err);
		}
	}
}

void sl_scan(int at_exit)
{
	struct sl_walk w = {0};
	int err, low;

	sl_mutex_lock(&sl_scan_mu);
	/* At exit, no next scan: every socket takes its identity now, in every scan_with mode. */
	if (at_exit && __atomic_load_n(&sl_lazy, __ATOMIC_RELAXED))
		sl_fd_identify_all();
	sl_ncw = 0;
	/* epoll tells us our CLOSE_WAIT sockets for what they are in number. Without it: a
	 * netlink dump costs the same for 1 or 100k sockets of ours, and grows with every TCP
	 * socket of the host, so for a few sockets (a forked child at exit) ask each one. */
	/* On a low descriptor budget neither instance is made: each takes a number the program
	 * would get (sl_fd_budget_low). */
	low = sl_fd_budget_low();
	w.epgen = sl_opt.scan_with == SL_SCAN_EPOLL && !low ? sl_ep_scan(at_exit) : 0;
	err = w.epgen ? 0 : ENOSYS;
	if (err)
		err = low || sl_sock_count() <= SL_SMALL || sl_opt.scan_with == SL_SCAN_TCP_INFO
			      ? ENOSYS
			      : sl_diag_dump(1u << TCP_CLOSE_WAIT, sl_inet6_count() > 0, sl_cw_add,
					     NULL);
	if (err) {
		sl_ncw = 0;
		sl_cw_fallback();
	}
	w.clock.now = sl_mono_ms();
	w.clock.prev = sl_prev_scan_ms;
	w.clock.at_exit = at_exit;
	sl_lock();
	sl_scan_no++;
	for (size_t i = 0; i < sl_ncw; i++) {
		struct sl_sock *s = sl_sock_by_inode(sl_cw_inodes[i]);

		if (!s)
			continue;
		s->cw_scan = sl_scan_no;
		if (!s->cw_ms)
			s->cw_ms = w.clock.now;
	}
	sl_sock_each(sl_age, &w);
	if (!at_exit)
		sl_prev_scan_ms = w.clock.now;
	sl_unlock();
	if (sl_nreg)
		sl_identify(w.epgen);
	for (size_t i = 0; i < w.n; i++)
		sl_report(&sl_cand[i], &w.clock);
	sl_mutex_unlock(&sl_scan_mu);
}

/* Sleep until the next scan is due (true) or a stop is asked (false). */
static int sl_wd_sleep(void)
{
	uint64_t due = sl_mono_ms() + sl_opt.scan_ms, now;

	while (!__atomic_load_n(&sl_wd_stop, __ATOMIC_ACQUIRE) && (now = sl_mono_ms()) < due) {
		struct timespec ts = {(time_t)((due - now) / 1000),
				      (long)((due - now) % 1000) * 1000000L};

		sl_futex(&sl_wd_stop, FUTEX_WAIT, 0, &ts);
	}
	return !__atomic_load_n(&sl_wd_stop, __ATOMIC_ACQUIRE);
}

static void sl_watchdog_loop(void *arg)
{
	(void)arg;
	uint64_t creds_due = 0;

	sl_log_set_watchdog(sl_gettid());
	while (sl_wd_sleep()) {
		/* A program that changed its uid with a raw system call left this thread with the
		 * old one; follow it within a second. Two reads of /proc/.../status, 12.5 us
		 * (docs/performance.md, "Safe logs"): at most once a second, whatever scan_ms. */
		if (sl_coarse_now() >= creds_due) {
			creds_due = sl_coarse_now() + 1000;
			sl_log_follow_creds();
		}
		if (sl_sock_count())
			sl_scan(0);
	}
	sl_log_set_watchdog(0);
}

static void *sl_watchdog_pthread(void *arg)
{
	/* Everything this thread calls passes through our wrappers untouched. */
	sl_busy = 1;
	pthread_setname_np(pthread_self(), "sockleak");
	sl_watchdog_loop(arg);
	return NULL;
}

static void sl_watchdog_start_thread(void);

SL_FORK_CODE int sl_watchdog_idle_child(void)
{
	return __atomic_load_n(&sl_wd_idle_child, __ATOMIC_RELAXED);
}

/* Keeps errno: the per-connection callers save none (track.c). */
void sl_watchdog_start(void)
{
	int saved = errno;

	sl_watchdog_start_thread();
	errno = saved;
}

static void sl_watchdog_start_thread(void)
{
	pthread_attr_t attr;
	sigset_t all, old;
	pthread_t t;

	if (SL_UNLIKELY(__atomic_load_n(&sl_wd_idle_child, __ATOMIC_RELAXED)))
		__atomic_store_n(&sl_wd_idle_child, 0, __ATOMIC_RELAXED);
	if (__atomic_exchange_n(&sl_wd_started, 1, __ATOMIC_ACQ_REL))
		return;
	/* The first socket to watch: on a low descriptor budget the log's descriptor, the one
	 * sockleak holds, is taken now, while the program has one to spare; its first record
	 * may come when the program has used them all. */
	if (sl_fd_budget_low())
		sl_log_prepare();
	/* A single-threaded program stays single-threaded for glibc (rthread.h says why). */
	if (sl_opt.raw_thread && !sl_rthread_start(sl_watchdog_loop, NULL)) {
		__atomic_store_n(&sl_wd_raw, 1, __ATOMIC_RELEASE);
		return;
	}
	/* No signal of the program's may ever run on our thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	if (pthread_create(&t, &attr, sl_watchdog_pthread, NULL))
		__atomic_store_n(&sl_wd_started, 0, __ATOMIC_RELEASE);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

int sl_watchdog_pause(void)
{
	int was;

	sl_mutex_lock(&sl_wd_ctl);
	was = __atomic_load_n(&sl_wd_raw, __ATOMIC_ACQUIRE);
	if (was) {
		__atomic_store_n(&sl_wd_stop, 1, __ATOMIC_RELEASE);
		sl_futex(&sl_wd_stop, FUTEX_WAKE, 1, NULL);
		sl_rthread_join(); /* after the scan in progress, if any */
		__atomic_store_n(&sl_wd_raw, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&sl_wd_stop, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&sl_wd_started, 0, __ATOMIC_RELEASE);
	}
	sl_mutex_unlock(&sl_wd_ctl);
	return was;
}

/* Sanitizer style: each site (sl_summary_key) once, with its count and the
 * first socket as an example. Symbols here are only the dynamic ones; `sockleak run` and
 * `sockleak report` give function and file:line from debug info. */
void sl_summary_print(void)
{
	static char buf[16384];
	static struct sl_site_key key[SL_SUMMARY_MAX];
	unsigned long suppressed = __atomic_load_n(&sl_suppressed, __ATOMIC_RELAXED);
	unsigned long leaked = sl_leaked_count() - suppressed;
	int pid = (int)getpid(), w;
	unsigned nsites, listed = 0, n;
	int more;
	size_t len;

	if (!leaked)
		return;
	/* The entries below n are complete and never written again: a thread of the program
	 * that reports a leak while we print (a worker still running during exit()) appends past
	 * them, under sl_lock as we read n. */
	sl_lock();
	n = sl_nsummary;
	sl_unlock();
	w = snprintf(buf, sizeof(buf),
		     "==%d==sockleak: %lu TCP socket(s) leaked (left in CLOSE_WAIT or open after "
		     "EOF)\n",
		     pid, leaked);
	len = w > 0 ? (size_t)w : 0;
	sl_mutex_lock(&sl_site_mu);
	for (unsigned i = 0; i < n; i++)
		sl_summary_key(&sl_summary[i], &key[i]);
	nsites = sl_nsites_seen;
	more = sl_sites_more;
	sl_mutex_unlock(&sl_site_mu);
	for (unsigned i = 0; i < n && len < sizeof(buf) - 512; i++) {
		const struct sl_leak_info *l = &sl_summary[i];
		unsigned k, count = 0;

		for (k = 0; k < i; k++)
			if (sl_site_key_eq(&key[k], &key[i]))
				break;
		if (k < i)
			continue; /* site already printed */
		for (k = i; k < n; k++)
			count += sl_site_key_eq(&key[k], &key[i]);
		listed++;
		w = snprintf(buf + len, sizeof(buf) - len,
			     /* the site's kind, as the report names it: exit_open after an EOF
			      * is an eof_unclosed site */
			     "==%d==  %u x %s, e.g. fd %d %s <- %s (%s), leaking for %llu ms; "
			     "opened at:\n",
			     pid, count, sl_kind_name((enum sl_kind)(key[i].kind + 1)), l->fd,
			     l->local[0] ? l->local : "?", l->peer[0] ? l->peer : "?",
			     l->tcp_state < 0 ? "UNKNOWN" : sl_tcp_state_name(l->tcp_state),
			     (unsigned long long)l->age_ms);
		if (w > 0)
			len += (size_t)w;
		if (len < sizeof(buf))
			len += sl_stack_format(l->open_stack, "        ", buf + len,
					       sizeof(buf) - len);
		if (sl_stack_handler(l->open_stack) && len < sizeof(buf) - 64) {
			/* node: the JavaScript that handled it (handler.c) */
			w = snprintf(buf + len, sizeof(buf) - len,
				     "==%d==    handled at (its first write):\n", pid);
			if (w > 0)
				len += (size_t)w;
			len += sl_stack_format(sl_stack_handler(l->open_stack), "        ",
					       buf + len, sizeof(buf) - len);
		}
	}
	if (suppressed && len < sizeof(buf) - 128) {
		w = snprintf(buf + len, sizeof(buf) - len,
			     "==%d==  %lu more leaked socket(s) at suppressed sites, not counted\n",
			     pid, suppressed);
		if (w > 0)
			len += (size_t)w;
	}
	if (len < sizeof(buf) - 128) {
		w = snprintf(buf + len, sizeof(buf) - len,
			     "SUMMARY: sockleak: %lu leaked socket(s) at %s%u site(s)%s\n", leaked,
			     more ? "more than " : "",
			     nsites > listed ? nsites
			     : listed        ? listed
					     : 1,
			     leaked > n ? " (first ones listed)" : "");
		if (w > 0)
			len += (size_t)w;
	}
	sl_log_text(buf, len < sizeof(buf) ? len : sizeof(buf) - 1);
}

void sl_watchdog_atfork_prepare(void) { sl_mutex_lock(&sl_scan_mu); }
void sl_watchdog_atfork_parent(void) { sl_mutex_unlock(&sl_scan_mu); }

SL_FORK_CODE void sl_watchdog_atfork_child(void)
{
	sl_mutex_reset(&sl_scan_mu);
	sl_wd_started = 0;
	/* No thread here until the child's first socket call of its own (sl_watchdog_ensure from
	 * track.c): a child that runs a command or exits right away pays nothing (issue 10). */
	sl_wd_idle_child = 1;
	sl_wd_raw = 0;
	sl_wd_stop = 0;
	sl_mutex_reset(&sl_wd_ctl);
	sl_rthread_atfork_child();
	sl_leaked = 0;
	sl_enforced = 0;
	sl_nsummary = 0;
	sl_mutex_reset(&sl_site_mu);
	sl_nsites_seen = 0;
	sl_sites_more = 0;
	sl_suppressed = 0;
}
