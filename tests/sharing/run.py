#!/usr/bin/env python3
"""Issue 3: sockets shared across processes and descriptors (fork, exec, dup, SCM_RIGHTS), and
programs that close every descriptor, under LD_PRELOAD=libsockleak.so.

Contract: docs/log-format.md. `shared_with` names the other processes that still hold the
socket when the record is written: the preload verifies candidates against /proc/PID/fd before
naming them (track.c, sl_holders_alive), so a child that exited or closed its copy is not named.

Usage: run.py --bin BUILD/tests/sharing --lib /abs/libsockleak.so [--results FILE] [--only
NAMES] [--keep] [--preload-first SANRT]. Standard library only."""

import os
import signal
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from harness import (Fail, brief, briefs, check, main, pid_gone,  # noqa: E402
                     proc_fd_links, ss_rows)

GRACE_MS, SCAN_MS = 300, 50
PRELOAD_FD_BASE = 1000   # where the preload puts its own descriptors (log.c sl_high_base)


def exchange(c, port, req=b"req\n"):
    """Connect, send one request, read one reply line: the open client socket and the reply."""
    s = c.connect(port)
    s.sendall(req)
    buf = b""
    while not buf.endswith(b"\n"):
        chunk = s.recv(64)
        check(chunk, f"server closed before replying (got {buf!r})")
        buf += chunk
    return s, buf


def check_exit(c, pid, **want):
    ex = c.recs(pid, "exit")
    check(len(ex) == 1, f"expected one exit record from {pid}, got {briefs(ex)}")
    for k, v in want.items():
        check(ex[0].get(k) == v, f"exit record of {pid}: {k}={ex[0].get(k)}, want {v}: "
              f"{brief(ex[0])}")


class Acceptor:
    """A driver-side listener that accepts and closes at once (the peer of leaked sockets), or
    keeps the accepted sockets when keep=True."""

    def __init__(self, keep=False):
        self.ls = socket.socket()
        self.ls.bind(("127.0.0.1", 0))
        self.ls.listen(64)
        self.port = self.ls.getsockname()[1]
        self.keep, self.accepted, self.stop = keep, [], False
        self.t = threading.Thread(target=self._run, daemon=True)
        self.t.start()

    def _run(self):
        self.ls.settimeout(0.1)
        while not self.stop:
            try:
                a, _ = self.ls.accept()
            except OSError:
                continue
            if self.keep:
                self.accepted.append(a)
            else:
                a.close()

    def close(self):
        self.stop = True
        self.t.join(5)
        self.ls.close()
        for a in self.accepted:
            a.close()


