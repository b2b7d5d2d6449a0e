/* The host's TCP sockets in CLOSE_WAIT, and the processes that hold them: what `sockleak top`
 * and `sockleak exporter` show.
 *
 * Sockets come from one sock_diag dump per address family with the kernel filtering on the
 * CLOSE_WAIT state, so what we receive, copy and allocate follows the CLOSE_WAIT sockets, not
 * the host's TCP table. Owners come from /proc/PID/fd (socket:[INODE] links), as `ss -p` finds
 * them; /proc is walked only when there is something to attribute, and the walk stops as soon
 * as every socket has an owner. A socket held by several processes (a forked server) goes to
 * the first one found, in pid order. */
#ifndef SL_CWDIAG_H
#define SL_CWDIAG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct sl_cw { /* one socket in CLOSE_WAIT */
	uint64_t inode;
	uint32_t uid;   /* owner of the socket, from the kernel */
	uint8_t family; /* AF_INET or AF_INET6 */
	uint8_t src[16], dst[16];
	uint16_t sport, dport; /* host order */
	int64_t age_ms;        /* estimate from tcp_info (see sl_cw_age); -1 when unknown */
	int owner;             /* index into sl_cw_snap.procs, -1 when unattributed */
};

struct sl_cw_proc { /* a process holding at least one of them */
	pid_t pid;
	uid_t uid;
	char comm[64]; /* raw bytes from /proc/PID/comm: escape before printing */
	size_t count;
	int64_t oldest_ms; /* the largest age estimate, -1 when unknown */
};

struct sl_cw_snap {
	struct sl_cw *cw; /* sorted by inode */
	size_t n, cap;
	struct sl_cw_proc *procs;
	size_t nprocs, procs_cap;
	size_t unattributed; /* sockets whose holder we could not see (other users, no root) */
	size_t unreadable;   /* processes whose fd directory we could not read */
	size_t fds_read;     /* socket links read while attributing: the cost of the walk */
};

/* Fill snap (emptied first; its arrays are reused). 0 or an errno value. */
int sl_cw_take(struct sl_cw_snap *snap);
void sl_cw_free(struct sl_cw_snap *snap);

/* "127.0.0.1:8080" or "[::1]:8080" of one end. */
void sl_cw_addr(const struct sl_cw *c, int peer, char *buf, size_t cap);

#endif
