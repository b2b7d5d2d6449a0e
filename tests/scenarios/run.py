#!/usr/bin/env python3
"""Real-process scenarios for libsockleak.so (issue 2): leaking and clean servers and clients
over loopback, run under LD_PRELOAD, judged by the JSON-lines logs they write.

Each case runs in a fresh temporary log directory with short timings (grace_ms=300:scan_ms=50
unless it says otherwise), waits with deadlines for what it expects (never fixed sleeps, except
the "and nothing more arrives" windows that a negative assertion needs), asserts exact counts,
kinds and fields, and kills every process it started. Contract: docs/log-format.md and
docs/options.md.

Prints "ok NAME" or "FAIL NAME: reason" per case, then "scenarios: N passed, M failed, ...";
with --results it also writes "PASSED FAILED" to that file. Exit status 1 when anything
failed. The processes, logs and case loop are tests/lib/harness.py's.

Usage: run.py --bin BUILD/tests/scenarios --lib /abs/BUILD/libsockleak.so [--results FILE]
              [--preload-first SANITIZER_RUNTIME] [--only NAME[,NAME...]] [--keep] [-v]
Standard library only."""

import os
import re
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from harness import Case, brief, briefs, check, main, ss_rows, validate  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
GRACE_MS = 300
SCAN_MS = 50
CASE_TIMEOUT_S = 60  # hard bound per case (SIGALRM), far above any case's normal run
PYTHON = "/usr/bin/python3"  # case 5 wants Debian's interpreter, unmodified


# --------------------------------------------------------------------------------------------
# Cases


class ScCase(Case):
    """harness.Case, whose logs are checked against the contract by the last case (10), which
    names every problem with the case that wrote it, rather than by each case."""

    def wait_leaks(self, pid, n, timeout=5.0):
        """Wait until pid has n leak records; fail at once if it has more."""
        return self.wait_count(pid, "leak", n, timeout)

    def check_logs(self):
        for lf in self.logs(final=True).values():
            self.run.validated.append((self.name, lf, validate(lf, contract=True)))
        return []


def connect_send_close(port, data=b"GET / HTTP/1.0\r\n\r\n"):
    """The driver as a plain client (not preloaded): returns its local "ip:port"."""
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(data)
    name = "%s:%d" % s.getsockname()
    s.close()
    return name


def expect_exit(p, want=0, timeout=10.0):
    rc = p.finish(timeout)
    check(rc == want, f"{p.name} exited {rc}, want {want}; stderr {p.stderr()[-400:]!r}")


def check_exit_record(c, pid, leaked):
    ex = c.recs(pid, "exit")
    check(len(ex) == 1, f"expected one exit record from {pid}, got {briefs(ex)}")
    check(ex[0].get("leaked") == leaked,
          f"exit record says leaked={ex[0].get('leaked')}, want {leaked}: {brief(ex[0])}")


def check_matches_socks(leaks, socks, what):
    got = sorted(r.get("inode", -1) for r in leaks)
    check(got == sorted(socks), f"{what}: leak inodes {got} != the program's sockets "
          f"{sorted(socks)}: {briefs(leaks)}")
    for r in leaks:
        check(r.get("fd") == socks[r["inode"]],
              f"{what}: leak fd {r['fd']} but the program's fd is {socks[r['inode']]}: {brief(r)}")


