#!/usr/bin/env python3
"""Issue 4: enforcement (SOCKLEAK_OPTIONS enforce=1) on real servers over loopback.

What the tests hold the preload to (docs/options.md, docs/log-format.md):
- a socket reported as leaked is shut down (SHUT_RDWR) once, with one `enforce` record, and
  leaves CLOSE_WAIT; the program's descriptor stays valid: read() returns 0, close() returns 0;
- the program keeps serving;
- the grace period counts from the later of the EOF and the last I/O, so a connection whose
  client waits for every reply before closing is never past EOF, nor in CLOSE_WAIT, while a
  reply is owed: even with grace_ms=0 no such exchange may be cut. A reply sent after the
  client's half-close IS owed past EOF: with grace_ms=0 and no annotation the documented
  semantics make it a leak, and it is cut (the case says so); annotated with
  sockleak_half_close_ok() it is never cut;
- exempt (sockleak_ignore) and half-close-annotated sockets are never shut down.

Usage: run.py --bin BUILD/tests/enforce --lib /abs/libsockleak.so [--results FILE] [--only
NAMES] [--keep]. Standard library only."""

import os
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from harness import Fail, brief, briefs, check, free_port, main, poll, ss_rows  # noqa: E402

GRACE_MS, SCAN_MS = 300, 50


def client(c, port, first, close=True):
    s = c.connect(port)
    s.sendall(first)
    buf = b""
    while not buf.endswith(b"\n"):
        chunk = s.recv(64)
        check(chunk, f"server closed before replying ({buf!r})")
        buf += chunk
    check(buf == b"ok\n", f"reply {buf!r}")
    if close:
        s.close()
    return s


def check_exit(c, pid, **want):
    ex = c.recs(pid, "exit")
    check(len(ex) == 1, f"expected one exit record from {pid}, got {briefs(ex)}")
    for k, v in want.items():
        check(ex[0].get(k) == v, f"exit record: {k}={ex[0].get(k)}, want {v}: {brief(ex[0])}")


def check_enforced(c, pid, socks, kinds):
    """Exactly one leak and one enforce record per socket, enforce after leak, result 0."""
    leaks = c.wait_count(pid, "leak", len(socks), timeout=10)
    enf = c.wait_count(pid, "enforce", len(socks), timeout=10)
    check(sorted(r["inode"] for r in leaks) == sorted(socks),
          f"leak inodes {briefs(leaks)} != {sorted(socks)}")
    by_inode = {r["inode"]: r for r in leaks}
    for e in enf:
        lk = by_inode.get(e["inode"])
        check(lk is not None, f"enforce without a leak record: {brief(e)}")
        check(e["fd"] == socks[e["inode"]] and e["kind"] == lk["kind"]
              and e["kind"] == kinds[e["inode"]] and e["action"] == "shutdown"
              and e["result"] == 0 and e["ts_ns"] >= lk["ts_ns"],
              f"enforce record {brief(e)} for leak {brief(lk)} (want kind "
              f"{kinds[e['inode']]}, fd {socks[e['inode']]}, result 0)")
    check(len({e["inode"] for e in enf}) == len(enf), f"an inode enforced twice: {briefs(enf)}")


