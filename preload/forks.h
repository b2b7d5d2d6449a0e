/* Sockets that cross process boundaries: fork, exec, posix_spawn, and the processes that still
 * hold a socket after we close it. */
#ifndef SL_FORKS_H
#define SL_FORKS_H

#include "execenv.h"
#include "sl.h"

/* At init: remember our pid (a different one later means a vfork child). */
void sl_forks_init(void);

/* fork: stack taken in the parent before the call; after it, both sides record the sharing. */
uint32_t sl_fork_before(void);
void sl_fork_parent(pid_t child, uint32_t stack);
void sl_forks_atfork_child(void);
/* The child starts no watchdog at fork: its first socket call of its own does (a worker that
 * closes the listener, dup2()s its connection, reads the EOF or opens a socket); see
 * sl_watchdog_idle_child. */

/* Before an exec of path with argv and envp, when the exec will find its program (an exec that
 * fails leaves no record): the `exec_untracked` record when the new image would run unseen
 * (execenv.h), and the `exec` record naming the TCP sockets that cross (no FD_CLOEXEC). In a vfork
 * child only the first, written with raw syscalls into a file of the child's own, touching
 * nothing of the parent's; the pending vfork ends there. */
void sl_exec_begin(const char *path, enum sl_exec_check check, char *const argv[],
		   char *const envp[]);
/* After a posix_spawn that started child (0: pid not asked for) with argv and envp: its `exec`
 * record and, when the new image runs unseen, its `exec_untracked` record. A spawn that failed
 * (its result, as it returns) gets neither. */
void sl_spawn_after(pid_t child, const char *path, char *const argv[], char *const envp[]);

#endif
