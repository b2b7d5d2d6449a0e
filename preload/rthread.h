/* A thread glibc does not know about, for the watchdog of a single-threaded program.
 *
 * Why: once a process has a second pthread, glibc takes its multi-threaded paths for good:
 * every cancellable system call wrapper (read, recv, write, close, epoll_wait...) enables and
 * disables asynchronous cancellation around the call, malloc and stdio take their locks. That
 * costs a single-threaded server like nginx 45-50 instructions per libc call, most of what
 * sockleak would cost it (docs/performance.md). A task made by clone(CLONE_THREAD) with its own
 * TLS leaves glibc single-threaded, and is still a thread for the kernel: it dies with the
 * process, at exec, and shares the descriptor table, as a pthread would.
 *
 * What code may run on it: no malloc, no stdio on shared FILEs, no glibc-internal locks (they
 * are elided while glibc believes itself single-threaded), only initial-exec TLS (its TLS is a
 * copy of the creator's static TLS; dynamic TLS would be the creator's), sl_mutex not
 * pthread_mutex (lock.h). The watchdog's scan obeys this: raw system calls, our own allocator
 * and formatting.
 *
 * Credentials: glibc changes the uid/gid of the threads it knows; this one would keep the old
 * ones. The set*id wrappers (creds.c) stop it before any change and start it again after. */
#ifndef SL_RTHREAD_H
#define SL_RTHREAD_H

#include "sl.h"

/* Whether a raw thread can be used here: x86-64, glibc single-threaded so far, no sanitizer
 * (they must see every thread). */
int sl_rthread_usable(void);
/* Start fn(arg) on a raw thread with every signal blocked. 0, or -1 (use a pthread instead). */
int sl_rthread_start(void (*fn)(void *), void *arg);
/* After the thread function returned (it must, when asked): wait for the kernel to be done
 * with the thread's stack, and free it. */
void sl_rthread_join(void);
/* In a fork child (the thread does not exist there): forget it and free its memory. */
void sl_rthread_atfork_child(void);

#endif