# --------------------------------------------------------------------------------------------
def case_leaky_server_enforced(c):
    """A server leaking CLOSE_WAIT (never read) and EOF (read, never closed) sockets: all shut
    down, none left in CLOSE_WAIT, the server keeps serving, its fds stay valid."""
    srv = c.spawn(["en_leaky_server"], options=c.opts(enforce=1))
    port = srv.port()
    kinds = {}
    served = 0
    for phase, firsts in ((1, [b"O\n"] * 3 + [b"R\n"] * 3), (2, [b"R\n", b"O\n"] * 2)):
        t0 = time.monotonic()
        for f in firsts:
            client(c, port, f)
            served += 1
            srv.expect("served", nth=served)
        socks = srv.socks()
        new = [ino for ino in socks if ino not in kinds]
        check(len(new) == len(firsts), f"server sockets {socks}")
        # Which kind each new socket must be reported as: by the order of the sock lines.
        lines = [int(w[2]) for w in srv.all("sock")][-len(firsts):]
        for ino, f in zip(lines, firsts):
            kinds[ino] = "close_wait" if f == b"O\n" else "eof_unclosed"
        check_enforced(c, srv.pid, socks, kinds)
        # The kernel's view: none of the server's sockets is left in CLOSE_WAIT.
        c.wait_for(lambda: not ss_rows("close-wait", f"sport = :{port}"), 5,
                   f"no CLOSE_WAIT on :{port} after enforcement "
                   f"(left: {ss_rows('close-wait', f'sport = :{port}')})")
        ages = [r["age_ms"] for r in c.recs(srv.pid, "leak") if r["inode"] in new]
        check(all(a >= GRACE_MS for a in ages), f"reported before grace_ms: ages {ages}")
        check(time.monotonic() - t0 < 10, "enforcement took too long")
    # The program's own view of the shut-down sockets: EOF, and a clean close.
    srv.send("recheck")
    n = int(srv.expect("rechecked")[1])
    check(n == len(kinds), f"rechecked {n} of {len(kinds)}")
    for w in srv.all("recheck"):
        fd, rr, re_, cr, ce = (int(x) for x in w[1:6])
        check(rr == 0 and re_ == 0 and cr == 0 and ce == 0,
              f"fd {fd} after enforcement: read() returned {rr} (errno {re_}), close() returned "
              f"{cr} (errno {ce}); want 0 and 0")
    lc = c.wait_count(srv.pid, "late_close", len(kinds))
    check(sorted(r["inode"] for r in lc) == sorted(kinds), f"late_close {briefs(lc)}")
    # And it still serves.
    client(c, port, b"R\n", close=False)
    check(srv.finish() == 0, "server exit status")
    check_exit(c, srv.pid, leaked=len(kinds), enforced=len(kinds))


def case_exempt_and_half_close_never_shut(c):
    """sockleak_ignore and sockleak_half_close_ok sockets are never shut down; a control
    socket in the same process is."""
    srv = c.spawn(["en_exempt"], options=c.opts(enforce=1))
    port = srv.port()
    ign = client(c, port, b"I", close=False)
    ign.close()
    half = c.connect(port)
    half.sendall(b"H")
    half.shutdown(socket.SHUT_WR)
    srv.expect("halfclosed")
    ctl = client(c, port, b"C", close=False)
    ctl.close()
    srv.expect("sock", nth=3)
    info = {w[3]: (int(w[1]), int(w[2]), int(w[4])) for w in srv.all("sock")}
    check(info["I"][2] == 0 and info["H"][2] == 0, f"annotation calls failed: {info}")
    # The control socket is enforced...
    check_enforced(c, srv.pid, {info["C"][1]: info["C"][0]}, {info["C"][1]: "close_wait"})
    # ...and in the same scans and long after, the annotated ones are not.
    c.quiet(4 * GRACE_MS / 1000)
    check(len(c.recs(srv.pid, "leak")) == 1 and len(c.recs(srv.pid, "enforce")) == 1,
          f"annotated sockets reported or enforced: {briefs(c.recs(srv.pid))}")
    cw = {r[2] for r in ss_rows("close-wait", f"sport = :{port}")}
    check(info["I"][1] in cw, f"the exempt socket left CLOSE_WAIT (shut down?): {cw}")
    check(info["H"][1] in cw, f"the half-close socket left CLOSE_WAIT (shut down?): {cw}")
    srv.send("probe")
    check(srv.expect("probe")[2] == "0", "exempt socket read")
    srv.send("reply")
    w = srv.expect("replied")
    check(w[2] == "0" and w[3] == "0", f"reply after the half-close: {w}")
    half.settimeout(5)
    got = b""
    while True:
        chunk = half.recv(64)
        if not chunk:
            break
        got += chunk
    check(got == b"half-ok\n", f"half-closed client received {got!r}")
    check(srv.finish() == 0, "exit status")
    leaks = c.recs(srv.pid, "leak")
    check(len(leaks) == 1 and leaks[0]["inode"] == info["C"][1],
          f"exit-time scan reported an annotated socket: {briefs(leaks)}")
    check_exit(c, srv.pid, leaked=1, enforced=1)


