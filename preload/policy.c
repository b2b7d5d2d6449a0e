/* The leak policy; see policy.h. Each rule cites the line of the docs it implements, and has
 * its test in tests/unit/test_policy.c under the same name. */
#include "policy.h"

#include <netinet/tcp.h>

static uint64_t sl_later(uint64_t a, uint64_t b) { return a > b ? a : b; }

uint64_t sl_policy_leak_from(const struct sl_facts *f, enum sl_kind reported_as)
{
	/* Idle means no data since the last: its leak record's age_ms counted from there too. */
	if (reported_as == SL_KIND_IDLE)
		return f->last_io_ms;
	return f->eof_ms ? f->eof_ms : f->cw_ms;
}

struct sl_verdict sl_policy_scan(const struct sl_facts *f, const struct sl_opts *o,
				 const struct sl_scan_clock *c)
{
	const struct sl_verdict none = {SL_KIND_NONE, 0};

	/* Reported once; sockleak_ignore(); a listener has no peer; a socket with no descriptor
	 * here is not ours to leak. */
	if (f->reported || f->ignored || f->listening || !f->open)
		return none;
	/* Past EOF or in CLOSE_WAIT, and the program has not sent its FIN (then it has nothing
	 * left to hold back). */
	if ((f->eof_ms || f->cw_ms) && !f->fin_sent) {
		enum sl_kind kind = f->eof_ms ? SL_KIND_EOF : SL_KIND_CW;
		/* Any data after the EOF or the FIN means the program is still using the socket (a
		 * reply streamed after a half-close, by write() or sendfile()): grace_ms runs from
		 * the later of the two. */
		uint64_t quiet_from = sl_later(f->eof_ms ? f->eof_ms : f->cw_ms, f->last_io_ms);

		/* At exit that is enough: there is no later scan to wait for, and an intended
		 * half-close still open then is reported too (include/sockleak.h). */
		if (c->at_exit)
			return (struct sl_verdict){SL_KIND_EXIT,
						   sl_policy_leak_from(f, SL_KIND_EXIT)};
		/* Besides grace_ms, quiet since before the previous scan: with grace_ms=0 a server
		 * that reads EOF and then writes its reply is never cut between the two, as the
		 * reply's data went out after the last scan. */
		if (!f->half_close_ok && c->now >= quiet_from + o->grace_ms && quiet_from < c->prev)
			return (struct sl_verdict){kind, sl_policy_leak_from(f, kind)};
	}
	/* The "last update timestamp" remedy: a connection nobody touched for idle_ms, and not
	 * since before the previous scan either (as above). Whatever else it is: past EOF or in
	 * CLOSE_WAIT with idle_ms shorter than grace_ms (issue 12: such a leak was reported only at
	 * grace_ms, after every merely quiet connection), half_close_ok, or shut down on its
	 * sending side and left waiting for a peer that never closes. Not at exit: a quiet
	 * connection is no leak then. */
	if (o->idle_ms && !c->at_exit && f->connection && c->now >= f->last_io_ms + o->idle_ms &&
	    f->last_io_ms < c->prev)
		return (struct sl_verdict){SL_KIND_IDLE, sl_policy_leak_from(f, SL_KIND_IDLE)};
	return none;
}

uint64_t sl_policy_last_data(uint64_t known, uint64_t now, uint32_t sent_ago, uint32_t recv_ago)
{
	uint64_t ago = sent_ago < recv_ago ? sent_ago : recv_ago;
	uint64_t at = ago < now ? now - ago : 0;

	at = at + SL_JIFFY_MS < now ? at + SL_JIFFY_MS : now;
	return sl_later(at, known);
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
