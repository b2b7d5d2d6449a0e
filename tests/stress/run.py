#!/usr/bin/env python3
"""Issue 7: stress under LD_PRELOAD=libsockleak.so, each case bounded in time (a case that
does not finish in time is a failure: a deadlock or a lost process).

- signals whose handlers call close() and read() land inside wrappers while two threads do
  socket I/O: no crash, no deadlock, no I/O error, every log line valid JSON;
- fork() hundreds of times while other threads open, dup and close sockets: every child exits;
- many threads churn descriptors while the watchdog scans every 10 ms: exact close_shared and
  exit counts, no error;
- a socket at descriptor 70000 is reported with fd 70000;
- running out of descriptors: the program sees exactly what it sees without the preload, and
  the leak it keeps afterwards is still logged;
- no memory for sockleak's tables (RLIMIT_AS at what is mapped): the program sees what it sees
  without the preload, sockleak says so once and counts what it could not track, and tracks
  again once memory is back;
- the watchdog's raw thread: glibc stays single-threaded, the thread's errno is its own, a
  program that starts threads later or changes its uid/gid is still watched, with the
  watchdog moved to the new credentials;
- every line of every log file, and of a log on a pipe shared by many processes, is one JSON
  object (checked for every case by harness.py, and by the last case for the pipe);
- a connection that closes before the next scan costs no syscall of sockleak's (its identity,
  the inode, is taken lazily: strace -f -c, differenced between two run sizes).

Usage: run.py --bin BUILD/tests/stress --lib /abs/libsockleak.so [--results FILE] [--only
NAMES] [--keep]. Standard library only."""

import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from harness import Fail, Skip, brief, briefs, check, main  # noqa: E402
import logformat  # noqa: E402

GRACE_MS, SCAN_MS = 300, 50
# Signals the handlers must have run for the signal case to count as stress (stress.mk sets
# a lower floor for TSan builds, and says why).
MIN_SIGNALS = int(os.environ.get("STRESS_MIN_SIGNALS") or 10000)


def check_exit(c, pid, **want):
    ex = c.recs(pid, "exit")
    check(len(ex) == 1, f"expected one exit record from {pid}, got {briefs(ex)}")
    for k, v in want.items():
        check(ex[0].get(k) == v, f"exit record: {k}={ex[0].get(k)}, want {v}: {brief(ex[0])}")


def done_line(p, n, timeout):
    w = p.expect("done", timeout=timeout)
    check(len(w) == n + 1, f"done line {w}")
    return [int(x) for x in w[1:]]


def case_signals_in_wrappers(c):
    """SIGUSR1/SIGUSR2 storms into two I/O threads; handlers call dup/close/read."""
    p = c.spawn(["st_signals", 20000, MIN_SIGNALS])
    rounds, nsig, herr, ioerr = done_line(p, 4, 60)
    check(herr == 0 and ioerr == 0, f"handler errors {herr}, I/O errors {ioerr}")
    check(nsig >= MIN_SIGNALS, f"only {nsig} signals were handled in 30 s, want "
          f"{MIN_SIGNALS}: the test did not stress anything")
    check(p.wait(20) == 0, f"exit status {p.p.returncode}")
    cs = c.recs(p.pid, "close_shared")
    check(len(cs) <= nsig, f"{len(cs)} close_shared records for {nsig} handler closes")
    # Every handler close is of a dup of the one handler socket, whose fd stays open: the
    # record names that socket and keeps its fd (plus, when handlers on the two threads
    # overlap, the other handler's dup).
    hfd = {r["fd"] for r in cs} and min(r["remaining_fds"][0] for r in cs)
    odd = [r for r in cs if r["inode"] != cs[0]["inode"] or hfd not in r["remaining_fds"]
           or r["fd"] in r["remaining_fds"] or r["shared_with"] != []]
    check(not odd, f"handler close_shared records that name other sockets: {briefs(odd)}")
    leaks = c.recs(p.pid, "leak")
    check(len(leaks) <= 1 and all(r["kind"] == "eof_unclosed" for r in leaks),
          f"only the EOF socket the handlers read may leak: {briefs(leaks)}")
    print(f"  note: {rounds} rounds, {nsig} signals, {len(cs)} close_shared records written from handlers")


