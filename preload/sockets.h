/* Socket facts from the kernel: addresses, TCP state, and the sock_diag netlink dump of
 * CLOSE_WAIT sockets that lets one scan cover 100k sockets in one round trip. */
#ifndef SL_SOCKETS_H
#define SL_SOCKETS_H

#include "sl.h"

#include <netinet/in.h>
#include <sys/socket.h>

#define SL_ADDR_MAX 64 /* "[ffff:...:ffff%eth0]:65535" fits */

/* "127.0.0.1:80", "[::1]:80"; pure. Returns length, 0 when the family is not inet. */
size_t sl_fmt_sockaddr(char *out, size_t cap, const struct sockaddr *sa, socklen_t len);
size_t sl_fmt_inet(char *out, size_t cap, int family, const void *addr, uint16_t port_be);

const char *sl_tcp_state_name(int state);
/* TCP state of fd from TCP_INFO, or -1. */
int sl_tcp_state(int fd);
/* The same question, also saying when fd's connection last carried data, in ms ago
 * (tcpi_last_data_sent and tcpi_last_data_recv; UINT32_MAX each when the kernel does not say). */
int sl_tcp_state_and_last_data(int fd, uint32_t *sent_ago, uint32_t *recv_ago);
/* The socket's inode, or 0 when fd is not a socket. */
uint64_t sl_fd_inode(int fd);
/* True for an AF_INET/AF_INET6 stream TCP socket, by getsockopt (for sockets we did not
 * create: inherited or received). */
int sl_fd_is_tcp(int fd, int *family);

struct sl_diag {
	uint64_t inode;
	int family;
	int state;
};

/* Dump TCP sockets of this network namespace in the states of state_mask (1 << TCP_*), IPv4
 * and, when inet6 is set, IPv6 (each family is one walk of the host's whole TCP table, so it is
 * skipped when no IPv6 socket is tracked), calling fn for each. Returns 0, or an errno when netlink is unavailable (then
 * the caller falls back to TCP_INFO per socket). */
/* Open our netlink socket once (high, CLOEXEC). sl_diag_dump opens it on demand otherwise. */
void sl_diag_open(void);
/* True for our netlink socket's descriptor (protected from the program's close calls). */
int sl_diag_owns_fd(int fd);
int sl_diag_fd(void);
/* Callers serialise dumps (one buffer per process): sl_scan holds its scan lock. */
int sl_diag_dump(uint32_t state_mask, int inet6, void (*fn)(const struct sl_diag *d, void *ctx),
		 void *ctx);

#endif