# 1 -------------------------------------------------------------------------------------------
def case_close_wait_read_once(c, scan_with="epoll"):
    """Server reads one request, never closes; clients close: close_wait, no EOF read."""
    n = 3
    srv = c.spawn(["sc_read_once", n], options=c.opts(scan_with=scan_with))
    port = srv.port()
    clients = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(b"GET / HTTP/1.0\r\n\r\n")
        clients.append(s)
    srv.expect("served")
    socks = srv.socks()
    peers = {"%s:%d" % s.getsockname() for s in clients}
    for s in clients:
        s.close()
    # The kernel's view first: every accepted socket is in CLOSE_WAIT before any leak record.
    rows = c.wait_for(lambda: (lambda r: r if len(r) == n else None)(ss_rows("close-wait", f"sport = :{port}")),
                      3, f"{n} CLOSE_WAIT sockets in ss on port {port}")
    check(sorted(r[2] for r in rows) == sorted(socks),
          f"ss CLOSE_WAIT inodes {rows} != server sockets {socks}")
    early = c.leaks(srv.pid)
    check(not early, f"leak records before grace_ms elapsed: {briefs(early)}")
    c.wait_leaks(srv.pid, n)
    c.quiet(3 * GRACE_MS / 1000)  # later scans must not report them again
    expect_exit(srv)              # nor the exit-time scan
    leaks = c.leaks(srv.pid)
    check(len(leaks) == n, f"expected exactly {n} leak records, got {briefs(leaks)}")
    check_matches_socks(leaks, socks, "close_wait")
    for r in leaks:
        check(r.get("kind") == "close_wait", f"kind is not close_wait: {brief(r)}")
        check(r.get("eof_stack") is None, f"eof_stack not null though no EOF was read: {brief(r)}")
        check(r.get("tcp_state") == "CLOSE_WAIT", f"tcp_state: {brief(r)}")
        check(r.get("role") == "accepted", f"role: {brief(r)}")
        check(r.get("local") == f"127.0.0.1:{port}", f"local: {brief(r)}")
        check(r.get("peer") in peers, f"peer not one of {sorted(peers)}: {brief(r)}")
        check(isinstance(r.get("age_ms"), int) and r["age_ms"] >= GRACE_MS,
              f"age_ms below grace_ms={GRACE_MS}: {brief(r)}")
        c.check_stack_names(srv.pid, r.get("open_stack"), ["accept_connection"], "open_stack")
    check_exit_record(c, srv.pid, n)


# 2 -------------------------------------------------------------------------------------------
def case_eof_unclosed(c):
    """Server reads to EOF and forgets close: eof_unclosed with both stacks named."""
    n = 2
    srv = c.spawn(["sc_eof_forget", n])
    port = srv.port()
    peers = {connect_send_close(port) for _ in range(n)}
    srv.expect("served")
    socks = srv.socks()
    c.wait_leaks(srv.pid, n)
    c.quiet(3 * GRACE_MS / 1000)
    leaks = c.leaks(srv.pid)
    check(len(leaks) == n, f"expected exactly {n} leak records, got {briefs(leaks)}")
    check_matches_socks(leaks, socks, "eof_unclosed")
    for r in leaks:
        check(r.get("kind") == "eof_unclosed", f"kind is not eof_unclosed: {brief(r)}")
        check(r.get("role") == "accepted", f"role: {brief(r)}")
        check(r.get("peer") in peers, f"peer not one of {sorted(peers)}: {brief(r)}")
        check(r.get("tcp_state") == "CLOSE_WAIT", f"tcp_state: {brief(r)}")
        check(isinstance(r.get("age_ms"), int) and r["age_ms"] >= GRACE_MS,
              f"age_ms below grace_ms={GRACE_MS}: {brief(r)}")
        check(r.get("eof_ts_ns") is not None, f"eof_ts_ns null: {brief(r)}")
        c.check_stack_names(srv.pid, r.get("open_stack"), ["accept_client", "main"], "open_stack")
        c.check_stack_names(srv.pid, r.get("eof_stack"),
                            ["read_until_eof", "handle_forgetting_close", "main"], "eof_stack")
    expect_exit(srv)
    check(len(c.leaks(srv.pid)) == n, f"exit added leak records: {briefs(c.leaks(srv.pid))}")


# 3 -------------------------------------------------------------------------------------------
def case_client_pool_close_wait(c):
    """Idle pooled client connections closed by the server: N close_wait in the client."""
    n = 5
    srv = c.spawn(["sc_accept_close", n])
    port = srv.port()
    cli = c.spawn(["sc_pool_client", port, n])
    cli.expect("pooled")
    srv.expect("closed")
    socks = cli.socks()
    check(len(socks) == n, f"client reported {socks}")
    rows = c.wait_for(lambda: (lambda r: r if len(r) == n else None)(ss_rows("close-wait", f"dport = :{port}")),
                      3, f"{n} client sockets in CLOSE_WAIT in ss")
    check(sorted(r[2] for r in rows) == sorted(socks), f"ss inodes {rows} != pool {socks}")
    c.wait_leaks(cli.pid, n)
    c.quiet(3 * GRACE_MS / 1000)
    leaks = c.leaks(cli.pid)
    check(len(leaks) == n, f"expected exactly {n} leak records, got {briefs(leaks)}")
    check_matches_socks(leaks, socks, "pool")
    for r in leaks:
        check(r.get("kind") == "close_wait", f"kind is not close_wait: {brief(r)}")
        check(r.get("role") == "connected", f"role is not connected: {brief(r)}")
        check(r.get("eof_stack") is None, f"eof_stack not null: {brief(r)}")
        check(r.get("peer") == f"127.0.0.1:{port}", f"peer: {brief(r)}")
        c.check_stack_names(cli.pid, r.get("open_stack"), ["open_pool_connection"], "open_stack")
    check(not c.leaks(srv.pid), f"the closing server was reported: {briefs(c.leaks(srv.pid))}")
    expect_exit(cli)
    expect_exit(srv)
    check(len(c.leaks(cli.pid)) == n, f"exit changed the count: {briefs(c.leaks(cli.pid))}")
    check(not c.leaks(srv.pid), f"the closing server was reported: {briefs(c.leaks(srv.pid))}")