def case_fork_under_churn(c):
    """200 forks while 4 threads open/dup/close/connect: every child exits, none hangs."""
    p = c.spawn(["st_fork", 200, 4, 500])
    forks, hung, bad, ops = done_line(p, 4, 100)
    check(hung == 0, f"{hung} children hung (deadlock after fork): {p.all('hung')} "
          f"{p.all('hung-thread')}")
    check(bad == 0, f"{bad} children exited abnormally")
    check(ops > 0, "the churn threads did nothing")
    check(p.wait(20) == 0, f"exit status {p.p.returncode}")
    print(f"  note: {forks} forks, {ops} churn iterations meanwhile")


def churn_run(c, grace_ms):
    t, n, w = 8, 300, 4
    p = c.spawn(["st_churn", t, n, w], options=c.opts(grace_ms=grace_ms, scan_ms=10))
    conns, shared, errors = done_line(p, 3, 90)
    check(conns == t * n and errors == 0, f"served {conns} of {t * n}, {errors} errors")
    check(p.finish(20) == 0, "exit status")
    cs = c.recs(p.pid, "close_shared")
    check(len(cs) == shared, f"{len(cs)} close_shared records, want exactly {shared}")
    check(all(len(r["remaining_fds"]) == 1 and r["shared_with"] == [] for r in cs),
          f"close_shared fields: {briefs([r for r in cs if len(r['remaining_fds']) != 1])}")
    leaks, late = c.recs(p.pid, "leak"), c.recs(p.pid, "late_close")
    check(sorted(r["inode"] for r in late) == sorted(r["inode"] for r in leaks),
          f"{len(leaks)} leaks but {len(late)} late_close: every socket was closed")
    check_exit(c, p.pid, tracked=1 + 2 * t * n, open=1, leaked=len(leaks))
    return len(leaks)


def case_thread_churn_watchdog(c):
    """8 client + 4 server threads, 2400 connections with dup/F_DUPFD, watchdog every 10 ms:
    exact close_shared and exit counts; with a long grace period no leak at all, with
    grace_ms=0 every report followed by its late_close."""
    n = churn_run(c, 60000)
    check(n == 0, f"{n} leaks reported under a 60 s grace period")
    n = churn_run(c, 0)
    print(f"  note: grace_ms=0: {n} reports, each with its late_close")


def high_fd(c, arg):
    p = c.spawn(["st_highfd"] + arg)
    c.wait_for(lambda: p.all("skip") or p.all("limit") or p.p.poll() is not None, 10,
               "the limit line")
    if p.all("skip"):
        raise Skip(" ".join(p.all("skip")[0][1:]))
    orig, cr = (int(x) for x in p.expect("closed")[1:3])
    high, ino = (int(x) for x in p.expect("sock")[1:3])
    check(high >= (70000 if not arg else 1000), f"fd {high}")
    p.expect("eof")
    cs = c.wait_count(p.pid, "close_shared", 1)[0]
    check(cs["fd"] == orig and cs["inode"] == ino and cs["remaining_fds"] == [high] and cr == 0,
          f"close_shared of the original: {brief(cs)}")
    lk = c.wait_count(p.pid, "leak", 1)[0]
    check(lk["fd"] == high and lk["fds"] == [high] and lk["inode"] == ino
          and lk["kind"] == "eof_unclosed", f"leak at 70000: {brief(lk)}")
    check(p.finish() == 0, "exit status")
    check_exit(c, p.pid, leaked=1)
    print(f"  note: fd {high}")


def case_fd_above_65536(c):
    """dup2 of a TCP socket to fd 70000: close_shared names 70000, the leak is fd 70000.
    Skipped when the hard RLIMIT_NOFILE is below 70001 and cannot be raised."""
    high_fd(c, [])


def case_fd_at_rlimit_max(c):
    """The same at the highest descriptor the hard limit allows (19999 with a 20000 limit)."""
    high_fd(c, ["max"])