# --------------------------------------------------------------------------------------------
def fork_server(c, mode):
    n = 3
    srv = c.spawn(["sh_fork_server", n, mode])
    port = srv.port()
    clients = []
    for i in range(n):
        s, reply = exchange(c, port)
        check(reply == b"ok\n", f"reply {reply!r}")
        clients.append(s)
        srv.expect("forked", nth=i + 1)
    socks = srv.socks()
    forked = [(int(w[1]), int(w[2])) for w in srv.all("forked")]
    children = [p for p, _ in forked]
    conn_inode = {fd: ino for ino, fd in socks.items()}
    order = [conn_inode[fd] for _, fd in forked]        # inode of connection i
    lfd, lino = int(srv.expect("listener")[1]), int(srv.expect("listener")[2])

    if mode == "exit":
        for i in range(n):
            srv.expect("reaped", nth=i + 1)
        srv.expect("reaped-all")
    else:
        for i in range(n):
            srv.expect("holding", nth=i + 1)
    for s in clients:
        s.close()
    rows = c.wait_for(lambda: (lambda r: r if len(r) == n else None)(
        ss_rows("close-wait", f"sport = :{port}")), 5, f"{n} CLOSE_WAIT sockets on :{port}")
    check(sorted(r[2] for r in rows) == sorted(order), f"ss inodes {rows} != {order}")

    # The parent: one close_wait leak per connection, shared_with = children that still hold
    # it now (hold: child i and every later child, which inherited it; exit: none).
    leaks = c.wait_count(srv.pid, "leak", n)
    for r in leaks:
        i = order.index(r["inode"])
        want = sorted(children[i:]) if mode == "hold" else []
        check(r["kind"] == "close_wait" and r["role"] == "accepted" and r["inherited"] is False
              and r["fd"] == socks[r["inode"]] and r["fds"] == [r["fd"]],
              f"parent leak fields: {brief(r)}")
        check(sorted(r["shared_with"]) == want,
              f"parent leak of connection {i + 1}: shared_with {r['shared_with']}, want {want} "
              f"(children {children}, {'all still holding' if mode == 'hold' else 'all exited'}"
              f"): {brief(r)}")
        c.check_stack_names(srv.pid, r["open_stack"], ["accept_connection", "main"],
                            "open_stack")

    # The parent's fork records: the listener and every connection accepted so far.
    forks = c.recs(srv.pid, "fork")
    check([f["child"] for f in forks] == children, f"fork records {briefs(forks)} != {children}")
    for i, f in enumerate(forks):
        want = sorted([(lfd, lino)] + [(socks[ino], ino) for ino in order[:i + 1]])
        got = sorted((s["fd"], s["inode"]) for s in f["sockets"])
        check(got == want, f"fork {i + 1} sockets {got}, want {want}")
        c.check_stack_names(srv.pid, f["stack"], ["main"], "fork stack")

    if mode == "hold":
        # Each child holds its own connection and inherited the earlier ones: child i leaks
        # i sockets, each inherited, shared with the parent (which holds them all).
        for i, cp in enumerate(children):
            cl = c.wait_count(cp, "leak", i + 1)
            check(sorted(r["inode"] for r in cl) == sorted(order[:i + 1]),
                  f"child {i + 1} leaks {briefs(cl)}, want inodes {order[:i + 1]}")
            for r in cl:
                check(r["inherited"] is True and r["shared_with"] == [srv.pid]
                      and r["kind"] == "close_wait", f"child {i + 1} leak: {brief(r)}")
            os.kill(cp, signal.SIGUSR1)
        for i in range(n):
            srv.expect("reaped", nth=i + 1)

    # Each child closed the listener and its connection while the parent held both: one
    # close_shared, for the connection; a listener has no FIN to hold back (issue 12).
    for i, cp in enumerate(children):
        st = c.recs(cp, "start")
        check(len(st) == 1 and st[0].get("origin") == "fork" and st[0].get("ppid") == srv.pid,
              f"child {cp} start records: {st}")
        cs = c.recs(cp, "close_shared")
        got = sorted((r["fd"], r["inode"]) for r in cs)
        want = [(socks[order[i]], order[i])]
        check(got == want, f"child {i + 1} close_shared {briefs(cs)}: (fd, inode) {got} != "
              f"{want}")
        for r in cs:
            check(r["remaining_fds"] == [] and r["shared_with"] == [srv.pid],
                  f"child {i + 1} close_shared names {r['shared_with']}/{r['remaining_fds']}, "
                  f"want [{srv.pid}]/[]: {brief(r)}")
        check_exit(c, cp, leaked=(i + 1 if mode == "hold" else 0))
    check(srv.finish() == 0, "server exit status")
    check(len(c.recs(srv.pid, "leak")) == n, "exit-time scan added leak records")
    check_exit(c, srv.pid, leaked=n, enforced=0)


def case_fork_server_children_exited(c):
    """Children close and exit; the parent leaks: shared_with [] (nobody else holds them)."""
    fork_server(c, "exit")


def case_fork_server_children_holding(c):
    """Children still hold the sockets: shared_with names exactly the children holding each."""
    fork_server(c, "hold")


