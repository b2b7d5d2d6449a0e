/* The leak policy (preload/policy.c) against docs/options.md, docs/enforce.md, docs/log-format.md
 * and docs/languages.md: one test per rule, named after the option or kind it is about, with
 * its boundaries (exactly at grace_ms, one ms before). The last tests walk the docs and this
 * file, so that an option the policy reads, a kind it returns, or a rule added to "When a
 * socket counts as leaked" without a test here fails (issue 12). Options are given as a user
 * gives them, through the library's parser, over its defaults. Run from the top of the tree
 * (make check-unit does). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../preload/policy.h"
#include "textfile.h"

#define OPEN 10000u   /* the connection's open, monotonic ms */
#define EOF_AT 20000u /* its EOF, or first CLOSE_WAIT sighting */

static struct sl_opts opts(const char *s)
{
	struct sl_opts o;

	sl_opts_default(&o);
	assert_int_equal(sl_opts_parse(&o, s, NULL, NULL), 0);
	return o;
}

/* An accepted connection, untouched since its open. */
static struct sl_facts conn(void)
{
	return (struct sl_facts){
		.open_ms = OPEN, .last_io_ms = OPEN, .open = 1, .connection = 1, .own = 1};
}

static struct sl_facts past_eof(void)
{
	struct sl_facts f = conn();

	f.eof_ms = EOF_AT;
	f.last_io_ms = EOF_AT; /* the read that returned 0 */
	return f;
}

static struct sl_facts in_close_wait(void)
{
	struct sl_facts f = conn();

	f.cw_ms = EOF_AT;
	return f;
}

/* A scan at now whose previous one started at prev. */
static enum sl_kind scan(const struct sl_facts *f, const struct sl_opts *o, uint64_t now,
			 uint64_t prev)
{
	struct sl_scan_clock c = {.now = now, .prev = prev};

	return sl_policy_scan(f, o, &c).kind;
}

static struct sl_verdict scan_exit(const struct sl_facts *f, const struct sl_opts *o, uint64_t now)
{
	struct sl_scan_clock c = {.now = now, .prev = now - 1000, .at_exit = 1};

	return sl_policy_scan(f, o, &c);
}

/* ---- grace_ms: past EOF (eof_unclosed) ---- */

static void test_grace_ms_default_is_30000(void **state)
{
	struct sl_opts o = opts("");
	struct sl_facts f = past_eof();

	(void)state;
	assert_int_equal(o.grace_ms, 30000);
	assert_int_equal(scan(&f, &o, EOF_AT + 29999, EOF_AT + 1), SL_KIND_NONE);
	assert_int_equal(scan(&f, &o, EOF_AT + 30000, EOF_AT + 1), SL_KIND_EOF);
}

static void test_eof_unclosed_exactly_at_grace_ms(void **state)
{
	struct sl_opts o = opts("grace_ms=500");
	struct sl_facts f = past_eof();
	struct sl_scan_clock c = {.now = EOF_AT + 500, .prev = EOF_AT + 1};
	struct sl_verdict v = sl_policy_scan(&f, &o, &c);

	(void)state;
	assert_int_equal(v.kind, SL_KIND_EOF);
	/* age_ms counts from the EOF (docs/log-format.md) */
	assert_int_equal(v.since, EOF_AT);
}

static void test_grace_ms_one_ms_before_is_not_a_leak(void **state)
{
	struct sl_opts o = opts("grace_ms=500");
	struct sl_facts f = past_eof();

	(void)state;
	assert_int_equal(scan(&f, &o, EOF_AT + 499, EOF_AT + 1), SL_KIND_NONE);
}

/* "since the later of that event and the program's last read or write on it" */
static void test_grace_ms_runs_from_last_io_after_eof(void **state)
{
	struct sl_opts o = opts("grace_ms=500");
	struct sl_facts f = past_eof();
	struct sl_scan_clock c = {.now = EOF_AT + 3000 + 500, .prev = EOF_AT + 3001};

	(void)state;
	f.last_io_ms = EOF_AT + 3000; /* a reply streamed after the half-close */
	assert_int_equal(scan(&f, &o, EOF_AT + 3000 + 499, EOF_AT + 3001), SL_KIND_NONE);
	assert_int_equal(sl_policy_scan(&f, &o, &c).kind, SL_KIND_EOF);
	/* ... but it has leaked since the EOF */
	assert_int_equal(sl_policy_scan(&f, &o, &c).since, EOF_AT);
}

/* "it was already idle before the previous scan started, so a reply written right after an
 * EOF is never mistaken for a leak even with grace_ms=0" */