def case_emfile_same_as_native(c):
    """RLIMIT_NOFILE 128, socket() until EMFILE: identical results with and without the
    preload; then the socket kept after EOF is still reported at exit."""
    nat = c.spawn(["st_emfile", 128], name="native", preload=False)
    want = nat.expect("emfile")
    check(nat.finish() == 0, "native exit status")
    check(int(want[2]) == 24, f"native run did not hit EMFILE: {want}")
    # scan_ms at its maximum: no watchdog scan (and none of its transient descriptors) during
    # the run, so the descriptor budget is the program's alone.
    p = c.spawn(["st_emfile", 128], options=c.opts(scan_ms=3600000))
    got = p.expect("emfile")
    check(got == want, f"the program saw different results under the preload:\n"
          f"    native:  {want}\n    preload: {got}  (emfile N ERRNO DUP DUPERRNO OPEN "
          f"OPENERRNO CLOSE_D CLOSED_OK)")
    sfd, sino = (int(x) for x in p.expect("sock")[1:3])
    check(p.finish() == 0, "exit status")
    leaks = c.recs(p.pid, "leak")
    check(len(leaks) == 1 and leaks[0]["inode"] == sino and leaks[0]["fd"] == sfd
          and leaks[0]["kind"] == "exit_open",
          f"after EMFILE the kept socket must still be reported at exit; leaks: "
          f"{briefs(leaks) or 'none'}; sockleak said: "
          f"{[l for l in p.stderr().splitlines() if l.startswith('sockleak: ')][:2]}")


def case_log_on_shared_pipe_is_json_lines(c):
    """log_path=stderr, a pipe shared by a parent, its threads and 60 forked children writing
    at once (stack_depth=64): every line that is not the human summary is one JSON object."""
    p = c.spawn(["st_fork", 60, 4, 500], stderr_pipe=True,
                options=f"grace_ms=0:scan_ms=10:stack_depth=64:log_path=stderr")
    forks, hung, bad, ops = done_line(p, 4, 100)
    check(hung == 0 and bad == 0, f"hung {hung}, bad {bad}: {p.all('hung-thread')}")
    check(p.wait(20) == 0, "exit status")
    p.err_thread.join(10)
    data = bytes(p.err_data)
    bad_lines, n = [], 0
    for i, line in enumerate(data.split(b"\n")[:-1], 1):
        s = line.decode("utf-8", "replace")
        if s.startswith("==") or s.startswith("SUMMARY: ") or s.startswith("sockleak: ") \
                or s.startswith("        #"):
            continue
        try:
            logformat.checked(json.loads(s), f"line {i}", Fail)
            n += 1
        except ValueError:
            bad_lines.append(f"line {i}: {s[:200]!r}")
        except Fail as e:
            bad_lines.append(str(e)[:300])
    check(data.endswith(b"\n") or not data, f"log ends mid-line: {data[-200:]!r}")
    check(not bad_lines, f"{len(bad_lines)} interleaved or broken lines of "
          f"{n + len(bad_lines)}: {bad_lines[:3]}")
    print(f"  note: {n} records on the shared pipe, all whole")


def rthread_start(c, options):
    p = c.spawn(["st_rthread"] + (["setid"] if "setid" in options else []),
                options=c.opts(**options.get("opts", {})))
    tasks, single, sanitized = (int(x) for x in p.expect("watchdog")[1:4])
    check(tasks == 2, f"{tasks} tasks once the watchdog runs, want 2 (the program's, ours)")
    return p, single, sanitized


def check_errno_and_leak(c, p):
    e = int(p.expect("errno", timeout=10)[1])
    check(e == 4242, f"the program's errno became {e} while the watchdog failed a dup "
          f"(EBADF is 9): the watchdog thread writes the program's errno")
    fd, ino = (int(x) for x in p.expect("sock", timeout=10)[1:3])
    lk = c.wait_count(p.pid, "leak", 1, inode=ino)[0]
    check(lk["kind"] == "eof_unclosed" and lk["fd"] == fd, f"leak: {brief(lk)}")


def case_raw_watchdog_thread(c):
    """A single-threaded program keeps glibc single-threaded under the watchdog (a pthread
    with raw_thread=0, or in a sanitizer build); the watchdog's errno is its own; a thread the
    program starts later, and its leak, change nothing."""
    p, single, sanitized = rthread_start(c, {})
    check(single == (0 if sanitized else 1),
          f"__libc_single_threaded is {single} with the watchdog running"
          f"{' (sanitizer build: a pthread)' if sanitized else ''}")
    check_errno_and_leak(c, p)
    check(int(p.expect("threaded")[1]) == 0, "glibc still single-threaded after pthread_create")
    check(p.finish() == 0, "exit status")
    p, single, _ = rthread_start(c, {"opts": {"raw_thread": 0}})
    check(single == 0, "raw_thread=0: the watchdog is a pthread, glibc multi-threaded")
    check(p.finish() == 0, "exit status")