# 4 -------------------------------------------------------------------------------------------
def case_multithreaded_every_50th(c):
    """4 worker threads, 2000 connections from 4 client threads, every 50th leaked."""
    total, workers, every, threads = 2000, 4, 50, 4
    want = total // every
    srv = c.spawn(["sc_mt_server", total, workers, every])
    port = srv.port()
    t0 = time.monotonic()
    cli = c.spawn(["sc_mt_client", port, total, threads])
    check(cli.expect("done", 40)[1] == str(total), f"client: {cli.lines}")
    check(srv.expect("handled", 20)[1] == str(total), f"server: {srv.lines}")
    socks = srv.socks()
    check(len(socks) == want, f"server reports {len(socks)} leaked sockets, meant {want}")
    c.wait_leaks(srv.pid, want, timeout=10)
    c.quiet(3 * GRACE_MS / 1000)
    leaks = c.leaks(srv.pid)
    check(len(leaks) == want, f"expected exactly {want} leak records, got {len(leaks)}")
    inodes = [r["inode"] for r in leaks]
    check(len(set(inodes)) == want, f"duplicate inodes among leak records: {sorted(inodes)}")
    check_matches_socks(leaks, socks, "every 50th")
    kinds = {r.get("kind") for r in leaks}
    check(kinds == {"eof_unclosed"}, f"kinds {kinds}, want only eof_unclosed")
    for r in leaks:
        c.check_stack_names(srv.pid, r.get("eof_stack"), ["read_request_to_eof", "serve_connection"],
                            "eof_stack")
        check(r.get("open_stack") is not None, f"open_stack null: {brief(r)}")
    check(not c.leaks(cli.pid), f"client reported: {briefs(c.leaks(cli.pid))}")
    expect_exit(srv)
    rc = cli.wait()
    check(rc == 0, f"client exited {rc}; stderr {cli.stderr()[-400:]!r}")
    check(len(c.leaks(srv.pid)) == want, f"exit changed the count: {len(c.leaks(srv.pid))}")
    if c.run.verbose:
        print(f"  ({total} connections in {time.monotonic() - t0:.1f}s)")


# 5 -------------------------------------------------------------------------------------------
def case_python_interpreter(c):
    """Unmodified /usr/bin/python3 running a leaky server: its leak is reported."""
    check(os.access(PYTHON, os.X_OK), f"{PYTHON} missing")
    # Under a sanitizer build LeakSanitizer would report CPython's own exit-time allocations.
    asan = ":".join(x for x in (os.environ.get("ASAN_OPTIONS"), "detect_leaks=0") if x)
    srv = c.spawn([PYTHON, os.path.join(HERE, "leaky_server.py")], name="python3",
                  extra_env={"ASAN_OPTIONS": asan} if c.run.preload_first else None)
    port = srv.port()
    peer = connect_send_close(port)
    srv.expect("sock")
    socks = srv.socks()
    c.wait_leaks(srv.pid, 1)
    leaks = c.leaks(srv.pid)
    check_matches_socks(leaks, socks, "python")
    r = leaks[0]
    check(r.get("kind") == "eof_unclosed", f"kind: {brief(r)}")
    check(r.get("role") == "accepted" and r.get("peer") == peer, f"role/peer: {brief(r)}")
    check(r.get("open_stack") is not None and r.get("eof_stack") is not None,
          f"stacks missing: {brief(r)}")
    starts = c.recs(srv.pid, "start")
    check(starts and starts[0].get("exe", "").startswith("/usr/bin/python3"),
          f"start record's exe is not Debian's python3: {starts and starts[0].get('exe')}")
    expect_exit(srv)


