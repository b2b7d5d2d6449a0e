/* The leak policy; see policy.h. Each rule cites the line of the docs it implements, and has
 * its test in tests/unit/test_policy.c under the same name. */
#include "policy.h"

#include <netinet/tcp.h>

static uint64_t sl_later(uint64_t a, uint64_t b) { return a > b ? a : b; }

uint64_t sl_policy_leak_from(const struct sl_facts *f) { return f->eof_ms ? f->eof_ms : f->cw_ms; }

struct sl_verdict sl_policy_scan(const struct sl_facts *f, const struct sl_opts *o,
				 const struct sl_scan_clock *c)
{
	const struct sl_verdict none = {SL_KIND_NONE, 0};
	enum sl_kind kind;
	uint64_t quiet_from;

	/* Reported once; sockleak_ignore(); the program sent its FIN (nothing left to hold
	 * back); a listener has no peer; a socket with no descriptor here is not ours to leak. */
	if (f->reported || f->ignored || f->fin_sent || f->listening || !f->open)
		return none;
	/* Any I/O after the EOF or the FIN means the program is still using the socket (a reply
	 * streamed after a half-close): grace_ms runs from the later of the two. */
	if (f->eof_ms) {
		kind = SL_KIND_EOF;
		quiet_from = sl_later(f->eof_ms, f->last_io_ms);
	} else if (f->cw_ms) {
		kind = SL_KIND_CW;
		quiet_from = sl_later(f->cw_ms, f->last_io_ms);
	} else if (o->idle_ms && !c->at_exit && f->connection &&
		   c->now >= f->last_io_ms + o->idle_ms && f->last_io_ms < c->prev) {
		/* The "last update timestamp" remedy: a connection nobody touched for idle_ms,
		 * and not since before the previous scan either (as below). */
		return (struct sl_verdict){SL_KIND_IDLE, f->last_io_ms};
	} else {
		return none;
	}
	/* At exit, past EOF or in CLOSE_WAIT is enough: there is no later scan to wait for, and
	 * an intended half-close still open then is reported too (include/sockleak.h). */
	if (c->at_exit)
		return (struct sl_verdict){SL_KIND_EXIT, sl_policy_leak_from(f)};
	/* Besides grace_ms, the socket must have been quiet since before the previous scan: with
	 * grace_ms=0 a server that reads EOF and then writes its reply is never cut between the
	 * two, as the reply's I/O stamp is newer than the last scan. */
	if (f->half_close_ok || c->now < quiet_from + o->grace_ms || quiet_from >= c->prev)
		return none;
	return (struct sl_verdict){kind, sl_policy_leak_from(f)};
}

int sl_policy_confirmed(enum sl_kind kind, int tcp_state)
{
	/* CLOSE_WAIT seen by epoll or a netlink dump may be gone by the report (the program read
	 * the EOF, or a reset): the socket itself is asked last. */
	return kind != SL_KIND_CW || tcp_state == TCP_CLOSE_WAIT;
}

int sl_policy_enforce(const struct sl_opts *o, enum sl_kind kind, int suppressed)
{
	/* exit_open: the process is exiting; gc_closed: the runtime is closing it right now
	 * (docs/enforce.md). Suppressed sites are spared. */
	return o->enforce && kind != SL_KIND_NONE && kind != SL_KIND_EXIT && kind != SL_KIND_GC &&
	       !suppressed;
}

int sl_policy_gc_closed(const struct sl_facts *f, uint64_t *since)
{
	/* Only connections made here: a listener, or a socket never connected, leaks nothing; an
	 * inherited or received one may still be held by the process it came from. One reported
	 * already gets its late_close instead. */
	if (f->reported || f->ignored || f->listening || !f->own)
		return 0;
	*since = f->eof_ms ? f->eof_ms : f->cw_ms ? f->cw_ms : f->open_ms;
	return 1;
}

enum sl_close_rec sl_policy_close(const struct sl_facts *f, int holders)
{
	/* Still held elsewhere: no FIN went out. Only a connection has one to hold back (issue 12:
	 * every child of a fork-per-connection server wrote one for the listener). */
	if (holders)
		return f->connection && !f->listening ? SL_CLOSE_SHARED : SL_CLOSE_NOTHING;
	return f->reported ? SL_CLOSE_LATE : SL_CLOSE_NOTHING;
}