static void test_grace_ms_zero_waits_for_a_scan_after_the_last_io(void **state)
{
	struct sl_opts o = opts("grace_ms=0");
	struct sl_facts f = past_eof();

	(void)state;
	assert_int_equal(scan(&f, &o, EOF_AT, EOF_AT), SL_KIND_NONE);
	assert_int_equal(scan(&f, &o, EOF_AT + 1000, EOF_AT), SL_KIND_NONE);
	assert_int_equal(scan(&f, &o, EOF_AT + 1000, EOF_AT + 1), SL_KIND_EOF);
}

static void test_previous_scan_rule_holds_past_grace_ms(void **state)
{
	struct sl_opts o = opts("grace_ms=500");
	struct sl_facts f = past_eof();

	(void)state;
	/* grace_ms long past, but the last I/O was after the previous scan started */
	f.last_io_ms = EOF_AT + 5000;
	assert_int_equal(scan(&f, &o, EOF_AT + 9000, EOF_AT + 5000), SL_KIND_NONE);
	assert_int_equal(scan(&f, &o, EOF_AT + 9000, EOF_AT + 5001), SL_KIND_EOF);
}

/* ---- grace_ms: CLOSE_WAIT seen by the kernel (close_wait) ---- */

static void test_close_wait_exactly_at_grace_ms(void **state)
{
	struct sl_opts o = opts("grace_ms=500");
	struct sl_facts f = in_close_wait();
	struct sl_scan_clock c = {.now = EOF_AT + 500, .prev = EOF_AT + 1};
	struct sl_verdict v = sl_policy_scan(&f, &o, &c);

	(void)state;
	assert_int_equal(v.kind, SL_KIND_CW);
	assert_int_equal(v.since, EOF_AT); /* since the first CLOSE_WAIT sighting */
	assert_int_equal(scan(&f, &o, EOF_AT + 499, EOF_AT + 1), SL_KIND_NONE);
}

static void test_close_wait_grace_ms_runs_from_last_io(void **state)
{
	struct sl_opts o = opts("grace_ms=500");
	struct sl_facts f = in_close_wait();

	(void)state;
	f.last_io_ms = EOF_AT + 2000; /* still writing to a peer that half-closed */
	assert_int_equal(scan(&f, &o, EOF_AT + 2499, EOF_AT + 2001), SL_KIND_NONE);
	assert_int_equal(scan(&f, &o, EOF_AT + 2500, EOF_AT + 2001), SL_KIND_CW);
}

static void test_close_wait_after_eof_is_eof_unclosed(void **state)
{
	struct sl_opts o = opts("grace_ms=500");
	struct sl_facts f = past_eof();

	(void)state;
	f.cw_ms = EOF_AT + 200;
	assert_int_equal(scan(&f, &o, EOF_AT + 500, EOF_AT + 1), SL_KIND_EOF);
}

/* "Every report is verified on the socket itself whatever the source" (scan_with) */
static void test_close_wait_verified_on_the_socket(void **state)
{
	(void)state;
	assert_true(sl_policy_confirmed(SL_KIND_CW, TCP_CLOSE_WAIT));
	assert_false(sl_policy_confirmed(SL_KIND_CW, TCP_ESTABLISHED));
	assert_false(sl_policy_confirmed(SL_KIND_CW, TCP_LAST_ACK)); /* shut down meanwhile */
	assert_false(sl_policy_confirmed(SL_KIND_CW, -1));
	/* past EOF is the program's own read: no state to check */
	assert_true(sl_policy_confirmed(SL_KIND_EOF, TCP_CLOSE_WAIT));
	assert_true(sl_policy_confirmed(SL_KIND_EOF, -1));
	assert_true(sl_policy_confirmed(SL_KIND_IDLE, TCP_ESTABLISHED));
	assert_true(sl_policy_confirmed(SL_KIND_EXIT, TCP_CLOSE_WAIT));
}

/* ---- what is never a leak at a scan ---- */

static void test_healthy_connection_is_not_a_leak(void **state)
{
	struct sl_opts o = opts("grace_ms=0");
	struct sl_facts f = conn();

	(void)state;
	assert_int_equal(scan(&f, &o, OPEN + 86400000u, OPEN + 86399000u), SL_KIND_NONE);
}

/* "the program has not shut down its sending side (shutdown SHUT_WR/RDWR)" */
static void test_shutdown_sending_side_is_not_a_leak(void **state)
{
	struct sl_opts o = opts("grace_ms=500");
	struct sl_facts e = past_eof(), w = in_close_wait();

	(void)state;
	e.fin_sent = w.fin_sent = 1;
	assert_int_equal(scan(&e, &o, EOF_AT + 10000, EOF_AT + 9000), SL_KIND_NONE);
	assert_int_equal(scan(&w, &o, EOF_AT + 10000, EOF_AT + 9000), SL_KIND_NONE);
}