def case_many_sockets(c, scan_with="epoll"):
    """200 tracked sockets: CLOSE_WAIT comes from epoll (one wait returns the sockets whose
    peer closed) or, with scan_with=sock_diag, from one dump of the host's TCP table (more than
    128 sockets are not asked one by one); exactly the 5 sockets whose peer closed are
    reported, none of the 195 healthy ones."""
    asan = ":".join(x for x in (os.environ.get("ASAN_OPTIONS"), "detect_leaks=0") if x)
    p = c.spawn([PYTHON, os.path.join(HERE, "many_sockets.py")], name="python3",
                options=c.opts(scan_with=scan_with),
                extra_env={"ASAN_OPTIONS": asan} if c.run.preload_first else None)
    p.expect("ready")
    want = sorted(int(l.split()[1]) for l in p.lines if l.startswith("leak "))
    check(len(want) == 5, f"program said {p.lines}")
    c.wait_leaks(p.pid, 5)
    leaks = c.leaks(p.pid)
    check(sorted(r["inode"] for r in leaks) == want, f"reported {briefs(leaks)}, want inodes {want}")
    check(all(r["kind"] == "close_wait" and r["role"] == "accepted" for r in leaks),
          f"kinds/roles: {briefs(leaks)}")
    c.quiet(4 * SCAN_MS / 1000)
    check(len(c.leaks(p.pid)) == 5, f"more than the 5: {briefs(c.leaks(p.pid))}")
    p.send("quit")
    expect_exit(p)


# 6 -------------------------------------------------------------------------------------------
def no_leaks_anywhere(c, what):
    got = c.all_leaks()
    check(not got, f"{what}: leak records from a correct program: {briefs(got)}")


def case_clean_halfclose(c):
    """Client shutdown(SHUT_WR); server reads EOF, replies slowly (< grace), closes."""
    grace, reply_ms = 1000, 400  # 8 writes over 400 ms: past EOF for ~8 scans, then closed
    o = c.opts(grace_ms=grace)
    srv = c.spawn(["sc_clean_server", "halfclose", reply_ms], options=o)
    port = srv.port()
    cli = c.spawn(["sc_clean_client", port, "halfclose"], options=o)
    check(cli.expect("reply")[1] == "96", f"client got a short reply: {cli.lines}")
    srv.expect("closed")
    rc = cli.wait()
    check(rc == 0, f"client exited {rc}; stderr {cli.stderr()[-400:]!r}")
    c.quiet((grace + 4 * SCAN_MS) / 1000)
    no_leaks_anywhere(c, "half-close")
    expect_exit(srv)
    no_leaks_anywhere(c, "half-close, after exit")


def case_clean_keepalive(c):
    """Ping/pong on one connection, idle gaps adding up past grace, then both close."""
    rounds, gap = 8, 100
    srv = c.spawn(["sc_clean_server", "keepalive"])
    port = srv.port()
    cli = c.spawn(["sc_clean_client", port, "keepalive", rounds, gap])
    check(cli.expect("rounds", 10)[1] == str(rounds), f"client: {cli.lines}")
    srv.expect("closed")
    rc = cli.wait()
    check(rc == 0, f"client exited {rc}; stderr {cli.stderr()[-400:]!r}")
    c.quiet((GRACE_MS + 4 * SCAN_MS) / 1000)
    no_leaks_anywhere(c, "keep-alive")
    expect_exit(srv)
    no_leaks_anywhere(c, "keep-alive, after exit")


def case_clean_brief_close_wait(c, scan_with="epoll"):
    """CLOSE_WAIT for a few scans, well under grace, then read and closed."""
    grace = 1000
    o = c.opts(grace_ms=grace, scan_with=scan_with)
    srv = c.spawn(["sc_clean_server", "brief_cw"], options=o)
    port = srv.port()
    cli = c.spawn(["sc_clean_client", port, "brief_cw"], options=o)
    rc = cli.wait()
    check(rc == 0, f"client exited {rc}; stderr {cli.stderr()[-400:]!r}")
    srv.expect("accepted")
    c.wait_for(lambda: ss_rows("close-wait", f"sport = :{port}"), 3, "CLOSE_WAIT in ss")
    time.sleep(4 * SCAN_MS / 1000)  # let a few scans see it; far below grace
    srv.send("go")
    srv.expect("closed")
    c.quiet((grace + 4 * SCAN_MS) / 1000)
    no_leaks_anywhere(c, "brief CLOSE_WAIT")
    expect_exit(srv)
    no_leaks_anywhere(c, "brief CLOSE_WAIT, after exit")


