/* The fd table's records against the kernel's sockets: a record takes its socket's identity
 * (inode) lazily, and a record whose descriptor was closed where we could not see it (a raw
 * syscall) is dropped. The tables layer (preload/layers): tracking, the watchdog and the fork
 * code all call it, and it calls only the table and sockets.c. */
#ifndef SL_FDIDENT_H
#define SL_FDIDENT_H

#include "sl.h"

/* Under sl_lock: fd's entry is stale; drop it silently. */
void sl_fd_drop_stale(int fd);
/* The watchdog found fd no longer refers to socket (inode, gen): its close happened where we
 * could not see it. Forget the mapping. Caller is inside sockleak (sl_busy). */
void sl_fd_stale(int fd, uint64_t inode, uint32_t gen);
/* Every record whose identity is not taken yet takes it now (fork: the child inherits it; a
 * descriptor received from ourselves). Caller is inside sockleak, holds nothing. */
void sl_fd_identify_all(void);

#endif