/* "it is not a listening socket" */
static void test_listener_is_never_a_leak(void **state)
{
	struct sl_opts o = opts("grace_ms=0");
	struct sl_facts f = in_close_wait();

	(void)state;
	f.listening = 1;
	f.connection = f.own = 0;
	assert_int_equal(scan(&f, &o, EOF_AT + 10000, EOF_AT + 9000), SL_KIND_NONE);
	assert_int_equal(scan_exit(&f, &o, EOF_AT + 10000).kind, SL_KIND_NONE);
}

/* "not exempted with sockleak_ignore()": never reported, not even at exit */
static void test_sockleak_ignore_is_never_reported(void **state)
{
	struct sl_opts o = opts("grace_ms=0:idle_ms=100");
	struct sl_facts e = past_eof(), w = in_close_wait(), i = conn();

	(void)state;
	e.ignored = w.ignored = i.ignored = 1;
	assert_int_equal(scan(&e, &o, EOF_AT + 10000, EOF_AT + 9000), SL_KIND_NONE);
	assert_int_equal(scan(&w, &o, EOF_AT + 10000, EOF_AT + 9000), SL_KIND_NONE);
	assert_int_equal(scan(&i, &o, EOF_AT + 10000, EOF_AT + 9000), SL_KIND_NONE);
	assert_int_equal(scan_exit(&e, &o, EOF_AT + 10000).kind, SL_KIND_NONE);
}

/* "or sockleak_half_close_ok()": not while open; still reported at exit (include/sockleak.h) */
static void test_sockleak_half_close_ok_is_not_reported_while_open(void **state)
{
	struct sl_opts o = opts("grace_ms=0");
	struct sl_facts e = past_eof(), w = in_close_wait();

	(void)state;
	e.half_close_ok = w.half_close_ok = 1;
	assert_int_equal(scan(&e, &o, EOF_AT + 10000, EOF_AT + 9000), SL_KIND_NONE);
	assert_int_equal(scan(&w, &o, EOF_AT + 10000, EOF_AT + 9000), SL_KIND_NONE);
	assert_int_equal(scan_exit(&e, &o, EOF_AT + 10000).kind, SL_KIND_EXIT);
}

/* "A socket is reported once" */
static void test_reported_once(void **state)
{
	struct sl_opts o = opts("grace_ms=0:idle_ms=100");
	struct sl_facts e = past_eof(), i = conn();

	(void)state;
	e.reported = i.reported = 1;
	assert_int_equal(scan(&e, &o, EOF_AT + 10000, EOF_AT + 9000), SL_KIND_NONE);
	assert_int_equal(scan(&i, &o, EOF_AT + 10000, EOF_AT + 9000), SL_KIND_NONE);
	assert_int_equal(scan_exit(&e, &o, EOF_AT + 10000).kind, SL_KIND_NONE);
}

static void test_no_descriptor_left_is_not_reported(void **state)
{
	struct sl_opts o = opts("grace_ms=0");
	struct sl_facts f = past_eof();

	(void)state;
	f.open = 0;
	assert_int_equal(scan(&f, &o, EOF_AT + 10000, EOF_AT + 9000), SL_KIND_NONE);
	assert_int_equal(scan_exit(&f, &o, EOF_AT + 10000).kind, SL_KIND_NONE);
}

/* ---- report_at_exit: exit_open ---- */

/* "sockets past EOF or in CLOSE_WAIT that no scan reported yet get exit_open records" */
static void test_exit_open_past_eof_or_close_wait_without_grace(void **state)
{
	struct sl_opts o = opts(""); /* grace_ms=30000: not waited for at exit */
	struct sl_facts e = past_eof(), w = in_close_wait();
	struct sl_verdict v = scan_exit(&e, &o, EOF_AT);

	(void)state;
	assert_int_equal(v.kind, SL_KIND_EXIT);
	assert_int_equal(v.since, EOF_AT);
	v = scan_exit(&w, &o, EOF_AT + 1);
	assert_int_equal(v.kind, SL_KIND_EXIT);
	assert_int_equal(v.since, EOF_AT);
}

static void test_exit_open_not_for_a_healthy_or_shut_connection(void **state)
{
	struct sl_opts o = opts("idle_ms=100");
	struct sl_facts h = conn(), s = past_eof();

	(void)state;
	s.fin_sent = 1;
	assert_int_equal(scan_exit(&h, &o, EOF_AT + 10000).kind, SL_KIND_NONE);
	assert_int_equal(scan_exit(&s, &o, EOF_AT + 10000).kind, SL_KIND_NONE);
}

/* ---- idle_ms: idle ---- */

static void test_idle_ms_off_by_default(void **state)
{
	struct sl_opts o = opts("grace_ms=0");
	struct sl_facts f = conn();

	(void)state;
	assert_int_equal(o.idle_ms, 0);
	assert_int_equal(scan(&f, &o, OPEN + 2000000000u, OPEN + 1), SL_KIND_NONE);
}