# 7 -------------------------------------------------------------------------------------------
def case_exit_open(c):
    """Short-lived program exits with one socket past EOF, one in CLOSE_WAIT, before grace."""
    p = c.spawn(["sc_exit_open"], options=c.opts(grace_ms=10000))
    p.p.stdin.close()
    rc = p.wait(10)
    check(rc == 0, f"exit status {rc}, want 0; stderr {p.stderr()[-300:]!r}")
    socks = p.socks()
    check(len(socks) == 2, f"program reported {p.lines}")
    ino_eof, ino_cw = [int(l.split()[2]) for l in p.lines if l.startswith("sock ")]
    leaks = c.leaks(p.pid)
    check(len(leaks) == 2, f"expected 2 leak records, got {briefs(leaks)}")
    check_matches_socks(leaks, socks, "exit_open")
    by = {r["inode"]: r for r in leaks}
    for r in leaks:
        check(r.get("kind") == "exit_open", f"kind is not exit_open: {brief(r)}")
        check(r.get("tcp_state") == "CLOSE_WAIT", f"tcp_state: {brief(r)}")
    check(by[ino_eof].get("eof_stack") is not None, f"EOF one lacks eof_stack: {brief(by[ino_eof])}")
    c.check_stack_names(p.pid, by[ino_eof].get("eof_stack"), ["drain_then_forget"], "eof_stack")
    check(by[ino_cw].get("eof_stack") is None, f"unread one has eof_stack: {brief(by[ino_cw])}")
    check_exit_record(c, p.pid, 2)
    recs = c.logs()[p.pid].records
    check(recs[-1].get("event") == "exit", f"last record is {brief(recs[-1])}, want exit")
    err = p.stderr()
    check("SUMMARY: sockleak:" in err, f"no 'SUMMARY: sockleak:' on stderr: {err[-400:]!r}")


# 8 -------------------------------------------------------------------------------------------
def case_late_close(c, mode=None):
    """A reported leak closed afterwards: late_close with the leak's identity, and how long it
    leaked (eof_unclosed, close_wait with mode "cw", or idle with mode "idle": a peer that stays
    connected and quiet past idle_ms; its leak_age_ms was 0, now it counts from the last I/O)."""
    idle = mode == "idle"
    srv = c.spawn(["sc_late_close"] + (["cw"] if mode else []),
                  options=c.opts(idle_ms=GRACE_MS, grace_ms=60000) if idle else None)
    port = srv.port()
    cli = c.connect(port) if idle else connect_send_close(port)
    srv.expect("sock")
    socks = srv.socks()
    leak = c.wait_leaks(srv.pid, 1)[0]
    check_matches_socks([leak], socks, "late_close")
    want = {"cw": "close_wait", "idle": "idle"}.get(mode, "eof_unclosed")
    check(leak.get("kind") == want, f"kind: {brief(leak)}, want {want}")
    c.quiet(6 * SCAN_MS / 1000)  # scans after the report must not lose when it began leaking
    srv.send("close")
    srv.expect("closed")
    lc = c.wait_for(lambda: c.recs(srv.pid, "late_close"), 3, "a late_close record")
    check(len(lc) == 1, f"expected one late_close, got {briefs(lc)}")
    r = lc[0]
    for k in ("fd", "inode", "kind"):
        check(r.get(k) == leak.get(k), f"late_close {k}={r.get(k)!r}, leak has {leak.get(k)!r}")
    check(isinstance(r.get("late_ms"), int) and r["late_ms"] >= 0, f"late_ms: {r}")
    check(isinstance(r.get("leak_age_ms"), int) and r["leak_age_ms"] >= GRACE_MS,
          f"leak_age_ms below grace: {r}")
    check(r.get("by_runtime") is False, f"by_runtime: the program closed it: {r}")
    c.check_stack_names(srv.pid, r.get("stack"), ["close_late"], "late_close stack")
    expect_exit(srv)
    if idle:
        cli.close()
    check(len(c.leaks(srv.pid)) == 1, f"more leak records: {briefs(c.leaks(srv.pid))}")