def churn(c, threads, per_thread, msgs, mode, server_mode, delay_ms=0, workers=8):
    opts = c.opts(enforce=1, grace_ms=0, scan_ms=10)
    srv = c.spawn(["en_churn_server", workers, server_mode, delay_ms], options=opts)
    port = srv.port()
    cli = c.spawn(["en_churn_client", port, threads, per_thread, msgs, mode], preload=False)
    total = threads * per_thread
    w = cli.expect("done", timeout=90)
    got = dict(zip(("ok", "resets", "short", "mismatch", "connfail", "other", "errno"),
                   (int(x) for x in w[1:8])))
    asked = 0

    def server_stats():
        nonlocal asked
        srv.send("stats")
        asked += 1
        return srv.expect("stats", nth=asked)

    deadline = time.monotonic() + 20
    while int(server_stats()[1]) < total:
        check(time.monotonic() < deadline, f"server finished only {srv.all('stats')[-1]}")
        time.sleep(0.05)
    st = server_stats()
    stats = dict(zip(("conns", "msgs", "rerr", "werr", "cerr", "errno"), (int(x) for x in st[1:7])))
    check(srv.finish() == 0, "server exit status")
    return got, stats, srv


def check_log_consistency(c, pid):
    """Every leak enforced once with result 0, then closed (late_close), counts in `exit`."""
    leaks, enf, late = c.recs(pid, "leak"), c.recs(pid, "enforce"), c.recs(pid, "late_close")
    li = sorted(r["inode"] for r in leaks)
    check(sorted(r["inode"] for r in enf) == li,
          f"enforce records ({len(enf)}) do not match leak records ({len(leaks)}) one to one")
    check(all(r["result"] == 0 for r in enf), f"failed enforcement: "
          f"{briefs([r for r in enf if r['result'] != 0])}")
    check(sorted(r["inode"] for r in late) == li,
          f"late_close records ({len(late)}) do not match leaks ({len(leaks)})")
    if leaks:
        check_exit(c, pid, leaked=len(leaks), enforced=len(enf))
    return len(leaks)


def case_race_healthy_churn_grace0(c):
    """enforce=1:grace_ms=0:scan_ms=10 on a healthy 8-thread echo server, 10000 connections of
    4 round trips each from 4 client threads: every exchange completes, no reset, no short
    reply, no server-side error."""
    threads, per, msgs = 4, 2500, 4
    t0 = time.monotonic()
    got, stats, srv = churn(c, threads, per, msgs, "echo", "echo")
    total = threads * per
    check(got == {"ok": total, "resets": 0, "short": 0, "mismatch": 0, "connfail": 0,
                  "other": 0, "errno": 0}, f"client saw failures: {got}")
    check(stats["conns"] == total and stats["msgs"] == total * msgs and stats["rerr"] == 0
          and stats["werr"] == 0 and stats["cerr"] == 0, f"server saw failures: {stats}")
    n = check_log_consistency(c, srv.pid)
    c.run.notes.append(f"race: {total} connections in {time.monotonic() - t0:.1f}s; "
                       f"{n} were reported+enforced between the server's EOF read and its close")
    print(f"  note: {c.run.notes[-1]}")