static void test_idle_ms_exactly_at_and_one_ms_before(void **state)
{
	struct sl_opts o = opts("idle_ms=300");
	struct sl_facts f = conn();
	struct sl_scan_clock c = {.now = OPEN + 300, .prev = OPEN + 1};
	struct sl_verdict v = sl_policy_scan(&f, &o, &c);

	(void)state;
	assert_int_equal(v.kind, SL_KIND_IDLE);
	assert_int_equal(v.since, OPEN); /* age_ms: since the last I/O */
	assert_int_equal(scan(&f, &o, OPEN + 299, OPEN + 1), SL_KIND_NONE);
}

static void test_idle_ms_counts_from_the_last_io(void **state)
{
	struct sl_opts o = opts("idle_ms=300");
	struct sl_facts f = conn();

	(void)state;
	f.last_io_ms = OPEN + 5000;
	assert_int_equal(scan(&f, &o, OPEN + 5299, OPEN + 5001), SL_KIND_NONE);
	assert_int_equal(scan(&f, &o, OPEN + 5300, OPEN + 5001), SL_KIND_IDLE);
}

/* "Granularity is scan_ms": quiet since before the previous scan, as for the other kinds */
static void test_idle_ms_needs_quiet_before_the_previous_scan(void **state)
{
	struct sl_opts o = opts("idle_ms=300");
	struct sl_facts f = conn();

	(void)state;
	assert_int_equal(scan(&f, &o, OPEN + 1000, OPEN), SL_KIND_NONE);
	assert_int_equal(scan(&f, &o, OPEN + 1000, OPEN + 1), SL_KIND_IDLE);
}

/* "accepted, connected, inherited or received; never a listener" */
static void test_idle_ms_only_for_connections(void **state)
{
	struct sl_opts o = opts("idle_ms=300");
	struct sl_facts bare = conn(), listener = conn(), inherited = conn();

	(void)state;
	bare.connection = bare.own = 0; /* socket(), never connected */
	listener.listening = 1;
	listener.connection = listener.own = 0;
	inherited.own = 0;
	assert_int_equal(scan(&bare, &o, OPEN + 5000, OPEN + 4000), SL_KIND_NONE);
	assert_int_equal(scan(&listener, &o, OPEN + 5000, OPEN + 4000), SL_KIND_NONE);
	assert_int_equal(scan(&inherited, &o, OPEN + 5000, OPEN + 4000), SL_KIND_IDLE);
}

/* report_at_exit names what is past EOF or in CLOSE_WAIT; a quiet connection is not a leak at
 * exit */
static void test_idle_ms_not_at_exit(void **state)
{
	struct sl_opts o = opts("idle_ms=300");
	struct sl_facts f = conn();

	(void)state;
	assert_int_equal(scan_exit(&f, &o, OPEN + 5000).kind, SL_KIND_NONE);
}

/* "Report a connection ... with no read or write for this long": past EOF or in CLOSE_WAIT
 * too, when idle_ms comes before grace_ms does (a leak is not reported later than a quiet
 * connection is) */
static void test_idle_ms_applies_past_eof_before_grace_ms(void **state)
{
	struct sl_opts o = opts("idle_ms=300:grace_ms=60000");
	struct sl_facts e = past_eof(), w = in_close_wait();
	struct sl_scan_clock c = {.now = EOF_AT + 300, .prev = EOF_AT + 1};
	struct sl_verdict v = sl_policy_scan(&e, &o, &c);

	(void)state;
	assert_int_equal(v.kind, SL_KIND_IDLE);
	assert_int_equal(v.since, EOF_AT);
	assert_int_equal(scan(&e, &o, EOF_AT + 299, EOF_AT + 1), SL_KIND_NONE);
	w.last_io_ms = EOF_AT;
	assert_int_equal(scan(&w, &o, EOF_AT + 300, EOF_AT + 1), SL_KIND_IDLE);
	/* grace_ms first: the more precise kind */
	o = opts("idle_ms=60000:grace_ms=300");
	assert_int_equal(scan(&e, &o, EOF_AT + 300, EOF_AT + 1), SL_KIND_EOF);
}

/* sockleak_half_close_ok() exempts EOF and CLOSE_WAIT, not a connection nobody uses */
static void test_idle_ms_applies_to_half_close_ok(void **state)
{
	struct sl_opts o = opts("idle_ms=300");
	struct sl_facts f = past_eof();

	(void)state;
	f.half_close_ok = 1;
	assert_int_equal(scan(&f, &o, EOF_AT + 299, EOF_AT + 1), SL_KIND_NONE);
	assert_int_equal(scan(&f, &o, EOF_AT + 300, EOF_AT + 1), SL_KIND_IDLE);
}

/* A connection whose sending side the program shut down and that nobody touches since (stuck
 * in FIN_WAIT2 until its peer closes) holds its descriptor as any other */
