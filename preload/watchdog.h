/* The watchdog thread: wakes every scan_ms, asks the kernel which tracked sockets are in
 * CLOSE_WAIT, ages EOF and CLOSE_WAIT against grace_ms, writes one `leak` record per leaked
 * socket (and enforces when asked). Started lazily by the first tracked socket. */
#ifndef SL_WATCHDOG_H
#define SL_WATCHDOG_H

#include "sl.h"

/* Start this process's watchdog unless it has one: a load and a test, inline, as every new
 * connection asks (docs/performance.md). */
extern int sl_wd_started;
void sl_watchdog_start(void);
static inline void sl_watchdog_ensure(void)
{
	if (SL_UNLIKELY(!__atomic_load_n(&sl_wd_started, __ATOMIC_ACQUIRE)))
		sl_watchdog_start();
}
/* True in a fork child until its first socket call of its own (sl_watchdog_ensure): such a
 * child has no watchdog, and its exit neither scans nor writes; what it inherited is its
 * parent's to report, which holds the same sockets. (A child's sl_wd_started is 0 until
 * then, so the inline test above reaches sl_watchdog_start, which ends the idle state.) */
int sl_watchdog_idle_child(void);
/* Before a credential change: stop a watchdog on the raw thread, which glibc would not move
 * to the new uid/gid (rthread.h), and return 1 when one was stopped; sl_watchdog_ensure()
 * starts it again, with the new credentials. */
int sl_watchdog_pause(void);
/* One scan now. at_exit: report every socket in either state as exit_open, without grace. */
void sl_scan(int at_exit);
/* Counters for the exit record and summary. */
unsigned long sl_leaked_count(void);
unsigned long sl_enforced_count(void);
/* A connection an interpreter's finaliser closed (langstack.c), from close() before the real
 * close, fd still open: recorded as a leak now, counted, and in the summary. */
struct sl_leak_info;
void sl_watchdog_gc_closed(struct sl_leak_info *l, int fd);
/* The human summary on stderr (sanitizer style). */
void sl_summary_print(void);

void sl_watchdog_atfork_prepare(void);
void sl_watchdog_atfork_parent(void);
void sl_watchdog_atfork_child(void);

#endif