def case_race_lingering_close_grace0(c):
    """The same with 16 server threads lingering 100 ms between the EOF and close() (several
    scans, even when a scan's host-wide netlink dump is slow): most connections are now reported and shut down by the watchdog while the threads
    keep closing and accepting (reusing the same fd numbers). Still every exchange completes, every close() returns 0,
    and each report is one leak, one enforce (result 0) and one late_close of that socket."""
    threads, per, msgs = 16, 40, 3
    got, stats, srv = churn(c, threads, per, msgs, "echo", "linger", 100, workers=16)
    total = threads * per
    check(got == {"ok": total, "resets": 0, "short": 0, "mismatch": 0, "connfail": 0,
                  "other": 0, "errno": 0}, f"client saw failures: {got}")
    check(stats["conns"] == total and stats["msgs"] == total * msgs and stats["rerr"] == 0
          and stats["werr"] == 0 and stats["cerr"] == 0, f"server saw failures: {stats}")
    n = check_log_consistency(c, srv.pid)
    check(n > 0, f"no connection was ever enforced: the race was not exercised (logs "
          f"{sorted(os.listdir(c.dir))}, server stderr {srv.stderr()[-300:]!r}, server pid "
          f"{srv.pid})")
    print(f"  note: {n} of {total} lingering connections reported and enforced")


def case_grace0_reply_after_half_close(c):
    """The documented edge: with grace_ms=0, a reply owed after the client's half-close is past
    EOF, so it is a leak and is cut (5 of 5, server delays its reply 1 s); annotated with
    sockleak_half_close_ok() the same exchanges all complete."""
    n = 5
    got, stats, srv = churn(c, n, 1, 1, "late", "late", 1000)
    check(got["ok"] == 0 and got["short"] + got["resets"] == n,
          f"with grace_ms=0 the documented semantics cut every late reply; client saw {got}")
    leaks = c.recs(srv.pid, "leak")
    check(len(leaks) == n and all(r["kind"] == "eof_unclosed" for r in leaks),
          f"leak records: {briefs(leaks)}")
    check_log_consistency(c, srv.pid)
    check(stats["conns"] == n and stats["cerr"] == 0, f"server: {stats}")
    got, stats, srv = churn(c, n, 1, 1, "late", "late-ok", 1000)
    check(got["ok"] == n and got["short"] == 0 and got["resets"] == 0,
          f"half_close_ok sockets were cut: client {got}")
    check(stats == {"conns": n, "msgs": n, "rerr": 0, "werr": 0, "cerr": 0, "errno": 0},
          f"server: {stats}")
    check(not c.recs(srv.pid, "leak") and not c.recs(srv.pid, "enforce"),
          f"annotated sockets reported: {briefs(c.recs(srv.pid))}")


def case_suppressed_reported_never_shut(c):
    """A site matched by a leak:PATTERN suppression (by function) is still logged as a leak but
    never shut down: the socket stays in CLOSE_WAIT in the kernel's view."""
    supp = os.path.join(c.dir, "supp.txt")
    with open(supp, "w") as f:
        f.write("# the accept call site of en_leaky_server\nleak:accept_conn*\n")
    srv = c.spawn(["en_leaky_server"], options=c.opts(enforce=1, suppressions=supp))
    port = srv.port()
    client(c, port, b"O\n")
    srv.expect("served")
    (ino, _), = srv.socks().items()
    lk = c.wait_count(srv.pid, "leak", 1)[0]
    check(lk["inode"] == ino and lk["kind"] == "close_wait", f"leak record {brief(lk)}")
    c.quiet(6 * SCAN_MS / 1000)
    check(not c.recs(srv.pid, "enforce"), f"suppressed site enforced: {briefs(c.recs(srv.pid))}")
    check(ss_rows("close-wait", f"sport = :{port}"),
          "the suppressed socket left CLOSE_WAIT: something shut it down")
    check(srv.finish() == 0, "server exit status")
    check_exit(c, srv.pid, leaked=1, enforced=0)