def case_raw_watchdog_setid(c):
    """setgroups/setresgid/setresuid to 65534 (root only): every task of the process, the
    watchdog's included, has the new ids, and leaks are still reported after the change."""
    if os.geteuid() != 0:
        raise Skip("needs root to change uid")
    p, _, _ = rthread_start(c, {"setid": 1})
    e = int(p.expect("errno", timeout=10)[1])
    check(e == 4242, f"the program's errno became {e}")
    # A first leak, so the log file is open before the program may no longer open it.
    ino = int(p.expect("sock", timeout=10)[2])
    c.wait_count(p.pid, "leak", 1, inode=ino)
    p.send("go")
    w = p.expect("creds", timeout=15)
    check(w[1] == "ok" and int(w[2]) == 2,
          f"after set*id: {w}, {p.all('creds')}: a task kept the old credentials, or the "
          f"watchdog did not come back")
    fd, ino = (int(x) for x in p.expect("sock", timeout=10, nth=2)[1:3])
    lk = c.wait_count(p.pid, "leak", 1, inode=ino)[0]
    check(lk["fd"] == fd, f"leak after set*id: {brief(lk)}")
    check(p.finish() == 0, "exit status")


def case_perf_map_read_blocks_no_record(c):
    """A perf map of 48 MiB: the watchdog names the leak's JIT frame from it (st_jit_stub, the
    map's last line), and meanwhile another thread's close() that writes a close_shared record
    is never held back for the read (it was, under the log lock, for the whole of it)."""
    p = c.spawn(["st_perfmap", c.prefix])
    try:
        read_ms = int(p.expect("read_ms", timeout=30)[1])
        p.expect("sock", timeout=30)
        n, max_us = (int(x) for x in p.expect("closes", timeout=60)[1::2])
        check(p.finish() == 0, "exit status")
    finally:
        if os.path.exists(f"/tmp/perf-{p.pid}.map"):
            os.unlink(f"/tmp/perf-{p.pid}.map")
    lk = c.wait_count(p.pid, "leak", 1)[0]
    c.check_stack_names(p.pid, lk["open_stack"], ["st_jit_stub", "serve_leak"],
                        "the leak's open_stack")
    check(len(c.recs(p.pid, "close_shared")) == n, f"{n} closes of a shared connection")
    print(f"  note: the map read in {read_ms} ms; {n} closes, the slowest {max_us} us")
    # This program's own read of the map is the scale (the preload's, which parses more, took
    # 5x as long: a close waited 250 ms where this read took 45): a loaded machine may stall a
    # close for a few ms, and load slows both alike.
    check(max_us < max(read_ms, 20) * 2000,
          f"a close() took {max_us} us while the map was read (this program reads it in "
          f"{read_ms} ms)")


def case_tables_out_of_memory(c):
    """RLIMIT_AS at what is mapped, 3000 connections made and closed: the same results as
    without the preload, one stderr line, the exit record counts the untracked sockets, and a
    leak made after the limit is lifted is reported."""
    nat = c.spawn(["st_nomem", 3000], name="native", preload=False)
    c.wait_for(lambda: nat.all("skip") or nat.all("warm") or nat.p.poll() is not None, 10,
               "the warm-up line")
    if nat.all("skip"):
        raise Skip(" ".join(nat.all("skip")[0][1:]))
    want = nat.expect("made", timeout=30)
    check(int(want[1]) >= 500 and want[2:] == ["0", "0"], f"native run: {want}")
    check(nat.finish() == 0, "native exit status")
    p = c.spawn(["st_nomem", 3000])
    p.expect("warm")
    got = p.expect("made", timeout=30)
    check(got == want, f"the program saw different results under the preload: {got} != {want}")
    fd, ino = (int(x) for x in p.expect("sock")[1:3])
    lk = c.wait_count(p.pid, "leak", 1, inode=ino)[0]
    check(lk["fd"] == fd and lk["kind"] == "eof_unclosed", f"leak after the limit: {brief(lk)}")
    check(p.finish() == 0, "exit status")
    said = [l for l in p.stderr().splitlines() if "no memory for its socket tables" in l]
    check(len(said) == 1, f"want one line about the tables, got {said}")
    ex = c.recs(p.pid, "exit")
    check(len(ex) == 1 and ex[0].get("untracked", 0) > 0,
          f"exit record: {briefs(ex)} {ex[0].get('untracked') if ex else None} untracked")
    print(f"  note: {ex[0]['untracked']} of {ex[0]['tracked'] + ex[0]['untracked']} sockets "
          f"untracked while no memory could be mapped")