static void test_idle_ms_applies_after_shutdown(void **state)
{
	struct sl_opts o = opts("idle_ms=300");
	struct sl_facts f = conn();

	(void)state;
	f.fin_sent = 1;
	assert_int_equal(scan(&f, &o, OPEN + 300, OPEN + 1), SL_KIND_IDLE);
}

/* ---- enforce ---- */

static void test_enforce_off_by_default(void **state)
{
	struct sl_opts o = opts("");

	(void)state;
	assert_int_equal(o.enforce, 0);
	for (int k = SL_KIND_NONE; k < SL_KIND_N; k++)
		assert_false(sl_policy_enforce(&o, (enum sl_kind)k, 0));
}

/* docs/enforce.md: "eof_unclosed, close_wait, or idle when idle_ms is set" */
static void test_enforce_shuts_eof_unclosed_close_wait_and_idle(void **state)
{
	struct sl_opts o = opts("enforce=1");

	(void)state;
	assert_true(sl_policy_enforce(&o, SL_KIND_EOF, 0));
	assert_true(sl_policy_enforce(&o, SL_KIND_CW, 0));
	assert_true(sl_policy_enforce(&o, SL_KIND_IDLE, 0));
	assert_false(sl_policy_enforce(&o, SL_KIND_NONE, 0));
}

/* "exit_open sockets are never enforced (the process is exiting)"; a gc_closed one is being
 * closed by the runtime */
static void test_enforce_never_exit_open_or_gc_closed(void **state)
{
	struct sl_opts o = opts("enforce=1");

	(void)state;
	assert_false(sl_policy_enforce(&o, SL_KIND_EXIT, 0));
	assert_false(sl_policy_enforce(&o, SL_KIND_GC, 0));
}

/* suppressions: "so that enforcement spares suppressed sites" */
static void test_suppressions_spare_from_enforce(void **state)
{
	struct sl_opts o = opts("enforce=1");

	(void)state;
	assert_false(sl_policy_enforce(&o, SL_KIND_EOF, 1));
	assert_false(sl_policy_enforce(&o, SL_KIND_CW, 1));
	assert_false(sl_policy_enforce(&o, SL_KIND_IDLE, 1));
}

/* ---- gc_closed (docs/languages.md) ---- */

static void test_gc_closed_connection_the_runtime_closed(void **state)
{
	struct sl_facts f = conn(), e = past_eof(), w = in_close_wait();
	uint64_t since = 0;

	(void)state;
	assert_true(sl_policy_gc_closed(&f, &since));
	assert_int_equal(since, OPEN);
	assert_true(sl_policy_gc_closed(&e, &since));
	assert_int_equal(since, EOF_AT);
	assert_true(sl_policy_gc_closed(&w, &since));
	assert_int_equal(since, EOF_AT);
}

/* "Listening sockets and sockets never connected are not reported"; an exempt one neither, and
 * one reported already gets its late_close */
static void test_gc_closed_not_for_listeners_bare_exempt_or_reported(void **state)
{
	struct sl_facts l = conn(), b = conn(), x = conn(), r = conn();
	uint64_t since;

	(void)state;
	l.listening = 1;
	b.connection = b.own = 0;
	x.ignored = 1;
	r.reported = 1;
	assert_false(sl_policy_gc_closed(&l, &since));
	assert_false(sl_policy_gc_closed(&b, &since));
	assert_false(sl_policy_gc_closed(&x, &since));
	assert_false(sl_policy_gc_closed(&r, &since));
}

/* Only connections accepted or connected by the process: an inherited or received one may
 * still be held by the process it came from */
static void test_gc_closed_not_for_inherited_or_received(void **state)
{
	struct sl_facts f = conn();
	uint64_t since;

	(void)state;
	f.own = 0;
	assert_false(sl_policy_gc_closed(&f, &since));
}

/* ---- close(): close_shared and late_close (docs/log-format.md) ---- */

static void test_close_shared_when_still_held(void **state)
{
	struct sl_facts f = conn();

	(void)state;
	assert_int_equal(sl_policy_close(&f, 1), SL_CLOSE_SHARED);
	f.reported = 1; /* held elsewhere: not closed yet, so not late either */
	assert_int_equal(sl_policy_close(&f, 3), SL_CLOSE_SHARED);
}

/* "Only for connections: a listening socket, or one never connected, has no FIN to hold back" */
static void test_close_shared_never_for_listeners_or_bare_sockets(void **state)
{
	struct sl_facts l = conn(), b = conn();

	(void)state;
	l.listening = 1;
	b.connection = b.own = 0;
	assert_int_equal(sl_policy_close(&l, 2), SL_CLOSE_NOTHING);
	assert_int_equal(sl_policy_close(&b, 2), SL_CLOSE_NOTHING);
	l.reported = 1;
	assert_int_equal(sl_policy_close(&l, 2), SL_CLOSE_NOTHING);
}