# one helper, two callers ---------------------------------------------------------------------
def case_two_callers(c):
    """One helper that opens (or reads to EOF) connections, called from two callers at the same
    stack depth: each leak's stacks name its own caller, not the one that came first (the
    library's per-thread stack cache once answered the second from the first's entry)."""
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(8)
    try:
        p = c.spawn(["sc_two_callers", ls.getsockname()[1]])
        port = p.port()
        p.expect("connected")
        ls.settimeout(5)
        for _ in range(2):
            ls.accept()[0].close()  # the program reads these to EOF, never closes them
        p.expect("read")
        peers = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(2)]
        p.send("accept")
        p.expect("accepted")
        for s in peers:
            s.close()  # never read by the program: close_wait
    finally:
        ls.close()
    by = {int(l.split()[2]): l.split()[1] for l in p.lines if l.startswith("by ")}
    check(len(by) == 4, f"program said {p.lines}")
    leaks = c.wait_leaks(p.pid, 4)
    check_matches_socks(leaks, p.socks(), "two_callers")
    pairs = {"caller_a": "caller_b", "acceptor_a": "acceptor_b", "reader_a": "reader_b"}
    pairs.update({v: k for k, v in pairs.items()})
    wrong = []  # every misattribution, not only the first
    for r in sorted(leaks, key=lambda r: by[r["inode"]]):
        who = by[r["inode"]]
        connected = who.startswith("caller_")
        check(r.get("kind") == ("eof_unclosed" if connected else "close_wait"),
              f"kind, for the socket of {who}(): {brief(r)}")
        stacks = [("open_stack", who, "sc_connect_helper" if connected else "sc_accept_helper")]
        if connected:
            stacks.append(("eof_stack", "reader_" + who[-1], "sc_eof_helper"))
        for field, mine, helper in stacks:
            syms = c.stack_symbols(p.pid, r.get(field))
            check(syms is not None, f"{field} of the socket of {who}(): no stack record: {brief(r)}")
            if [n for n in (helper, mine, "main") if n not in syms] or pairs[mine] in syms:
                wrong.append(f"{field} of the socket of {who}() should name {mine}(), "
                             f"frames {[n for n in syms if n]}")
    check(not wrong, "; ".join(wrong))
    expect_exit(p)


# 9 -------------------------------------------------------------------------------------------
def case_never_reported(c):
    """Listeners, UNIX sockets past EOF, a healthy pair, UDP zero-length: nothing, ever."""
    p = c.spawn(["sc_not_tcp"])
    pport = int(p.expect("pending")[1])
    p.expect("ready")
    # precondition: the kernel does show a CLOSE_WAIT on the listener's port (a queued child)
    c.wait_for(lambda: ss_rows("close-wait", f"sport = :{pport}"), 3,
               "the unaccepted connection in CLOSE_WAIT")
    c.quiet((3 * GRACE_MS + 4 * SCAN_MS) / 1000)
    check(not c.leaks(p.pid), f"reported: {briefs(c.leaks(p.pid))}")
    expect_exit(p)
    check(not c.leaks(p.pid), f"reported at exit: {briefs(c.leaks(p.pid))}")
    check("SUMMARY" not in p.stderr(), f"summary printed: {p.stderr()[-300:]!r}")


# 10 ------------------------------------------------------------------------------------------
def case_log_records_well_formed(c):
    """Every file written by every case above: JSON lines, fields, stacks defined first."""
    files = c.run.validated
    check(files, "no log files were written by any case")
    nleak = sum(1 for _, lf, _ in files for r in lf.records if r.get("event") == "leak")
    check(nleak > 0, "no leak records to check")
    errs = [f"[{case}] {e}" for case, _, es in files for e in es]
    check(not errs, f"{len(errs)} problems in {len(files)} files, e.g.: " + " | ".join(errs[:6]))
    if c.run.verbose:
        print(f"  ({len(files)} files, {nleak} leak records checked)")