def case_exec_helper_inherits(c):
    """fork + exec of a helper with an inherited accepted socket (no CLOEXEC)."""
    helper = os.path.join(c.run.bindir, "sh_helper")
    par = c.spawn(["sh_exec_parent", helper])
    port = par.port()
    cli = c.connect(port)
    par.expect("sock")
    (ino, fd), = par.socks().items()
    child = int(par.expect("forked")[1])
    check(int(par.expect("helper-ready")[1]) == child, "helper pid")
    par.send("close")
    check(par.expect("closed")[1] == "0", "parent close() of its copy failed")
    cli.sendall(b"req\n")
    check(cli.recv(64) == b"helper\n", "helper reply")
    cli.close()
    par.expect("helper-eof")
    lfd, lino = int(par.expect("listener")[1]), int(par.expect("listener")[2])

    # The child's exec record, written before the exec: the listener (CLOEXEC) and the
    # connection (crosses).
    ex = c.wait_count(child, "exec", 1)[0]
    got = sorted((s["fd"], s["inode"], s["cloexec"]) for s in ex["sockets"])
    want = sorted([(lfd, lino, True), (fd, ino, False)])
    check(got == want, f"exec record sockets {got}, want {want}: {brief(ex)}")
    check(ex["path"] == helper, f"exec path {ex['path']!r}")
    c.check_stack_names(child, ex["stack"], ["exec_helper", "main"], "exec stack")

    # The parent's close of its copy: the child still held it.
    cs = c.wait_count(par.pid, "close_shared", 1)[0]
    check(cs["fd"] == fd and cs["inode"] == ino and cs["remaining_fds"] == []
          and cs["shared_with"] == [child], f"parent close_shared: {brief(cs)}, want "
          f"shared_with [{child}]")

    # The helper: a new image (start origin exec), leaks the inherited socket.
    lk = c.wait_count(child, "leak", 1)[0]
    starts = [r.get("origin") for r in c.recs(child, "start")]
    check(starts == ["fork", "exec"], f"start records of {child}: {starts}")
    check(lk["inode"] == ino and lk["fd"] == fd and lk["kind"] == "eof_unclosed"
          and lk["role"] == "inherited" and lk["inherited"] is True
          and lk["open_stack"] is None, f"helper leak: {brief(lk)}")
    c.check_stack_names(child, lk["eof_stack"], ["helper_serve", "main"], "eof_stack")
    # The parent closed its copy long before: nobody else holds the socket.
    check(lk["shared_with"] == [], f"helper leak shared_with {lk['shared_with']}, want [] "
          f"(parent {par.pid} closed its copy before the report): {brief(lk)}")
    os.kill(child, signal.SIGUSR1)
    c.wait_for(lambda: pid_gone(child), 10, "helper exit")
    check(par.finish() == 0, "parent exit status")
    check_exit(c, child, leaked=1)
    check(not c.recs(par.pid, "leak"), f"parent leaks: {briefs(c.recs(par.pid, 'leak'))}")


def case_dup_outlives_original(c):
    """dup() and F_DUPFD_CLOEXEC copies outlive the originals: close_shared, then their leak."""
    srv = c.spawn(["sh_dup"])
    port = srv.port()
    c1 = c.connect(port)
    c2 = c.connect(port)
    srv.expect("duped")
    dups = [(int(w[1]), int(w[2]), w[3]) for w in srv.all("dup")]
    check([d[2] for d in dups] == ["0", "0"], f"close of the originals: {dups}")
    socks = srv.socks()
    fd_ino = {fd: ino for ino, fd in socks.items()}
    cs = c.wait_count(srv.pid, "close_shared", 2)
    for (orig, dupfd, _), r in zip(dups, sorted(cs, key=lambda r: r["ts_ns"])):
        check(r["fd"] == orig and r["inode"] == fd_ino[dupfd] and r["remaining_fds"] == [dupfd]
              and r["shared_with"] == [], f"close_shared of {orig} (dup {dupfd}): {brief(r)}")
        c.check_stack_names(srv.pid, r["stack"], ["main"], "close_shared stack")
    c1.close()
    c2.close()
    srv.expect("eof", nth=2)
    leaks = c.wait_count(srv.pid, "leak", 2)
    for r in leaks:
        check(r["inode"] in socks and r["fd"] == socks[r["inode"]] and r["fds"] == [r["fd"]]
              and r["kind"] == "eof_unclosed" and r["role"] == "accepted"
              and r["shared_with"] == [] and r["inherited"] is False,
              f"leak of a dup: {brief(r)} (dups {socks})")
        c.check_stack_names(srv.pid, r["eof_stack"], ["read_until_eof", "main"], "eof_stack")
    check(srv.finish() == 0, "exit status")
    check_exit(c, srv.pid, leaked=2)