/* "A socket already reported as leaked was closed after all" */
static void test_late_close_after_a_report(void **state)
{
	struct sl_facts f = past_eof();

	(void)state;
	assert_int_equal(sl_policy_close(&f, 0), SL_CLOSE_NOTHING);
	f.reported = 1;
	assert_int_equal(sl_policy_close(&f, 0), SL_CLOSE_LATE);
}

/* leak_age_ms: "total time it leaked (since EOF or first CLOSE_WAIT; for one reported idle, since
 * its last I/O)" */
static void test_late_close_leak_age_from_eof_or_close_wait(void **state)
{
	struct sl_facts e = past_eof(), w = in_close_wait(), i = conn();

	(void)state;
	e.cw_ms = EOF_AT + 100;
	assert_int_equal(sl_policy_leak_from(&e, SL_KIND_EOF), EOF_AT);
	assert_int_equal(sl_policy_leak_from(&w, SL_KIND_CW), EOF_AT);
	assert_int_equal(sl_policy_leak_from(&i, SL_KIND_NONE), 0);
}

/* One reported only as idle leaked from its last I/O, as its leak record's age_ms said (it was
 * 0: late_close said leak_age_ms 0 for every idle socket). */
static void test_late_close_leak_age_of_idle_from_last_io(void **state)
{
	struct sl_facts i = conn(), e = past_eof();
	struct sl_opts o = opts("idle_ms=5000");
	struct sl_scan_clock c = {.now = OPEN + 700 + 5000, .prev = OPEN + 700 + 4000};
	struct sl_verdict v;

	(void)state;
	i.last_io_ms = OPEN + 700;
	v = sl_policy_scan(&i, &o, &c);
	assert_int_equal(v.kind, SL_KIND_IDLE);
	assert_int_equal(sl_policy_leak_from(&i, SL_KIND_IDLE), v.since);
	assert_int_equal(sl_policy_leak_from(&i, SL_KIND_IDLE), OPEN + 700);
	/* reported idle, past EOF too: idle since its last I/O, which was after the EOF here */
	e.last_io_ms = EOF_AT + 300;
	assert_int_equal(sl_policy_leak_from(&e, SL_KIND_IDLE), EOF_AT + 300);
}

/* ---- when a connection last carried data: the kernel's answer (sl_policy_last_data) ---- */

/* "ms ago" from TCP_INFO becomes a time of the scan's clock, rounded up by a jiffy: never
 * earlier than the data went, which could make a socket in use look quiet before the previous
 * scan and cut it with grace_ms=0. */
static void test_last_data_from_the_kernel_rounded_up(void **state)
{
	(void)state;
	/* sent 250 ms ago, received 900 ms ago: the later of the two */
	assert_int_equal(sl_policy_last_data(OPEN, OPEN + 1000, 250, 900),
			 OPEN + 750 + SL_JIFFY_MS);
	assert_int_equal(sl_policy_last_data(OPEN, OPEN + 1000, 900, 250),
			 OPEN + 750 + SL_JIFFY_MS);
	/* just now: never later than now */
	assert_int_equal(sl_policy_last_data(OPEN, OPEN + 1000, 0, 0), OPEN + 1000);
	assert_int_equal(sl_policy_last_data(OPEN, OPEN + 1000, 3, 700), OPEN + 1000);
}

/* Never backwards: a connection that never carried data (the kernel's "ago" counts from boot)
 * or a number reused by an older socket leaves what was known. */
static void test_last_data_never_moves_back(void **state)
{
	(void)state;
	assert_int_equal(sl_policy_last_data(OPEN + 500, OPEN + 1000, 4000000000u, 4000000000u),
			 OPEN + 500);
	assert_int_equal(sl_policy_last_data(OPEN + 500, OPEN + 1000, 800, 800), OPEN + 500);
	/* the clock younger than "ago" (just after boot): rounded up to now, not wrapped */
	assert_int_equal(sl_policy_last_data(1, 5, 4000000000u, 10), 5);
}

/* The whole question as the watchdog asks it: past EOF and quiet by what was known, then the
 * kernel says data went out 100 ms ago (a reply streamed with sendfile, which no wrapper sees):
 * no longer a leak; once that data is older than the previous scan and grace_ms, it is. */
static void test_data_after_eof_seen_by_the_kernel_defers_the_leak(void **state)
{
	struct sl_facts f = past_eof();
	struct sl_opts o = opts("grace_ms=1000");
	struct sl_scan_clock c = {.now = EOF_AT + 5000, .prev = EOF_AT + 4000};

	(void)state;
	assert_int_equal(sl_policy_scan(&f, &o, &c).kind, SL_KIND_EOF);
	f.last_io_ms = sl_policy_last_data(f.last_io_ms, c.now, 100, 5000);
	assert_int_equal(sl_policy_scan(&f, &o, &c).kind, SL_KIND_NONE);
	c = (struct sl_scan_clock){.now = EOF_AT + 6100, .prev = EOF_AT + 5050};
	assert_int_equal(sl_policy_scan(&f, &o, &c).kind, SL_KIND_EOF);
}