# wrapper contract -----------------------------------------------------------------------------
def case_contract_syscalls(c):
    """Every wrapper (reads, fortified reads, writes, accept*, connect, shutdown, close, pipe*,
    set*id): same results, same errno."""
    rc0, out0, _ = c.run_to_end(["sc_contract"], name="plain", preload=False)
    rc1, out1, err1 = c.run_to_end(["sc_contract"], name="preloaded")
    check(rc0 == 3, f"baseline exit status {rc0}")
    for want in ("read(closed fd) ", "recv(empty nonblocking) ", "read(interrupted) "):
        line = next((l for l in out0 if l.startswith(want)), None)
        check(line, f"baseline lacks {want!r}")
    check(len(out0) == len(out1), f"preloaded run printed {len(out1)} lines, plain {len(out0)}")
    diffs = [f"{a.split()[0]}: {' '.join(a.split()[-2:])} -> {' '.join(b.split()[-2:])}"
             for a, b in zip(out0, out1) if a != b]
    fd_only = without_fd_numbers(out0) == without_fd_numbers(out1)
    check(not diffs, f"{len(diffs)} results differ with the preload"
          + (" (only descriptor numbers: the preload holds low fds)" if fd_only else "")
          + ": " + "; ".join(diffs[:8]))
    check(rc1 == rc0, f"exit status {rc1} with the preload, {rc0} without")
    expected = {"read(closed fd)": "-1 errno=EBADF", "recv(empty nonblocking)": "-1 errno=EAGAIN",
                "read(interrupted)": "-1 errno=EINTR"}
    for label, val in expected.items():
        line = next(l for l in out1 if l.startswith(label + " "))
        check(line.split("=", 1)[1].strip() == val, f"preloaded: {line!r}, want {val}")
    check(err1 == "", f"preload wrote to stderr: {err1[:300]!r}")
    check(not c.all_leaks(), f"leaks reported for a clean program: {briefs(c.all_leaks())}")


def case_constructor_before_preload(c):
    """Sockets used from a library constructor that runs before libsockleak's."""
    lib = os.path.join(c.run.bindir, "libsc_ctor.so")
    dbg = os.path.join(c.dir, "lddebug")
    # glibc runs the initialisers of independent LD_PRELOAD objects in reverse list order
    # (checked on Debian 12's glibc 2.36), so libsc_ctor.so goes AFTER libsockleak.so for its
    # constructor to run first; sc_ctor_main also links it, as a program would. LD_DEBUG=files
    # ("calling init:" lines) proves the order on the machine at hand.
    # LD_DEBUG_OUTPUT takes a descriptor in ld.so: the baseline runs with it too, so that fd
    # numbers compare equal.
    rc0, out0, _ = c.run_to_end(["sc_ctor_main"], name="plain", preload=False,
                                extra_env={"LD_DEBUG": "files", "LD_DEBUG_OUTPUT": dbg + "-plain"})
    check(rc0 == 0, f"baseline failed: {out0}")
    env = {"LD_PRELOAD": ":".join(c.run.preload_first + [c.run.lib, lib]),
           "LD_DEBUG": "files", "LD_DEBUG_OUTPUT": dbg}
    p = c.spawn(["sc_ctor_main"], extra_env=env)
    p.expect("ready")
    # precondition: glibc ran libsc_ctor.so's initialiser before libsockleak.so's
    inits = []
    for fn in os.listdir(c.dir):
        if fn.startswith("lddebug.") and fn == f"lddebug.{p.pid}":
            with open(os.path.join(c.dir, fn)) as f:
                inits = [l.split("calling init:", 1)[1].strip() for l in f if "calling init:" in l]
    order = [os.path.basename(x) for x in inits]
    check("libsc_ctor.so" in order and os.path.basename(c.run.lib) in order,
          f"LD_DEBUG shows no init of both libraries: {order}")
    check(order.index("libsc_ctor.so") < order.index(os.path.basename(c.run.lib)),
          f"precondition: libsockleak's initialiser ran first: {order}")
    if c.run.verbose:
        print(f"  (initialisers in order: {order})")
    ctor0 = [l for l in out0 if l.startswith("ctor ")]
    ctor1 = [l for l in p.lines if l.startswith("ctor ")]
    mask = lambda ls: [re.sub(r"_fd=\d+", "_fd=FD", l) for l in ls]
    check(mask(ctor0) == mask(ctor1),
          f"constructor saw different results with the preload: {ctor1} vs {ctor0}")
    check(ctor0 == ctor1, "constructor's calls returned other descriptor numbers with the "
          f"preload (its own descriptors taken low, before ours?): {ctor1} vs {ctor0}")
    socks = p.socks()
    check(len(socks) == 1, f"{p.lines}")
    leak = c.wait_leaks(p.pid, 1)[0]
    check_matches_socks([leak], socks, "constructor")
    check(leak.get("kind") == "eof_unclosed", f"kind: {brief(leak)}")
    c.check_stack_names(p.pid, leak.get("open_stack"), ["sc_ctor_accept"], "open_stack")
    c.check_stack_names(p.pid, leak.get("eof_stack"), ["sc_ctor_read_to_eof"], "eof_stack")
    expect_exit(p)