def strace_counts(c, k, preload):
    """{syscall: calls} of one st_short run of k connections, all tasks (strace -f -c)."""
    out = os.path.join(c.dir, f"strace.{'p' if preload else 'n'}.{k}")
    argv = ["strace", "-f", "-c", "-o", out]
    if preload:
        env = c.env(True, c.opts(scan_ms=3600000, report_at_exit=0))
        argv += ["-E", "LD_PRELOAD=" + env["LD_PRELOAD"], "-E",
                 "SOCKLEAK_OPTIONS=" + env["SOCKLEAK_OPTIONS"]]
    argv += [os.path.join(c.run.bindir, "st_short"), str(k)]
    r = subprocess.run(argv, env=c.env(False), capture_output=True, timeout=60)
    check(r.returncode == 0 and f"done {k}".encode() in r.stdout,
          f"st_short {k} ({'preloaded' if preload else 'native'}): rc {r.returncode}, "
          f"{r.stderr[-300:]!r}")
    calls = {}
    with open(out) as f:
        for line in f:
            w = line.split()
            # "% time seconds usecs/call calls [errors] syscall"
            if len(w) >= 5 and w[3].isdigit() and w[-1] != "total":
                calls[w[-1]] = int(w[3])
    return calls


def case_short_connections_add_no_syscalls(c):
    """K connections to ourselves, each accepted and closed at once: the preload adds no
    syscall per connection (it took fstat for the inode of each socket before; the inode is
    now taken when a socket lives through a scan, is shared, or is named in a record)."""
    if subprocess.run(["strace", "-V"], capture_output=True).returncode != 0:
        raise Skip("no strace")
    if c.run.preload_first:
        # The sanitizer's runtime is preloaded only in the second run, and its interceptor is
        # the first frame of every stack: the counts would measure it, not the library.
        raise Skip("a sanitizer build: its runtime's system calls are not the library's")
    k1, k2 = 20, 220
    n1, n2 = strace_counts(c, k1, False), strace_counts(c, k2, False)
    p1, p2 = strace_counts(c, k1, True), strace_counts(c, k2, True)
    added = {}
    for name in set(n1) | set(n2) | set(p1) | set(p2):
        d = ((p2.get(name, 0) - p1.get(name, 0)) - (n2.get(name, 0) - n1.get(name, 0))) / (k2 - k1)
        # A syscall per connection shows as >= 0.5 (one of each pair of sockets) and any
        # per-connection syscall on one connection in ten as 0.1; libunwind's own start-up
        # varies by a few calls between runs (mincore 3-5), which is 0.01-0.025 here.
        if abs(d) >= 0.1:
            added[name] = round(d, 2)
    check(not added, f"syscalls added per connection by the preload: {added} (want none)")


CASES = [
    ("signals_in_wrappers", case_signals_in_wrappers),
    ("fork_under_churn", case_fork_under_churn),
    ("thread_churn_watchdog", case_thread_churn_watchdog),
    ("fd_above_65536", case_fd_above_65536),
    ("fd_at_rlimit_max", case_fd_at_rlimit_max),
    ("emfile_same_as_native", case_emfile_same_as_native),
    ("log_on_shared_pipe_is_json_lines", case_log_on_shared_pipe_is_json_lines),
    ("tables_out_of_memory", case_tables_out_of_memory),
    ("raw_watchdog_thread", case_raw_watchdog_thread),
    ("raw_watchdog_setid", case_raw_watchdog_setid),
    ("short_connections_add_no_syscalls", case_short_connections_add_no_syscalls),
    ("perf_map_read_blocks_no_record", case_perf_map_read_blocks_no_record),
]

if __name__ == "__main__":
    sys.exit(main("stress", __doc__, CASES, GRACE_MS, SCAN_MS, case_timeout=110))