def case_scm_rights_received(c):
    """A socket passed over SCM_RIGHTS is tracked in the receiver (role received) and leaks."""
    p = c.spawn(["sh_scm"])
    recv_pid = int(p.expect("receiver")[1])
    port = p.port()
    cli = c.connect(port)
    check(p.expect("sent")[2] == "0", "sender close")
    (ino, fd), = c.wait_for(lambda: p.socks() or None, 10, "receiver's sock line").items()
    cli.sendall(b"req\n")
    check(cli.recv(64) == b"recv\n", "receiver reply")
    cli.close()
    p.expect("recv-eof")
    lk = c.wait_count(recv_pid, "leak", 1)[0]
    check(lk["inode"] == ino and lk["fd"] == fd and lk["role"] == "received"
          and lk["kind"] == "eof_unclosed" and lk["inherited"] is False
          and lk["shared_with"] == [],
          f"receiver leak: {brief(lk)} (want fd {fd} inode {ino} role received)")
    check(lk["local"] == f"127.0.0.1:{port}", f"local {lk['local']}")
    c.check_stack_names(recv_pid, lk["open_stack"], ["receive_fd"], "open_stack")
    check(p.finish() == 0, "sender exit status")
    c.wait_for(lambda: pid_gone(recv_pid), 10, "receiver exit")
    check_exit(c, recv_pid, leaked=1)
    check(not c.recs(p.pid, "leak"), f"sender leaks: {briefs(c.recs(p.pid, 'leak'))}")


def case_scm_rights_to_self_before_identity(c):
    """A socket accepted and sent to ourselves at once, before any scan took its identity
    (taken lazily: fdtable.h): the received descriptor joins the same record, so closing the
    first writes close_shared naming the second, and the leak of the second carries the
    accept's stack."""
    p = c.spawn(["sh_scm", "self"])
    port = p.port()
    cli = c.connect(port)
    (ofd, oino), (rfd, rino) = [(int(w[1]), int(w[2])) for w in (p.expect("sock", nth=1),
                                                                p.expect("sock", nth=2))]
    check(oino == rino and ofd != rfd, f"the program's own view: {ofd}/{oino}, {rfd}/{rino}")
    check(p.expect("closed")[2] == "0", "close of the original")
    cs = c.wait_count(p.pid, "close_shared", 1)[0]
    check(cs["fd"] == ofd and cs["inode"] == oino and cs["remaining_fds"] == [rfd]
          and cs["shared_with"] == [], f"close_shared: {brief(cs)} (want fd {ofd} inode "
          f"{oino} remaining [{rfd}])")
    cli.sendall(b"req\n")
    check(cli.recv(64) == b"recv\n", "reply")
    cli.close()
    p.expect("recv-eof")
    lk = c.wait_count(p.pid, "leak", 1)[0]
    check(lk["inode"] == oino and lk["fd"] == rfd and lk["fds"] == [rfd]
          and lk["role"] == "accepted" and lk["kind"] == "eof_unclosed",
          f"leak: {brief(lk)} (want fd {rfd} inode {oino} role accepted)")
    c.check_stack_names(p.pid, lk["open_stack"], ["accept_connection"], "open_stack")
    check(p.finish() == 0, "exit status")
    check_exit(c, p.pid, leaked=1)


def closeall_sequence(c, preload):
    """Runs sh_closeall through every way of closing all; returns its result lines."""
    acc = Acceptor()
    try:
        p = c.spawn(["sh_closeall", acc.port], name=f"closeall-{int(preload)}", preload=preload)
        p.expect("ready")
        out, logfd, nleak = [], None, 0

        def leak():
            nonlocal nleak
            p.send("leak")
            nleak += 1
            w = p.expect("leaked", nth=nleak)
            if preload:
                lk = c.wait_count(p.pid, "leak", nleak)
                check(any(r["inode"] == int(w[2]) and r["fd"] == int(w[1]) for r in lk),
                      f"no leak record for fd {w[1]} inode {w[2]}: {briefs(lk)}")

        def fds_left(what):
            links = proc_fd_links(p.pid)
            # The preload's own descriptors sit at PRELOAD_FD_BASE and above (log.c).
            mine = {f: l for f, l in links.items() if 2 < f < PRELOAD_FD_BASE}
            if preload:
                logs = [f for f, l in links.items() if l == f"{c.prefix}.{p.pid}"]
                check(len(logs) == 1 and logs[0] == logfd,
                      f"after {what}: log descriptor {logfd} gone or moved: {links}")
            check(not mine, f"after {what}: descriptors survived: {mine}")

        leak()
        if preload:
            logfd = [f for f, l in proc_fd_links(p.pid).items()
                     if l == f"{c.prefix}.{p.pid}"]
            check(len(logfd) == 1, "log file not open after the first leak record")
            logfd = logfd[0]
        for cmd, word in (("close_range", "close_range"), ("closefrom", "closefrom"),
                          ("closeloop", "closeloop")):
            p.send(cmd)
            out.append(" ".join(p.expect(word)))
            fds_left(cmd)
            nprobe = len(out) // 2 + 1
            p.send("probe")
            out.append(" ".join(p.expect("probe", nth=nprobe)))
            leak()
        check(p.finish() == 0, f"{p.name} exit status")
        if preload:
            check_exit(c, p.pid, leaked=4)
            starts = c.recs(p.pid, "start")
            check(len(starts) == 1, f"the log was reopened: {len(starts)} start records")
        return out
    finally:
        acc.close()