FD_LABELS = re.compile(r"^(socket\S*|accept|accept4\(NONBLOCK\|CLOEXEC\))\s+= \d+ ")


def without_fd_numbers(lines):
    """sc_contract output with the descriptor numbers of successful socket()/accept() calls
    masked: for cases whose subject is not fd placement (contract_syscall_results is)."""
    return [FD_LABELS.sub(lambda m: m.group(0).rsplit("=", 1)[0] + "= FD ", l) for l in lines]


def case_bad_options(c):
    """Unknown key, bad value, out of range: one stderr line naming the key, program runs."""
    rc0, out0, _ = c.run_to_end(["sc_contract"], name="plain", preload=False)
    out0 = without_fd_numbers(out0)
    trials = [("bogus_key=1", "bogus_key"), ("grace_ms=abc", "grace_ms"),
              ("scan_ms=1", "scan_ms"), (f"grace_ms=300:no_such_option=2:scan_ms=50", "no_such_option")]
    for i, (opt, key) in enumerate(trials):
        rc, out, err = c.run_to_end(["sc_contract"], name=f"bad{i}", options=opt)
        lines = [l for l in err.splitlines() if l.strip()]
        check(len(lines) == 1 and key in lines[0],
              f"SOCKLEAK_OPTIONS={opt}: want one stderr line naming '{key}', got {lines[:5]}")
        check(rc == rc0, f"SOCKLEAK_OPTIONS={opt}: exit status {rc}, want {rc0}")
        diffs = [f"{a!r} vs {b!r}" for a, b in zip(out0, without_fd_numbers(out)) if a != b]
        check(len(out) == len(out0) and not diffs,
              f"SOCKLEAK_OPTIONS={opt}: stdout differs from the plain run: {diffs[:3]}")


def case_help_lists_the_table(c):
    """help=1, printed by the preload at start-up, has one line per row of the options table
    (preload/options.inc), and the program runs on. Whether each option is documented, with the
    table's default and range, is the unit test tests/unit/test_options_docs.c."""
    rc, _, err = c.run_to_end(["sc_not_tcp"], name="help", options="help=1")
    inc = open(os.path.join(HERE, "..", "..", "preload", "options.inc"), encoding="utf-8").read()
    table = re.findall(r"^SL_OPT\(\w+, (\w+),", inc, re.M)
    listed = re.findall(r"^  ([a-z_0-9]+) +", err, re.M)
    check(rc == 0, f"help=1: exit status {rc}")
    check(len(table) >= 15 and listed == table, f"help=1 listed {listed}, the table has {table}")


CASES = [
    ("close_wait_read_once", case_close_wait_read_once),
    ("eof_unclosed_named_stacks", case_eof_unclosed),
    ("client_pool_close_wait", case_client_pool_close_wait),
    ("multithreaded_every_50th", case_multithreaded_every_50th),
    ("python_interpreter", case_python_interpreter),
    ("many_sockets_epoll", case_many_sockets),
    ("many_sockets_sock_diag", lambda c: case_many_sockets(c, "sock_diag")),
    ("close_wait_read_once_sock_diag", lambda c: case_close_wait_read_once(c, "sock_diag")),
    ("close_wait_read_once_tcp_info", lambda c: case_close_wait_read_once(c, "tcp_info")),
    ("clean_halfclose_slow_reply", case_clean_halfclose),
    ("clean_keepalive", case_clean_keepalive),
    ("clean_brief_close_wait", case_clean_brief_close_wait),
    ("clean_brief_close_wait_sock_diag", lambda c: case_clean_brief_close_wait(c, "sock_diag")),
    ("exit_open_and_summary", case_exit_open),
    ("late_close", case_late_close),
    ("late_close_close_wait", lambda c: case_late_close(c, "cw")),
    ("late_close_idle", lambda c: case_late_close(c, "idle")),
    ("two_callers_one_helper", case_two_callers),
    ("never_reported_non_tcp_listen_healthy", case_never_reported),
    ("contract_syscall_results", case_contract_syscalls),
    ("constructor_before_preload", case_constructor_before_preload),
    ("bad_options_one_line", case_bad_options),
    ("help_lists_the_table", case_help_lists_the_table),
    ("log_records_well_formed", case_log_records_well_formed),  # last: checks all logs above
]


if __name__ == "__main__":
    sys.exit(main("scenarios", __doc__, CASES, GRACE_MS, SCAN_MS, CASE_TIMEOUT_S, ScCase))