/* ---- the docs, walked ---- */

/* Is there a "static void test_PREFIX..." in this file? */
static int has_test(const char *self, const char *prefix)
{
	char want[128];

	snprintf(want, sizeof(want), "static void test_%s", prefix);
	return strstr(self, want) != NULL;
}

/* Every option the policy reads (o->NAME in preload/policy.c) is a documented option, with a
 * test here named after it. */
static void test_every_option_the_policy_reads_has_a_test(void **state)
{
	char *src = tf_read("preload/policy.c"), *md = tf_read("docs/options.md");
	char *self = tf_read("tests/unit/test_policy.c"), name[64], row[80];
	int seen = 0;

	(void)state;
	for (const char *p = strstr(src, "o->"); p; p = strstr(p + 3, "o->")) {
		size_t n = 0;

		while (n < sizeof(name) - 1 &&
		       (isalnum((unsigned char)p[3 + n]) || p[3 + n] == '_'))
			name[n] = p[3 + n], n++;
		name[n] = '\0';
		snprintf(row, sizeof(row), "\n| `%s` |", name);
		if (!strstr(md, row))
			fail_msg(
				"preload/policy.c reads option %s, which docs/options.md has no row for",
				name);
		if (!has_test(self, name))
			fail_msg("preload/policy.c reads option %s: no test_%s... in test_policy.c",
				 name, name);
		seen++;
	}
	assert_true(seen >= 3); /* grace_ms, idle_ms, enforce at least: the walk works */
	free(src);
	free(md);
	free(self);
}

/* Every leak kind (preload/kinds.h, docs/log-format.md) has a test named after it. */
static void test_every_leak_kind_has_a_test(void **state)
{
#define NAME(id, name, rule, title) name,
	static const char *const kinds[] = {SL_LEAK_KINDS(NAME)};
#undef NAME
	char *self = tf_read("tests/unit/test_policy.c");

	(void)state;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!has_test(self, kinds[i]))
			fail_msg("leak kind %s: no test_%s... in test_policy.c", kinds[i],
				 kinds[i]);
	free(self);
}

/* Each rule of "When a socket counts as leaked" (one bullet each), by a phrase of it, and the
 * test for it. A bullet no phrase names is a rule added without a test. */
static const struct {
	const char *phrase, *test;
} rules[] = {
	{": `eof_unclosed`)", "eof_unclosed_exactly_at_grace_ms"},
	{"(`close_wait`)", "close_wait_exactly_at_grace_ms"},
	{"has not shut down its sending side", "shutdown_sending_side_is_not_a_leak"},
	{"`grace_ms` have passed", "grace_ms_one_ms_before_is_not_a_leak"},
	{"the later of that event and the program's last read or write",
	 "grace_ms_runs_from_last_io_after_eof"},
	{"before the previous scan started", "grace_ms_zero_waits_for_a_scan_after_the_last_io"},
	{"not a listening socket", "listener_is_never_a_leak"},
	{"`sockleak_ignore()`", "sockleak_ignore_is_never_reported"},
	{"`sockleak_half_close_ok()`", "sockleak_half_close_ok_is_not_reported_while_open"},
	{"reported once", "reported_once"},
	{"is reported as `idle`", "idle_ms_exactly_at_and_one_ms_before"},
	{"when that comes first", "idle_ms_applies_past_eof_before_grace_ms"},
	{"`report_at_exit`", "exit_open_past_eof_or_close_wait_without_grace"},
	{"`sockleak_half_close_ok()` included",
	 "sockleak_half_close_ok_is_not_reported_while_open"},
};

