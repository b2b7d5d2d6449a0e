"""Shared driver code for the real-process test groups (tests/*/run.py): programs under
LD_PRELOAD=libsockleak.so, judged by their JSON-lines logs (docs/log-format.md) and by the
kernel's view (ss).

A case runs in a fresh temporary log directory, waits with deadlines for what it expects (the
only sleeps are the "nothing more arrives" windows a negative assertion needs), asserts exact
counts and fields, and kills every process it started (each program leads its own process
group, so forked children and exec'd helpers go with it). Every log file of every case is
checked at the end of the case: every line a complete JSON object, every record as the log
format's table says (tests/lib/logformat.py: the library's own preload/logformat.h), its pid
the file's, a `stack` record before the first record naming it, at most one `leak` per
socket per process image.

The programs speak a line protocol on stdout ("port P", "sock FD INODE", progress words) and
take commands on stdin; they wait for stdin EOF (bounded) before a normal exit.
Standard library only."""

import argparse
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

import logformat

STACK_REFS = ("open_stack", "eof_stack", "last_io_stack", "stack")


class Fail(Exception):
    pass


class Skip(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Fail(msg)


def brief(rec):
    """A record shortened for failure messages."""
    keep = ("event", "pid", "kind", "fd", "fds", "inode", "tcp_state", "role", "shared_with",
            "inherited", "remaining_fds", "child", "sockets", "path", "result", "leaked",
            "enforced", "tracked", "open", "age_ms", "open_stack", "eof_stack", "local", "peer")
    return json.dumps({k: rec[k] for k in keep if k in rec}, separators=(",", ":"))


def briefs(recs, limit=8):
    out = "; ".join(brief(r) for r in recs[:limit])
    return out + (f"; ... ({len(recs)} in all)" if len(recs) > limit else "")


# --------------------------------------------------------------------------------------------
# Logs

class LogFile:
    """One PREFIX.PID file (or a captured stderr): the records that parsed and what did not."""

    def __init__(self, path, final, pid=None, text=None):
        self.path = path
        self.pid = pid if pid is not None else int(path.rsplit(".", 1)[1])
        self.records, self.bad = [], []
        if text is None:
            with open(path, "rb") as f:
                text = f.read()
        lines = text.split(b"\n")
        tail = lines.pop()
        if tail and final:
            self.bad.append(f"last line has no newline: {tail[:160]!r}")
        for i, line in enumerate(lines, 1):
            try:
                rec = json.loads(line.decode("utf-8"))
                if not isinstance(rec, dict):
                    raise ValueError("not an object")
                self.records.append(rec)
            except ValueError as e:
                self.bad.append(f"line {i} is not one JSON object ({e}): {line[:160]!r}")


CONTRACT_ROLES = ("accepted", "connected", "inherited", "other")


def _frame_errors(at, frames):
    """The first malformed frame of a stack record (docs/log-format.md), as one error: what
    the log format's table cannot say (its fields and types are checked against it)."""
    for fr in frames:
        if "lang" in fr:  # an interpreter's frame
            if not (fr["lang"] == "python" and isinstance(fr.get("file"), str)
                    and isinstance(fr.get("line"), int) and fr["ip"] is None
                    and fr["module"] is None and fr["offset"] is None):
                return [f"{at}: bad interpreter frame: {fr}"]
            continue
        if not (isinstance(fr["ip"], str) and fr["ip"].startswith("0x")
                and isinstance(fr["offset"], str) and fr["offset"].startswith("0x")):
            return [f"{at}: ip/offset not \"0x...\" strings: {fr}"]
    return []


def _leak_typed(r):
    """A leak record's values, for programs that only do plain TCP on loopback: what the log
    format's table cannot say (its fields, their types and the leak kinds are checked against
    it)."""
    return (r["inode"] > 0 and r["fd"] in r["fds"]
            and r["family"] in ("inet", "inet6") and r["role"] in CONTRACT_ROLES
            and r["age_ms"] >= 0)


def log_files(prefix, final=False):
    """{pid: LogFile} of the files PREFIX.PID that log_path=PREFIX gives ({} when none)."""
    d, base = os.path.split(prefix)
    out = {}
    try:
        names = sorted(os.listdir(d or "."))
    except OSError:
        return out
    for fn in names:
        if re.fullmatch(re.escape(base) + r"\.\d+", fn):
            lf = LogFile(os.path.join(d, fn), final)
            out[lf.pid] = lf
    return out


def log_records(prefix, pid=None, event=None):
    """The records of the files PREFIX.PID (of that pid only when given), of that event only
    when given, each checked against the log format's table (Fail naming what is wrong). A
    line still being written is not one yet."""
    return [logformat.checked(r, lf.path, Fail) for p, lf in log_files(prefix).items()
            if pid is None or p == pid for r in lf.records
            if event is None or r.get("event") == event]


def validate(log, per_pid=True, contract=False):
    """Errors in one log: JSON, every record against the log format's table (logformat.py),
    stacks before use, one leak per socket. With
    contract: also every frame's fields, each stack written once per program image, and every
    leak field's type (_leak_typed)."""
    errs = list(log.bad)
    stacks, leaks = set(), set()
    where = os.path.basename(log.path)
    for i, r in enumerate(log.records, 1):
        at = f"{where} record {i} ({r.get('event')})"
        # Every field and its type, frames included, against the table the library writes
        # from (preload/logformat.h); what follows checks what a table cannot say.
        fmt = logformat.problems(r)
        if fmt:
            errs += [f"{at}: {p}: {brief(r)}" for p in fmt]
            continue
        if per_pid and r["pid"] != log.pid:
            errs.append(f"{at}: pid {r['pid']} in the file of pid {log.pid}")
        if per_pid and i == 1 and r["event"] != "start":
            errs.append(f"{at}: first record is not `start`")
        key = r["pid"]
        if r["event"] == "start":
            # A new program image (exec) starts a new stack table and a new leak accounting.
            stacks = {s for s in stacks if s[0] != key}
            leaks = {s for s in leaks if s[0] != key}
            continue
        if r["event"] == "stack":
            sid = r.get("id")
            if not isinstance(sid, str) or not re.fullmatch(r"[0-9a-f]{16}", sid):
                errs.append(f"{at}: bad stack id {sid!r}")
            if not isinstance(r.get("frames"), list) or not r["frames"]:
                errs.append(f"{at}: no frames")
            elif contract:
                errs += _frame_errors(at, r["frames"])
            if contract and (key, sid) in stacks:
                errs.append(f"{at}: stack {sid} written again (once per distinct stack)")
            stacks.add((key, sid))
            continue
        for k in STACK_REFS:
            sid = r.get(k)
            if sid is not None and (key, sid) not in stacks:
                errs.append(f"{at}: {k} {sid!r} names no earlier stack record")
        if r["event"] == "leak":
            if contract and not _leak_typed(r):
                errs.append(f"{at}: leak field of wrong type or value: {json.dumps(r)}")
            if (key, r["inode"]) in leaks:
                errs.append(f"{at}: second leak record for inode {r['inode']}")
            leaks.add((key, r["inode"]))
    return errs


# --------------------------------------------------------------------------------------------
# Processes

def clean_env(extra=None, preload=()):
    """The environment for a program under test: this one without the preload's variables
    (LD_PRELOAD, SOCKLEAK_OPTIONS, LD_DEBUG*, which a test sets when it means to), then
    LD_PRELOAD of the preload list when one is given, then extra."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("LD_PRELOAD", "SOCKLEAK_OPTIONS") and not k.startswith("LD_DEBUG")}
    if preload:
        env["LD_PRELOAD"] = ":".join(preload)
    env.update(extra or {})
    return env


class Proc:
    """A program under test in its own process group: stdout lines with deadlines."""

    def __init__(self, case, argv, env, name, stderr_pipe=False):
        self.case, self.argv, self.name = case, argv, name
        self.err_path = os.path.join(case.dir, f"{name}.stderr")
        self.errf = open(self.err_path, "wb")
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE if stderr_pipe else self.errf,
                                  env=env, start_new_session=True)
        self.pid = self.p.pid
        self.buf, self.lines, self.eof = b"", [], False
        os.set_blocking(self.p.stdout.fileno(), False)
        self.err_data = bytearray()
        if stderr_pipe:
            # Drained all the time, so the program never blocks on a full pipe.
            self.err_thread = threading.Thread(target=self._drain_stderr, daemon=True)
            self.err_thread.start()

    def _drain_stderr(self):
        while True:
            try:
                chunk = os.read(self.p.stderr.fileno(), 65536)
            except OSError:
                return
            if not chunk:
                return
            self.err_data += chunk

    def _pump(self, timeout):
        if self.eof:
            return False
        r, _, _ = select.select([self.p.stdout], [], [], max(0.0, timeout))
        if not r:
            return False
        chunk = os.read(self.p.stdout.fileno(), 65536)
        if not chunk:
            self.eof = True
            return False
        self.buf += chunk
        while b"\n" in self.buf:
            line, self.buf = self.buf.split(b"\n", 1)
            self.lines.append(line.decode("utf-8", "replace"))
        return True

    def expect(self, prefix, timeout=10.0, nth=1):
        """The nth stdout line whose first word is prefix, split in words."""
        deadline = time.monotonic() + timeout
        while True:
            got = [l.split() for l in self.lines if l.split(" ", 1)[0] == prefix]
            if len(got) >= nth:
                return got[nth - 1]
            left = deadline - time.monotonic()
            if left <= 0 or (self.eof and not self._pump(0)):
                raise Fail(f"{self.name}: no {nth}th '{prefix}' line within {timeout}s "
                           f"(stdout tail {self.lines[-6:]}, rc {self.p.poll()}, "
                           f"stderr {self.stderr()[-400:]!r})")
            self._pump(min(left, 0.1))

    def pump(self):
        while self._pump(0):
            pass

    def all(self, prefix):
        self.pump()
        return [l.split() for l in self.lines if l.split(" ", 1)[0] == prefix]

    def port(self):
        return int(self.expect("port")[1])

    def socks(self):
        """{inode: fd} from the program's "sock FD INODE" lines."""
        return {int(w[2]): int(w[1]) for w in self.all("sock")}

    def send(self, line):
        self.p.stdin.write(line.encode() + b"\n")
        self.p.stdin.flush()

    def finish(self, timeout=15.0):
        try:
            self.p.stdin.close()
        except OSError:
            pass
        return self.wait(timeout)

    def wait(self, timeout=15.0):
        deadline = time.monotonic() + timeout
        while self.p.poll() is None:
            if time.monotonic() > deadline:
                raise Fail(f"{self.name} did not exit within {timeout}s "
                           f"(stdout tail {self.lines[-4:]})")
            self._pump(0.05)
        while self._pump(0):
            pass
        return self.p.returncode

    def stderr(self):
        self.errf.flush()
        with open(self.err_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def kill(self):
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if self.p.poll() is None:
            self.p.kill()
        try:
            self.p.wait(10)
        except subprocess.TimeoutExpired:
            pass
        for f in (self.p.stdin, self.p.stdout, self.p.stderr, self.errf):
            try:
                if f:
                    f.close()
            except OSError:
                pass


class Case:
    def __init__(self, run, name):
        self.run, self.name = run, name
        self.dir = tempfile.mkdtemp(prefix=f"sockleak-{run.group}-{name}-")
        self.prefix = os.path.join(self.dir, "log")
        self.procs, self.socks, self.extra_logs = [], [], []

    def opts(self, **kw):
        o = {"grace_ms": self.run.grace_ms, "scan_ms": self.run.scan_ms, "log_path": self.prefix}
        o.update(kw)
        return ":".join(f"{k}={v}" for k, v in o.items())

    def env(self, preload=True, options=None, extra=None):
        if not preload:
            return clean_env(extra)
        opts = {"SOCKLEAK_OPTIONS": options if options is not None else self.opts()}
        return clean_env(dict(opts, **(extra or {})), self.run.preload_first + [self.run.lib])

    def spawn(self, argv, name=None, preload=True, options=None, extra_env=None,
              stderr_pipe=False):
        if not os.path.isabs(str(argv[0])):
            argv = [os.path.join(self.run.bindir, argv[0])] + list(argv[1:])
        name = name or os.path.basename(argv[0])
        p = Proc(self, [str(a) for a in argv], self.env(preload, options, extra_env), name,
                 stderr_pipe)
        self.procs.append(p)
        return p

    def connect(self, port, timeout=10):
        s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.socks.append(s)
        return s

    def run_to_end(self, argv, name=None, preload=True, options=None, extra_env=None,
                   timeout=20):
        """Run a program that needs no stdin to completion: (rc, stdout lines, stderr)."""
        p = self.spawn(argv, name, preload, options, extra_env)
        p.p.stdin.close()
        rc = p.wait(timeout)
        return rc, p.lines, p.stderr()

    def logs(self, final=False):
        return log_files(self.prefix, final)

    def recs(self, pid=None, event=None, **match):
        """Records of pid (None: every process) with that event and those field values."""
        out = []
        for lpid, lf in self.logs().items():
            if pid is not None and lpid != pid:
                continue
            for r in lf.records:
                if event is not None and r.get("event") != event:
                    continue
                if all(r.get(k) == v for k, v in match.items()):
                    out.append(r)
        return out

    def leaks(self, pid):
        return self.recs(pid, "leak")

    def all_leaks(self):
        return self.recs(None, "leak")

    def wait_for(self, fn, timeout, what):
        return poll(fn, timeout, what)

    def wait_count(self, pid, event, n, timeout=8.0, **match):
        """Wait until pid has exactly n such records; fail at once on more."""
        def enough():
            got = self.recs(pid, event, **match)
            check(len(got) <= n, f"expected {n} {event} records from {pid}, got {len(got)}: "
                  f"{briefs(got)}")
            return got if len(got) == n else None
        try:
            return self.wait_for(enough, timeout, f"{n} {event} records from pid {pid}")
        except Fail as e:
            raise Fail(f"{e}; have: {briefs(self.recs(pid, event)) or 'none'}")

    def quiet(self, seconds):
        """A window in which nothing more may arrive (negative assertions only)."""
        time.sleep(seconds)

    def stack_symbols(self, pid, sid):
        for r in self.recs(pid, "stack"):
            if r.get("id") == sid:
                return [fr.get("symbol") for fr in r.get("frames", [])]
        return None

    def check_stack_names(self, pid, sid, names, what):
        check(sid is not None, f"{what} is null")
        syms = self.stack_symbols(pid, sid)
        check(syms is not None, f"{what} {sid} has no stack record")
        for n in names:
            check(n in syms, f"{what} {sid} does not name {n}(): frames {syms}")

    def check_logs(self):
        """Problems in every log of the case (after its processes are gone), which fail it."""
        errs = []
        for lf in list(self.logs(final=True).values()) + self.extra_logs:
            errs += validate(lf, per_pid=not lf.path.endswith(".stderr"))
        return errs

    def close(self):
        for p in self.procs:
            p.kill()
        for s in self.socks:
            try:
                s.close()
            except OSError:
                pass
        errs = self.check_logs()
        if self.run.keep:
            print(f"  (kept {self.dir})")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)
        return errs


def free_port():
    """A loopback TCP port free a moment ago, for a server that takes no port 0 (nginx,
    Prometheus): a caller whose bind then fails picks another."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ss_rows(state, filt):
    """[(local, peer, inode)] of TCP sockets in state (ss state name) matching filt."""
    out = subprocess.run(["ss", "-tanHe", "state", state] + filt.split(),
                         capture_output=True, text=True, timeout=10).stdout
    rows = []
    for line in out.splitlines():
        f = line.split()
        m = re.search(r"\bino:(\d+)", line)
        if len(f) >= 4:
            rows.append((f[2], f[3], int(m.group(1)) if m else 0))
    return rows


def proc_fd_links(pid):
    """{fd: link} of /proc/PID/fd."""
    out = {}
    d = f"/proc/{pid}/fd"
    for n in os.listdir(d):
        try:
            out[int(n)] = os.readlink(os.path.join(d, n))
        except OSError:
            pass
    return out


def pid_gone(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(") ", 1)[1].startswith("Z")  # comm may hold ") "
    except OSError:
        return True


# --------------------------------------------------------------------------------------------
# Runner

class Runner:
    def __init__(self, group, args, grace_ms, scan_ms):
        self.group = group
        self.bindir = os.path.abspath(args.bin)
        self.lib = os.path.abspath(args.lib)
        self.preload_first = [args.preload_first] if args.preload_first else []
        self.keep, self.verbose = args.keep, args.verbose
        self.grace_ms, self.scan_ms = grace_ms, scan_ms
        self.notes = []
        self.validated = []  # for a group that checks every case's logs in one case


def _with_lib(run, fn):
    def checked(c):
        check(os.path.exists(run.lib), f"{run.lib} does not exist")
        return fn(c)
    return checked


def main(group, doc, cases, grace_ms=300, scan_ms=50, case_timeout=60, case_class=None):
    """A driver of tl.h programs: each case gets a Case (fresh log directory, processes killed
    and every log validated at its end), or an instance of case_class, a subclass."""
    ap = argparse.ArgumentParser(description=doc.split("\n")[0])
    ap.add_argument("--bin", required=True)
    ap.add_argument("--lib", required=True)
    ap.add_argument("--results")
    ap.add_argument("--preload-first")
    ap.add_argument("--only")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    run = Runner(group, args, grace_ms, scan_ms)

    def start(name):
        c = (case_class or Case)(run, name)
        return c, c.close
    return run_cases(group, [(n, _with_lib(run, f)) for n, f in cases], start, args.only,
                     args.results, case_timeout)


# --------------------------------------------------------------------------------------------
# Waiting, the case loop, results


def poll(fn, timeout, what, interval=0.02):
    """fn() until it returns something true, which is returned; Fail after timeout seconds.
    The deadline bounds the wait (never a guess at the machine's speed), the interval only
    its cost."""
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v:
            return v
        if time.monotonic() >= deadline:
            raise Fail(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def read_line(fd, deadline):
    """One line of descriptor fd (a child's stdout) before deadline (time.monotonic()), read a
    byte at a time so nothing after it is taken: the bytes with their newline, or without it
    at EOF (the caller says what that means). Fail when the deadline passes first."""
    buf = b""
    while not buf.endswith(b"\n"):
        left = deadline - time.monotonic()
        check(left > 0, f"no line on stdout in time (got {buf!r})")
        r, _, _ = select.select([fd], [], [], left)
        if r:
            c = os.read(fd, 1)
            if not c:
                return buf
            buf += c
    return buf


def case_list():
    """(cases, case): a list of (name, fn), and a decorator that appends fn under its name."""
    cases = []

    def case(fn):
        cases.append((fn.__name__, fn))
        return fn
    return cases, case


def write_results(path, passed, failed):
    """The group's "PASSED FAILED" line, which make check adds up."""
    if path:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with open(path, "w") as f:
            f.write(f"{passed} {failed}\n")


def _alarm(signum, frame):
    raise Fail("case timed out (SIGALRM): a deadlock or a lost process")


def run_cases(group, cases, start, only=None, results=None, case_timeout=None):
    """The case loop of every driver. cases: [(name, fn)]; only: "NAME,NAME" or None.
    start(name) gives (arg, finish): the case runs as fn(arg) (under a SIGALRM of case_timeout
    seconds when given), then finish() runs whatever happened and returns the problems found
    after the case (log validation, cleanup), which fail a case that passed or skipped.
    Prints "ok NAME", "skip NAME: why" or "FAIL NAME: why" per case and a total line; writes
    the results file. A name in only that is no case fails. Returns the exit status: 1 when a
    case failed or none passed."""
    if case_timeout:
        signal.signal(signal.SIGALRM, _alarm)
    wanted = set(only.split(",")) if only else None
    passed = failed = skipped = 0
    t_all = time.monotonic()
    try:
        # A name that is no case (a typo, a case renamed under a list such as the TSan run's
        # STRESS_ONLY) is a failure: otherwise the rest passes and the case silently never runs.
        for name in sorted((wanted or set()) - {n for n, _ in cases}):
            failed += 1
            print(f"FAIL {name}: --only names no case of {group}")
        for name, fn in cases:
            if wanted and name not in wanted:
                continue
            t0 = time.monotonic()
            err, finish = None, None
            try:
                arg, finish = start(name)
                if case_timeout:
                    signal.alarm(case_timeout)
                fn(arg)
            except Skip as e:
                err = ("skip", str(e))
            except Fail as e:
                err = ("fail", str(e))
            except Exception as e:  # a driver bug still counts as a failure, never a crash
                err = ("fail", f"{type(e).__name__}: {e}")
            finally:
                if case_timeout:
                    signal.alarm(0)
                try:
                    lerrs = (finish() if finish else None) or []
                except Exception as e:
                    lerrs = [f"cleanup: {type(e).__name__}: {e}"]
            if lerrs and (err is None or err[0] == "skip"):
                err = ("fail", "log validation: " + "; ".join(lerrs[:5])
                       + (f" ... ({len(lerrs)} in all)" if len(lerrs) > 5 else ""))
            dt = f" ({time.monotonic() - t0:.1f}s)"
            if err is None:
                passed += 1
                print(f"ok {name}{dt}")
            elif err[0] == "skip":
                skipped += 1
                print(f"skip {name}: {err[1]}{dt}")
            else:
                failed += 1
                print(f"FAIL {name}: {err[1]}{dt}")
            sys.stdout.flush()
    finally:
        print(f"{group}: {passed} passed, {failed} failed, {skipped} skipped "
              f"({time.monotonic() - t_all:.1f}s)")
        write_results(results, passed, failed)
    return 1 if failed or not passed else 0
