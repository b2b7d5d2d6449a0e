/* The descriptors of a process (ours or another's), read from /proc/PID/fd with raw syscalls
 * (no opendir: malloc). The tables layer (preload/layers): the watchdog, tracking and fork
 * bookkeeping all ask it, and it asks nothing of theirs. */
#ifndef SL_PROCFD_H
#define SL_PROCFD_H

#include <stdint.h>
#include <sys/types.h>

/* Call fn(dirfd, entry name, ctx) for each entry of /proc/PID/fd (pid 0: self); stops when fn
 * returns non-zero and returns that value. */
int sl_each_fd(pid_t pid, int (*fn)(int dirfd, const char *name, void *ctx), void *ctx);

/* Keep the pids of pids[0..n) that are alive and hold socket inode; returns the new count.
 * Called on transitions only. */
int sl_holders_alive(uint64_t inode, pid_t *pids, int n);

#endif