static void test_every_rule_of_when_a_socket_counts_as_leaked_has_a_test(void **state)
{
	char *md = tf_read("docs/options.md"), *self = tf_read("tests/unit/test_policy.c");
	char *sec = strstr(md, "\n## When a socket counts as leaked\n"), *end;

	(void)state;
	assert_non_null(sec);
	end = strstr(sec + 1, "\n## ");
	if (end)
		*end = '\0';
	/* one line per bullet and per paragraph: the docs wrap where they like (a bullet goes on
	 * indented by two spaces) */
	for (char *p = sec, *q = sec;; p++) {
		size_t ind = p[0] == '\n' ? strspn(p + 1, " ") : 0;

		if (p[0] == '\n' && p[1 + ind] && p[1 + ind] != '\n' && p[1 + ind] != '-' &&
		    p[1 + ind] != '#' && (ind == 2 || (ind == 0 && p > sec && p[-1] != '\n'))) {
			*q++ = ' ';
			p += ind;
		} else if (!(*q++ = *p)) {
			break;
		}
	}
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		if (!strstr(sec, rules[i].phrase))
			fail_msg("docs/options.md no longer says \"%s\": update the rules table",
				 rules[i].phrase);
		if (!has_test(self, rules[i].test))
			fail_msg("no test_%s in test_policy.c", rules[i].test);
	}
	/* every unit (the lead sentence, each bullet, each paragraph) is named by a phrase */
	for (char *u = sec; *u;) {
		char *dash = strstr(u + 1, "\n- "), *para = strstr(u + 1, "\n\n"), *next, save;
		int covered = 0;

		next = !dash ? para : !para ? dash : dash < para ? dash : para;
		if (!next)
			next = u + strlen(u);
		save = *next;
		*next = '\0';
		for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]) && !covered; i++)
			covered = strstr(u, rules[i].phrase) != NULL;
		if (strspn(u, "\n ") != strlen(u) && !strstr(u, "## When") && !covered)
			fail_msg(
				"docs/options.md, \"When a socket counts as leaked\": a rule without a "
				"test in test_policy.c:%s",
				u);
		*next = save;
		u = next;
	}
	free(md);
	free(self);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grace_ms_default_is_30000),
		cmocka_unit_test(test_eof_unclosed_exactly_at_grace_ms),
		cmocka_unit_test(test_grace_ms_one_ms_before_is_not_a_leak),
		cmocka_unit_test(test_grace_ms_runs_from_last_io_after_eof),
		cmocka_unit_test(test_grace_ms_zero_waits_for_a_scan_after_the_last_io),
		cmocka_unit_test(test_previous_scan_rule_holds_past_grace_ms),
		cmocka_unit_test(test_close_wait_exactly_at_grace_ms),
		cmocka_unit_test(test_close_wait_grace_ms_runs_from_last_io),
		cmocka_unit_test(test_close_wait_after_eof_is_eof_unclosed),
		cmocka_unit_test(test_close_wait_verified_on_the_socket),
		cmocka_unit_test(test_healthy_connection_is_not_a_leak),
		cmocka_unit_test(test_shutdown_sending_side_is_not_a_leak),
		cmocka_unit_test(test_listener_is_never_a_leak),
		cmocka_unit_test(test_sockleak_ignore_is_never_reported),
		cmocka_unit_test(test_sockleak_half_close_ok_is_not_reported_while_open),
		cmocka_unit_test(test_reported_once),
		cmocka_unit_test(test_no_descriptor_left_is_not_reported),
		cmocka_unit_test(test_exit_open_past_eof_or_close_wait_without_grace),
		cmocka_unit_test(test_exit_open_not_for_a_healthy_or_shut_connection),
		cmocka_unit_test(test_idle_ms_off_by_default),
		cmocka_unit_test(test_idle_ms_exactly_at_and_one_ms_before),
		cmocka_unit_test(test_idle_ms_counts_from_the_last_io),
		cmocka_unit_test(test_idle_ms_needs_quiet_before_the_previous_scan),
		cmocka_unit_test(test_idle_ms_only_for_connections),
		cmocka_unit_test(test_idle_ms_not_at_exit),
		cmocka_unit_test(test_idle_ms_applies_past_eof_before_grace_ms),
		cmocka_unit_test(test_idle_ms_applies_to_half_close_ok),
		cmocka_unit_test(test_idle_ms_applies_after_shutdown),
		cmocka_unit_test(test_enforce_off_by_default),
		cmocka_unit_test(test_enforce_shuts_eof_unclosed_close_wait_and_idle),
		cmocka_unit_test(test_enforce_never_exit_open_or_gc_closed),
		cmocka_unit_test(test_suppressions_spare_from_enforce),
		cmocka_unit_test(test_gc_closed_connection_the_runtime_closed),
		cmocka_unit_test(test_gc_closed_not_for_listeners_bare_exempt_or_reported),
		cmocka_unit_test(test_gc_closed_not_for_inherited_or_received),
		cmocka_unit_test(test_close_shared_when_still_held),
		cmocka_unit_test(test_close_shared_never_for_listeners_or_bare_sockets),
		cmocka_unit_test(test_last_data_from_the_kernel_rounded_up),
		cmocka_unit_test(test_last_data_never_moves_back),
		cmocka_unit_test(test_data_after_eof_seen_by_the_kernel_defers_the_leak),
		cmocka_unit_test(test_late_close_after_a_report),
		cmocka_unit_test(test_late_close_leak_age_from_eof_or_close_wait),
		cmocka_unit_test(test_late_close_leak_age_of_idle_from_last_io),
		cmocka_unit_test(test_every_option_the_policy_reads_has_a_test),
		cmocka_unit_test(test_every_leak_kind_has_a_test),
		cmocka_unit_test(test_every_rule_of_when_a_socket_counts_as_leaked_has_a_test),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