def case_idle_reported_and_enforced(c):
    """idle_ms: a connection nobody touches (the peer is alive and keeps it open) is reported as
    kind idle and, with enforce=1, shut down: the client sees EOF. A listener is never idle."""
    srv = c.spawn(["en_leaky_server"], options=c.opts(enforce=1, idle_ms=400, grace_ms=60000))
    port = srv.port()
    s = client(c, port, b"O\n", close=False)
    srv.expect("served")
    (ino, _), = srv.socks().items()
    lk = c.wait_count(srv.pid, "leak", 1)[0]
    check(lk["inode"] == ino and lk["kind"] == "idle", f"leak record {brief(lk)}")
    check(lk["age_ms"] >= 400, f"reported before idle_ms: {brief(lk)}")
    en = c.wait_count(srv.pid, "enforce", 1)[0]
    check(en["inode"] == ino and en["kind"] == "idle", f"enforce record {brief(en)}")
    s.settimeout(5)
    check(s.recv(64) == b"", "client did not see EOF after the idle connection was shut down")
    s.close()
    check(len(c.recs(srv.pid, "leak")) == 1, f"listener or others reported: {briefs(c.recs(srv.pid, 'leak'))}")
    check(srv.finish() == 0, "server exit status")


def case_idle_ms_before_grace_ms_past_eof_and_in_close_wait(c):
    """idle_ms shorter than grace_ms: a connection past EOF ('R', the client half-closes and the
    server reads the EOF and forgets it) and one in CLOSE_WAIT ('O', never read again) that
    nobody touches are reported and shut down at idle_ms, as a quiet connection is (issue 12:
    they waited for grace_ms, after every merely quiet connection)."""
    srv = c.spawn(["en_leaky_server"], options=c.opts(enforce=1, idle_ms=400, grace_ms=60000))
    port = srv.port()
    socks = []
    for first in (b"R\n", b"O\n"):
        s = client(c, port, first, close=False)
        s.shutdown(socket.SHUT_WR)
        srv.expect("served")
        socks.append(s)
    t0 = time.monotonic()
    leaks = c.wait_count(srv.pid, "leak", 2, timeout=10)
    check(all(l["kind"] == "idle" for l in leaks), f"leak records {briefs(leaks)}")
    check(sorted(l["inode"] for l in leaks) == sorted(srv.socks()), f"leaks {briefs(leaks)}")
    check(sum(1 for l in leaks if l["eof_ts_ns"]) == 1, f"one past EOF: {briefs(leaks)}")
    check(all(l["age_ms"] >= 400 for l in leaks), f"reported before idle_ms: {briefs(leaks)}")
    check(time.monotonic() - t0 < 10, "reported late")
    enf = c.wait_count(srv.pid, "enforce", 2)
    check(all(e["kind"] == "idle" and e["result"] == 0 for e in enf), f"enforce {briefs(enf)}")
    for s in socks:
        s.settimeout(5)
        check(s.recv(64) == b"", "client did not see EOF after the connection was shut down")
        s.close()
    check(srv.finish() == 0, "server exit status")


NGINX = "/usr/sbin/nginx"
BIG = 8 << 20  # the file nginx streams with sendfile(): ~1.5 s to a client reading slowly


def nginx_sendfile(c, options):
    """A real nginx (one process, `sendfile on`, as Debian ships it) serving a BIG-byte file;
    returns (Proc, port). Its data goes out through sendfile(2), which no wrapper sees."""
    root = os.path.join(c.dir, "nginx")
    os.makedirs(os.path.join(root, "www"))
    os.makedirs(os.path.join(root, "tmp"))
    os.rename(big_file(c), os.path.join(root, "www", "big"))
    for _ in range(5):  # a port taken between free_port() and nginx's bind: another one
        port = free_port()
        conf = os.path.join(root, "nginx.conf")
        with open(conf, "w") as f:
            f.write(f"""daemon off; master_process off; worker_processes 1;
pid {root}/nginx.pid; error_log {root}/error.log warn;
events {{ worker_connections 64; }}
http {{ access_log off; sendfile on; keepalive_timeout 60s;
  client_body_temp_path {root}/tmp; proxy_temp_path {root}/tmp; fastcgi_temp_path {root}/tmp;
  uwsgi_temp_path {root}/tmp; scgi_temp_path {root}/tmp;
  server {{ listen 127.0.0.1:{port}; root {root}/www; }} }}
""")
        srv = c.spawn([NGINX, "-p", root, "-c", conf, "-e", os.path.join(root, "error.log")],
                      name="nginx", options=options)

        def up():
            if srv.p.poll() is not None:
                return "exited"
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return "up"
            except OSError:
                return None
        if poll(up, 10, "nginx listening") == "up":
            return srv, port
    raise Fail(f"nginx did not start: {srv.stderr()[-400:]!r}")