def case_close_all_keeps_log(c):
    """close_range, closefrom and a close() loop up to RLIMIT_NOFILE: the log survives, every
    leak after them is logged, and the program sees exactly what it sees without the preload."""
    native = closeall_sequence(c, False)
    pre = closeall_sequence(c, True)
    check(native == pre, f"the program saw different results under the preload:\n"
          f"    native:  {native}\n    preload: {pre}")


def case_dup2_onto_tracked_and_log(c):
    """dup2 onto a leaked socket closes it (late_close); dup2 onto the log's number keeps the
    log working and writes nothing into the program's socket."""
    acc = Acceptor(keep=True)
    try:
        p = c.spawn(["sh_dup2", acc.port, c.prefix])
        p.expect("ready")
        p.send("connect")
        p.expect("sock", nth=2)
        (s1, i1), (s2, i2) = [(int(w[1]), int(w[2])) for w in p.all("sock")]
        c.wait_for(lambda: len(acc.accepted) == 2, 5, "two connections")
        a1, a2 = acc.accepted
        # Match driver-side sockets to program sockets by port.
        if a1.getpeername()[1] != int(proc_peer_port(p.pid, s1)):
            a1, a2 = a2, a1
        a2.close()
        p.send("eof2")
        p.expect("eof2")
        c.wait_count(p.pid, "leak", 1, inode=i2)
        p.send("dup2")
        check(p.expect("dup2")[1] == str(s2), "dup2 result")
        lc = c.wait_count(p.pid, "late_close", 1)[0]
        check(lc["fd"] == s2 and lc["inode"] == i2 and lc["kind"] == "eof_unclosed",
              f"implicit close by dup2: {brief(lc)}")
        c.wait_for(lambda: not [r for r in ss_rows("close-wait", f"dport = :{acc.port}")
                                if r[2] == i2], 5, "the replaced socket to leave CLOSE_WAIT")
        check(proc_fd_links(p.pid)[s2] == f"socket:[{i1}]", "dup2 target")
        p.send("close1")
        check(p.expect("close1")[1] == "0", "close(s1)")
        cs = c.wait_count(p.pid, "close_shared", 1)[0]
        check(cs["fd"] == s1 and cs["inode"] == i1 and cs["remaining_fds"] == [s2]
              and cs["shared_with"] == [], f"close of the original after dup2: {brief(cs)}")
        a1.close()
        p.send("eof1")
        p.expect("eof1")
        lk = c.wait_count(p.pid, "leak", 1, inode=i1)[0]
        check(lk["fd"] == s2 and lk["fds"] == [s2], f"leak through the dup2 copy: {brief(lk)}")

        # dup2 onto the log's descriptor number.
        p.send("dup2log")
        w = p.expect("dup2log")
        logfd, r, s3, i3, cr, wr = (int(x) for x in w[1:7])
        check(r == logfd and cr == 0 and wr == 6, f"dup2/close/write onto the log fd: {w}")
        links = proc_fd_links(p.pid)
        check(links.get(logfd) == f"socket:[{i3}]", f"fd {logfd} is {links.get(logfd)}")
        moved = [f for f, l in links.items() if l == f"{c.prefix}.{p.pid}"]
        check(len(moved) == 1 and moved[0] != logfd, f"log descriptor after eviction: {links}")
        cs = c.wait_count(p.pid, "close_shared", 1, inode=i3)[0]
        check(cs["fd"] == s3 and cs["remaining_fds"] == [logfd], f"close of s3: {brief(cs)}")
        a3 = c.wait_for(lambda: len(acc.accepted) == 3 and acc.accepted[2], 5, "third conn")
        a3.settimeout(5)
        got = b""
        while len(got) < 6:
            chunk = a3.recv(4096)
            if not chunk:
                break
            got += chunk
        a3.close()
        p.send("eof3")
        p.expect("eof3")
        lk = c.wait_count(p.pid, "leak", 1, inode=i3)[0]
        check(lk["fd"] == logfd, f"leak on the log's old number: {brief(lk)}")
        check(got == b"hello\n", f"the program's socket received {got!r}, want b'hello\\n' "
              f"(log records leaked into it?)")
        check(p.finish() == 0, "exit status")
        check(len(c.recs(p.pid, "start")) == 1, "log reopened")
        check_exit(c, p.pid, leaked=3)
    finally:
        acc.close()


