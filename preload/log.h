/* The JSON-lines log: one record per line, one write(2) per record, formatted in a buffer we
 * own (no malloc), through a descriptor we own (CLOEXEC, placed high, re-verified before each
 * write so a program that closed it with a raw syscall never gets our bytes). */
#ifndef SL_LOG_H
#define SL_LOG_H

#include "json.h"
#include "sl.h"

/* At init: remember where to log; with log_path=stderr, take our private duplicate of fd 2
 * now, before the program can close or replace it. */
void sl_log_init(void);

/* Start a record: takes the log lock, opens the log (and writes this process's `start`
 * record) when needed, and fills the common fields. Never fails: on any problem the record is
 * silently dropped at sl_log_end. */
struct sl_jb *sl_log_begin(const char *event);
int sl_log_end(void);      /* write and unlock; 0 or errno */
void sl_log_cancel(void);  /* unlock without writing */

/* The smallest and largest descriptor numbers we have ever held (-1, -1 before any). */
extern int sl_own_lo, sl_own_hi;
static inline int sl_own_range(int fd)
{
	return fd >= __atomic_load_n(&sl_own_lo, __ATOMIC_RELAXED) &&
	       fd <= __atomic_load_n(&sl_own_hi, __ATOMIC_RELAXED);
}
/* Widen that range to cover fd. */
void sl_own_range_add(int fd);

/* Whether fd is one of sockleak's descriptors: the log, libunwind's pipe, the watchdog's
 * netlink socket or epoll instance. They all sit in the range above, so two compares rule out
 * nearly every other fd. */
int sl_owns_fd(int fd);
static inline int sl_is_own_fd(int fd) { return sl_own_range(fd) && sl_owns_fd(fd); }
/* The highest of them, or -1. */
int sl_own_fd_max(void);

/* Register another descriptor of ours (libunwind's pipe) for protection. */
void sl_log_own_fd(int fd);
/* True when fd is one of ours (the log). Wrappers of close/dup2 protect it. */
int sl_log_owns_fd(int fd);
/* Where our own descriptors go: high, below RLIMIT_NOFILE. */
int sl_log_high_base(void);
/* Move fd to a high number (above a lowered RLIMIT_NOFILE when the hard limit allows), closing
 * the original; returns the new number, or fd itself when it cannot be moved. */
int sl_place_high(int fd);
/* For a moment in which our descriptors are made: raise the soft limit so that high numbers
 * can be had; *base is the number to start from. sl_high_end restores the limit. */
#include <sys/resource.h>
rlim_t sl_high_begin(int *base);
void sl_high_end(rlim_t saved);
/* The highest descriptor registered above, or -1. */
int sl_log_max_fd(void);
/* Our log descriptor, or -1. */
int sl_log_fd(void);
/* The program is about to dup2() onto our descriptor's number: move the log elsewhere. */
void sl_log_evict(int fd);

/* Records written by this process so far (the exit record is written only if >0). */
unsigned long sl_log_count(void);

/* fork: prepare takes the lock, parent releases, child re-initialises it and forgets the
 * start record so that the child writes its own. */
void sl_log_atfork_prepare(void);
void sl_log_atfork_parent(void);
void sl_log_atfork_child(void);

/* Write a plain text message on stderr (fd 2), e.g. bad options, the exit summary. */
void sl_log_text(const char *msg, size_t len);

#endif
