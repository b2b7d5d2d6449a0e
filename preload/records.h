/* Formatting of the records about one socket: leak, late_close, close_shared, enforce
 * (docs/log-format.md; start and stack are written by log.c, fork, exec and exec_untracked by
 * forks.c, exit by init.c). They take plain copies of the facts, never a live socket record,
 * so they run without sl_lock. */
#ifndef SL_RECORDS_H
#define SL_RECORDS_H

#include "fdtable.h"
#include "policy.h"
#include "sockets.h"

#define SL_FDS_MAX 16

struct sl_leak_info {
	enum sl_kind kind;
	int fd, nfds, fds[SL_FDS_MAX];
	uint64_t inode;
	uint32_t gen;
	int family, role, tcp_state, inherited, nshared;
	char local[SL_ADDR_MAX], peer[SL_ADDR_MAX]; /* "" = unknown */
	uint64_t age_ms, open_age_ms;
	uint64_t open_ms, eof_ms, cw_ms; /* monotonic, 0 = did not happen */
	uint32_t open_stack, eof_stack;
	pid_t shared[SL_SHARED_MAX];
	struct sl_facts facts; /* what the scan decided on (policy.h), checked once more after */
};

/* With sl_lock held: the facts of socket s for a leak record of this kind, leaking since
 * `since` (monotonic ms). local, peer and tcp_state are left for the caller. */
void sl_leak_info_of(struct sl_leak_info *l, const struct sl_sock *s, enum sl_kind kind,
		     uint64_t now, uint64_t since);
/* Monotonic ms to CLOCK_REALTIME ns, for the *_ts_ns fields. */
uint64_t sl_mono_to_wall_ns(uint64_t mono_ms);

void sl_rec_leak(const struct sl_leak_info *l);
/* A socket's role as records name it ("accepted", ...; "other" out of range). */
const char *sl_role_name(int role);
/* by_runtime: closed by an interpreter's finaliser (or at its shutdown), not by the program. */
void sl_rec_late_close(int fd, uint64_t inode, enum sl_kind kind, uint64_t late_ms,
		       uint64_t leak_age_ms, int by_runtime, uint32_t stack);
void sl_rec_close_shared(int fd, uint64_t inode, const int *fds, int nfds, const pid_t *pids,
			 int npids, uint32_t stack);
void sl_rec_enforce(int fd, uint64_t inode, enum sl_kind kind, int err);

#endif