def proc_peer_port(pid, fd):
    """The local port of fd in pid, through ss (by inode)."""
    ino = int(proc_fd_links(pid)[fd][8:-1])
    for r in ss_rows("established", ""):
        if r[2] == ino:
            return r[0].rsplit(":", 1)[1]
    raise Fail(f"socket {ino} not in ss")


def case_vfork_child_touches_nothing(c):
    """vfork children close the parent's sockets and dup2 over stdout, then exec: no record
    comes from them, the parent's tables are untouched (no close_shared, no lost socket), and
    the parent's CLOSE_WAIT leak is reported once, as without the vforks."""
    srv = c.spawn(["sh_vfork"])
    port = srv.port()
    cli = c.connect(port)
    srv.expect("sock")
    (ino, fd), = srv.socks().items()
    check(srv.expect("spawned")[1] == "5", "vfork rounds")
    cli.close()
    lk = c.wait_count(srv.pid, "leak", 1)[0]
    check(lk["inode"] == ino and lk["fd"] == fd and lk["kind"] == "close_wait"
          and lk["fds"] == [fd], f"parent's leak: {brief(lk)}")
    c.quiet(4 * SCAN_MS / 1000)
    others = [r for r in c.recs() if r["pid"] != srv.pid]
    check(not others, f"records from vfork children: {briefs(others)}")
    check(not c.recs(srv.pid, "close_shared"), f"children's closes changed the parent's tables: "
          f"{briefs(c.recs(srv.pid, 'close_shared'))}")
    check(len(c.recs(srv.pid, "leak")) == 1, f"leaks: {briefs(c.recs(srv.pid, 'leak'))}")
    check(srv.finish() == 0, "server exit status")


def case_failed_exec_leaves_no_record(c):
    """Execs that fail (ENOENT, EACCES, a PATH search that finds nothing, one with the
    environment cleared, a posix_spawn) with a tracked socket open write no `exec` or `exec_untracked` record:
    no program ran to get the socket. The exec that succeeds afterwards writes its record."""
    srv = c.spawn(["sh_exec_fail"])
    port = srv.port()
    cli = c.connect(port)
    srv.expect("sock")
    (ino, fd), = srv.socks().items()
    check(srv.expect("failed")[1] == "5", "the five execs did not fail as expected")
    check(srv.finish() == 0, "exit status of /bin/true")
    cli.close()
    ex = c.recs(srv.pid, "exec")
    check([r["path"] for r in ex] == ["/bin/true"],
          f"exec records {briefs(ex)}, want only the one of /bin/true")
    check((fd, ino, False) in [(s["fd"], s["inode"], s["cloexec"]) for s in ex[0]["sockets"]],
          f"exec record lacks the accepted socket {fd}: {brief(ex[0])}")
    un = c.recs(srv.pid, "exec_untracked")
    check(not un, f"exec_untracked records of failed execs: {briefs(un)}")


CASES = [
    ("fork_server_children_exited", case_fork_server_children_exited),
    ("fork_server_children_holding", case_fork_server_children_holding),
    ("exec_helper_inherits", case_exec_helper_inherits),
    ("dup_outlives_original", case_dup_outlives_original),
    ("scm_rights_received", case_scm_rights_received),
    ("scm_rights_to_self_before_identity", case_scm_rights_to_self_before_identity),
    ("close_all_keeps_log", case_close_all_keeps_log),
    ("dup2_onto_tracked_and_log", case_dup2_onto_tracked_and_log),
    ("vfork_child_touches_nothing", case_vfork_child_touches_nothing),
    ("failed_exec_leaves_no_record", case_failed_exec_leaves_no_record),
]

if __name__ == "__main__":
    sys.exit(main("sharing", __doc__, CASES, GRACE_MS, SCAN_MS))
