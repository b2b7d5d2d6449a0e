/* The leak policy: "is this socket leaked now?", and what follows from the answer, as pure
 * functions of a few facts about one socket, the options and the scan's clock (issue 12: the
 * rules of docs/options.md were spread over the watchdog's walk, its report and close(), and
 * could be tested only through whole programs and sleeps).
 *
 * No I/O, no globals, no clock reads, no locks: the callers (watchdog.c, track.c, langstack.c)
 * copy the facts out of the socket record under sl_lock (sl_sock_facts, track.h), pass the time
 * they read, and do what the answer says. tests/unit/test_policy.c holds one test per rule of
 * docs/options.md, and fails when an option this file reads has none.
 *
 * Layer: tables. It includes kinds.h and options.h and calls nothing. */
#ifndef SL_POLICY_H
#define SL_POLICY_H

#include "kinds.h"
#include "options.h"

#include <stdint.h>

/* What the policy needs to know about one socket; times are monotonic ms, 0 = did not happen. */
struct sl_facts {
	uint64_t eof_ms;     /* a read returned 0 */
	uint64_t cw_ms;      /* first scan that saw it in CLOSE_WAIT (since it last entered it) */
	uint64_t last_io_ms; /* the program's last read, or the last data sent or received (the
			      * kernel's, sl_policy_last_data), as far as known; open time before */
	uint64_t open_ms;
	unsigned open : 1;          /* this process still holds a descriptor on it */
	unsigned connection : 1;    /* accepted, connected, inherited or received: not a bare
				     * socket() that never connected */
	unsigned own : 1;           /* accepted or connected here (not inherited, not received) */
	unsigned listening : 1;     /* never idle, never leaked */
	unsigned fin_sent : 1;      /* the program shut down its sending side (SHUT_WR/RDWR) */
	unsigned reported : 1;      /* a leak record was written */
	unsigned ignored : 1;       /* sockleak_ignore() */
	unsigned half_close_ok : 1; /* sockleak_half_close_ok() */
};

/* The clock of one scan of the watchdog. */
struct sl_scan_clock {
	uint64_t now;  /* this scan */
	uint64_t prev; /* start of the previous scan (0 before the second) */
	int at_exit;   /* the last scan, at normal exit (report_at_exit) */
};

struct sl_verdict {
	enum sl_kind kind; /* SL_KIND_NONE: not leaked (yet) */
	/* what age_ms counts from: the EOF, the first CLOSE_WAIT, the last read or data */
	uint64_t since;
};

/* At a scan: is this socket to be reported now, and as what? eof_unclosed, close_wait, idle,
 * or at exit exit_open; never gc_closed (sl_policy_gc_closed). */
struct sl_verdict sl_policy_scan(const struct sl_facts *f, const struct sl_opts *o,
				 const struct sl_scan_clock *c);

/* Every report is verified on the socket itself: a close_wait candidate still in CLOSE_WAIT
 * (tcp_state, TCP_* of netinet/tcp.h, -1 unknown). The other kinds need no state. */
int sl_policy_confirmed(enum sl_kind kind, int tcp_state);

/* After a leak record: shut it down (enforce=1)? suppressed: a frame of its open or EOF stack
 * matches a leak:PATTERN of the preload's suppressions file. */
int sl_policy_enforce(const struct sl_opts *o, enum sl_kind kind, int suppressed);

/* The close of the last descriptor of this process on it, by an interpreter's finaliser: a
 * gc_closed leak (docs/languages.md)? *since: what age_ms counts from. */
int sl_policy_gc_closed(const struct sl_facts *f, uint64_t *since);

/* What a close() of one descriptor writes. holders: descriptors of this process still on the
 * socket, plus other processes known to still hold it. */
enum sl_close_rec { SL_CLOSE_NOTHING, SL_CLOSE_SHARED, SL_CLOSE_LATE };
enum sl_close_rec sl_policy_close(const struct sl_facts *f, int holders);

/* The time of the last data the kernel sent or received on a connection, from TCP_INFO's
 * tcpi_last_data_sent and tcpi_last_data_recv (ms ago, read before now was), never earlier than
 * known. The kernel counts in jiffies (1 to 10 ms): the result is rounded up by SL_JIFFY_MS,
 * never down, as a time taken as earlier than it was could make a connection still in use look
 * quiet since before the previous scan. */
#define SL_JIFFY_MS 10
uint64_t sl_policy_last_data(uint64_t known, uint64_t now, uint32_t sent_ago, uint32_t recv_ago);

/* Where a leak reported as reported_as started (leak age_ms, late_close's leak_age_ms): the last
 * I/O for idle, else the EOF, else the first CLOSE_WAIT; 0 = neither. */
uint64_t sl_policy_leak_from(const struct sl_facts *f, enum sl_kind reported_as);

#endif