def big_file(c):
    path = os.path.join(c.dir, "big")
    with open(path, "wb") as f:
        f.write(os.urandom(1 << 20) * (BIG >> 20))
    return path


def slow_download(c, port, request, half_close, seconds=1.5):
    """Send request with a small receive buffer and read the reply in ~`seconds`; half_close:
    the client shuts down its sending side right after the request (the server's socket is in
    CLOSE_WAIT for the whole transfer). Returns the bytes received."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32768)
    s.settimeout(10)
    s.connect(("127.0.0.1", port))
    c.socks.append(s)
    s.sendall(request)
    if half_close:
        s.shutdown(socket.SHUT_WR)
    got, chunk = [], 65536
    pause = seconds / (BIG / 32768)  # a recv returns about the receive buffer
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            b = s.recv(chunk)
        except ConnectionResetError:
            break
        if not b:
            break
        got.append(b)
        time.sleep(pause)
    s.close()
    return b"".join(got)


def check_not_cut(c, srv, whole, cut, using):
    """A connection in use (`using`: how) went through whole, was never reported nor shut down,
    and the server exits cleanly."""
    check(whole, f"{cut}: {briefs(c.recs(srv.pid, 'leak') + c.recs(srv.pid, 'enforce'))}")
    check(not c.recs(srv.pid, "leak") and not c.recs(srv.pid, "enforce"),
          f"a socket being {using} was reported: {briefs(c.recs(srv.pid))}")
    check(srv.finish() == 0, "server exit status")


def case_sendfile_reply_after_half_close_not_cut(c):
    """A reply owed after the client's half-close and streamed with sendfile() (the server's
    socket past EOF all along) is in use: never reported, never cut, at grace_ms=300 with a
    transfer of ~1.5 s. Before: sendfile() has no wrapper, so the watchdog saw no I/O after the
    EOF, reported the socket eof_unclosed after grace_ms and, with enforce=1, shut it down
    mid-transfer."""
    srv = c.spawn(["en_sendfile_server", big_file(c)], options=c.opts(enforce=1))
    port = srv.port()
    n = len(slow_download(c, port, b"GET big\n", half_close=True))
    sent = srv.expect("sent")
    check_not_cut(c, srv, n == BIG and sent[2:] == [str(BIG), "0"],
                  f"the reply was cut at {n} of {BIG} bytes (server: {sent})", "written to")


def case_nginx_sendfile_stream_not_idle(c):
    """idle_ms: a connection a real nginx streams a file into with sendfile() (`sendfile on`,
    as Debian ships it) is not idle, even when the transfer lasts several idle_ms. Before:
    reported idle after idle_ms and, with enforce=1, cut."""
    srv, port = nginx_sendfile(c, c.opts(enforce=1, idle_ms=300, grace_ms=60000))
    reply = slow_download(c, port, b"GET /big HTTP/1.0\r\nHost: t\r\n\r\n", half_close=False)
    head, _, body = reply.partition(b"\r\n\r\n")
    check(head.startswith(b"HTTP/1.1 200"), f"reply {head[:80]!r}")
    n = len(body)
    check(n == BIG, f"the download was cut at {n} of {BIG} bytes: "
          f"{briefs(c.recs(srv.pid, 'leak') + c.recs(srv.pid, 'enforce'))}")
    check(not c.recs(srv.pid, "leak") and not c.recs(srv.pid, "enforce"),
          f"a connection being written to was reported idle: {briefs(c.recs(srv.pid))}")


SLOW_BODY = 24 << 10  # all in the server's receive buffer at once; read 1 KiB per PAUSE_MS
SLOW_PAUSE_MS = 50    # ~1.2 s of reading: four grace_ms, four idle_ms


def slow_request(c, srv, half_close):
    """Send a SLOW_BODY-byte request ending in '.' to en_slow_reader (half_close: then shut the
    client's sending side: the server's socket is in CLOSE_WAIT while it reads); returns the
    reply and the server's "served" words."""
    s = c.connect(srv.port())
    s.sendall(b"x" * (SLOW_BODY - 1) + b".")
    if half_close:
        s.shutdown(socket.SHUT_WR)
    s.settimeout(15)
    reply = b""
    while not reply.endswith(b"\n"):
        try:
            b = s.recv(64)
        except OSError:
            break
        if not b:
            break
        reply += b
    s.close()
    return reply, srv.expect("served", timeout=15)


