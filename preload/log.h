/* The JSON-lines log: one record per line, one write(2) per record, formatted in a buffer we
 * own (no malloc), through a descriptor we own (CLOEXEC, placed high, re-verified before each
 * write so a program that closed it with a raw syscall never gets our bytes). */
#ifndef SL_LOG_H
#define SL_LOG_H

#include "json.h"
#include "logformat.h"
#include "ownfd.h"
#include "say.h"
#include "sl.h"

#include <sys/types.h>

/* At init: remember where to log; with log_path=stderr, take our private duplicate of fd 2
 * now, before the program can close or replace it. */
void sl_log_init(void);

/* The fields every record starts with (docs/log-format.md), into a fresh object in j: the
 * version, the event (SL_LOG_EVENT), the realtime clock, pid and tid. No lock, no stdio: a
 * vfork child formats its one record with it on its own stack (forks.c). */
void sl_log_head(struct sl_jsonline *j, const char *event, pid_t pid, pid_t tid);

/* Start a record: takes the log lock, opens the log (and writes this process's `start`
 * record) when needed, and fills the common fields. Never fails: on any problem the record is
 * dropped at sl_log_end, and counted (sl_log_dropped). */
struct sl_jsonline *sl_log_begin(const char *event);
/* The same for a record that names up to two stacks (0: none): their `stack` records are
 * written first, under the same lock hold, into the same file; when one cannot be, the record
 * is dropped rather than name what its file lacks. */
struct sl_jsonline *sl_log_begin_with(const char *event, uint32_t stack_a, uint32_t stack_b);
/* Write and unlock; 0 or errno. A record is written whole or not at all (a short write is cut
 * back: log.c, sl_untear); the first failure is said once on stderr. */
int sl_log_end(void);
void sl_log_cancel(void); /* unlock without writing */

/* The first line of a small file (a /proc entry) in out, without its newline; "" when it
 * cannot be read. Raw syscalls, no lock: for the log's start record and langstack.c. */
void sl_read_small(const char *path, char *out, size_t cap);

/* True when fd is the log or libunwind's pipe. Wrappers of close/dup2 protect it. */
int sl_log_owns_fd(int fd);
/* Our log descriptor, or -1. */
int sl_log_fd(void);
/* The program is about to dup2() onto our descriptor's number: move the log elsewhere. */
void sl_log_evict(int fd);

/* Would len more bytes on fd cross the program's RLIMIT_FSIZE (SIGXFSZ would kill it)? */
int sl_log_past_fsize(int fd, size_t len);

/* Records written by this process so far (the exit record is written only when this or
 * sl_log_dropped is > 0). */
unsigned long sl_log_count(void);
/* Records that could not be written (no log, a full disk): the exit record's `dropped`. */
unsigned long sl_log_dropped(void);

/* Open the log now if this process has none yet, without writing to it: called before the
 * program changes its credentials, so that a daemon dropping to `nobody` still logs into a
 * directory only its start-up identity may write. */
void sl_log_prepare(void);
/* The watchdog thread's tid (0: none). Only that thread, never one of the program's, may take
 * the program's credentials before it creates a file (logfile.h, sl_creds_match_process). */
void sl_log_set_watchdog(pid_t tid);
/* On the watchdog thread: take the program's credentials if they changed under it (a raw
 * syscall(SYS_setuid) in the main thread changes that thread only). */
void sl_log_follow_creds(void);

/* fork: prepare takes the lock, parent releases, child re-initialises it and forgets the
 * start record so that the child writes its own. */
void sl_log_atfork_prepare(void);
void sl_log_atfork_parent(void);
void sl_log_atfork_child(void);

#endif
