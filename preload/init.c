/* Start-up and exit of a program image: the constructor (set-up, libunwind, the interpreter
 * hooks, inherited sockets) and the destructor (the last scan, the exit record and summary).
 * The top layer with the wrappers (preload/layers): the lazy set-up itself is setup.c, which
 * the tracking layer may call. */
#include "fdtable.h"
#include "forks.h"
#include "lang.h"
#include "log.h"
#include "options.h"
#include "stack.h"
#include "track.h"
#include "watchdog.h"

#include <unistd.h>

__attribute__((constructor)) static void sl_ctor(void)
{
	int saved = errno;

	if (!sl_enter())
		return;
	sl_init();
	sl_lang_init();
	/* A program image started by exec may hold TCP sockets it never opened: adopt them. */
	sl_adopt_inherited();
	sl_leave();
	errno = saved;
}

/* The library's DT_FINI (preload.mk: -fini), in place of crti's empty _fini: the loader calls
 * it in every process that exits, fork children included, and crti's sits after all of .text,
 * 64 KiB from the fork child's code, one page fault more per child (fault-around maps the
 * 16 pages around a fault: issue 15). */
void sl_fini(void);
SL_FORK_CODE void sl_fini(void) {}

SL_FORK_CODE __attribute__((destructor)) static void sl_dtor(void)
{
	int saved;

	/* A fork child that never touched a socket leaves its inherited ones to the parent:
	 * no scan, no log file of its own, and the cost of a bare fork (issue 10). Before errno
	 * is read: __errno_location is one page of our PLT and one of libc's that such a child
	 * would fault in for nothing (issue 15: 2 of its page faults). */
	if (!sl_inited || sl_watchdog_idle_child())
		return;
	saved = errno;
	/* Exit from inside our own code (a signal handler that interrupted a wrapper): we may
	 * hold our lock, so do nothing rather than risk a deadlock at exit. */
	if (!sl_enter())
		return;
	if (sl_opt.report_at_exit) {
		/* Nothing open, nothing to find: a process that never held a TCP socket (most of a
		 * CI job's) makes no epoll instance at exit (7 syscalls). */
		if (sl_sock_count())
			sl_scan(1);
		/* Also after nothing could be written: space may be back, and the loss is said. */
		if (sl_log_count() || sl_log_dropped()) {
			struct sl_jsonline *j = sl_log_begin(SL_LOG_EVENT(exit));

			sl_jsonline_u64(j, SL_KEY(tracked), sl_sock_total);
			sl_jsonline_u64(j, SL_KEY(open), sl_sock_count());
			sl_jsonline_u64(j, SL_KEY(leaked), sl_leaked_count());
			sl_jsonline_u64(j, SL_KEY(enforced), sl_enforced_count());
			sl_jsonline_u64(j, SL_KEY(untracked),
					__atomic_load_n(&sl_untracked_socks, __ATOMIC_RELAXED));
			sl_jsonline_u64(j, SL_KEY(dropped), sl_log_dropped());
			sl_log_end();
		}
		if (sl_opt.summary)
			sl_summary_print();
	}
	sl_leave();
	errno = saved;
}