def check_slow_read_not_cut(c, srv, reply, served):
    check_not_cut(c, srv,
                  reply == f"ok {SLOW_BODY}\n".encode() and served[2:] == [str(SLOW_BODY), "0"],
                  f"the request was cut while the server read it: reply {reply!r}, server "
                  f"{served}", "read")


def case_slow_read_after_half_close_not_cut(c):
    """docs/options.md: grace_ms runs from "the later of that event and the program's last read
    or write on it". A server reading, slowly, a request the client sent whole and then
    half-closed (in CLOSE_WAIT, the data all arrived before the FIN) is using the socket at
    every read: never reported, never cut. Before: the kernel's last data received is older
    than the reads, so the socket was reported close_wait at grace_ms and shut down mid-read."""
    srv = c.spawn(["en_slow_reader", str(SLOW_PAUSE_MS)], options=c.opts(enforce=1))
    check_slow_read_not_cut(c, srv, *slow_request(c, srv, half_close=True))


def case_slow_read_not_idle(c):
    """idle_ms: "no read or write for this long": a server reading a buffered request slowly
    is not idle, even when the data arrived idle_ms ago. Before: reported idle and cut."""
    srv = c.spawn(["en_slow_reader", str(SLOW_PAUSE_MS)],
                  options=c.opts(enforce=1, idle_ms=300, grace_ms=60000))
    check_slow_read_not_cut(c, srv, *slow_request(c, srv, half_close=False))


CASES = [
    ("leaky_server_enforced", case_leaky_server_enforced),
    ("suppressed_reported_never_shut", case_suppressed_reported_never_shut),
    ("idle_reported_and_enforced", case_idle_reported_and_enforced),
    ("idle_ms_before_grace_ms_past_eof_and_in_close_wait",
     case_idle_ms_before_grace_ms_past_eof_and_in_close_wait),
    ("exempt_and_half_close_never_shut", case_exempt_and_half_close_never_shut),
    ("race_healthy_churn_grace0", case_race_healthy_churn_grace0),
    ("race_lingering_close_grace0", case_race_lingering_close_grace0),
    ("grace0_reply_after_half_close", case_grace0_reply_after_half_close),
    ("sendfile_reply_after_half_close_not_cut", case_sendfile_reply_after_half_close_not_cut),
    ("nginx_sendfile_stream_not_idle", case_nginx_sendfile_stream_not_idle),
    ("slow_read_after_half_close_not_cut", case_slow_read_after_half_close_not_cut),
    ("slow_read_not_idle", case_slow_read_not_idle),
]

if __name__ == "__main__":
    sys.exit(main("enforce", __doc__, CASES, GRACE_MS, SCAN_MS, case_timeout=110))
