#!/usr/bin/env python3
"""Tests of `sockleak run` (issue 5) on real programs: a leaking server stopped by SIGTERM, a
client leaking at exit, clean programs and their own statuses, suppressions, a leak two execs
below a shell, an orphaned descendant, signal forwarding to the whole tree, refusals (static,
setuid), bad options, LD_PRELOAD composition, and `make install` into a DESTDIR.

Every case has a hard deadline; the runner is started in a new session and every process of
that session is killed at the end of the case, whatever happened. Waits are polls with
deadlines; the only sleeps are the 0.2 s inside the orphan scenario's shell line (what it
tests) and poll intervals.

Prints "ok NAME" or "FAIL NAME: reason" per case, then "N passed, M failed"; with --results
it writes "PASSED FAILED" to that file. Exit status 1 when anything failed.

Usage: run.py --sockleak BUILD/sockleak --bin BUILD/tests/run --src tests/run
              [--results FILE] [--install-make 'make -C TOP B=BUILD'] [--preload-first RT]
              [--only NAME,...] [-v]
Standard library only."""

import argparse
import glob
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from harness import (Fail, case_list, check, clean_env, log_records, pid_gone, poll,  # noqa: E402
                     read_line, run_cases)

RUN_OPTS = "grace_ms=300:scan_ms=50"
CASE_TIMEOUT_S = 60
SUMMARY_RE = re.compile(r"^SUMMARY: sockleak: (\d+) leaked socket\(s\) at (\d+) site\(s\)$")

A = None  # parsed arguments
CASES, case = case_list()


# --------------------------------------------------------------------------------------------
# Processes


def session_pids(sid):
    """Pids of every live process in session sid (the runner's, and so the program tree's)."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                st = f.read()
        except OSError:
            continue
        fields = st[st.rindex(")") + 2:].split()
        # state ppid pgrp session ...; zombies hold no resources but are still listed
        if int(fields[3]) == sid and fields[0] != "Z":
            out.append(int(d))
    return out


def kill_session(sid):
    for pid in session_pids(sid):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


class Runner:
    """`sockleak run ARGS` in a new session, so that everything it starts can be found."""

    def __init__(self, args, env=None, tmp=None, stdin=subprocess.DEVNULL):
        e = clean_env(dict({"TMPDIR": tmp}, **(env or {})),
                      [A.preload_first] if A.preload_first else ())
        self.argv = [A.sockleak, "run"] + args
        self.p = subprocess.Popen(self.argv, env=e, stdin=stdin, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, start_new_session=True)
        self.sid = self.p.pid
        self.out = self.err = ""

    def readline(self, deadline):
        """One line of the program's stdout, before deadline."""
        buf = read_line(self.p.stdout.fileno(), deadline)
        if not buf.endswith(b"\n"):
            self.finish()
            raise Fail(f"stdout closed early (got {buf!r}); stderr:\n{self.err}")
        self.out += buf.decode()
        return buf.decode().strip()

    def finish(self, timeout=30):
        try:
            out, err = self.p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_session(self.sid)
            self.p.communicate()
            raise Fail(f"{' '.join(self.argv)} did not finish in {timeout} s")
        self.out += out.decode(errors="replace")
        self.err += err.decode(errors="replace")
        if A.verbose:
            sys.stderr.write(f"--- {' '.join(self.argv)}: rc {self.p.returncode}\n{self.err}")
        return self.p.returncode

    def cleanup(self):
        if self.p.poll() is None:
            self.p.kill()
        kill_session(self.sid)
        self.p.communicate()


def run(args, tmp, env=None, timeout=30):
    r = Runner(args, env=env, tmp=tmp)
    try:
        rc = r.finish(timeout)
    finally:
        r.cleanup()
    return rc, r.out, r.err


# --------------------------------------------------------------------------------------------
# Assertions on the runner's stderr


def summary(err):
    """(leaked, sites) from the SUMMARY line, which must be the last line of stderr."""
    lines = err.rstrip("\n").split("\n")
    m = SUMMARY_RE.match(lines[-1]) if lines else None
    check(m, f"last stderr line is not the SUMMARY line: {lines[-1]!r}\nstderr:\n{err}")
    check(sum(1 for ln in lines if ln.startswith("SUMMARY:")) == 1, "more than one SUMMARY line")
    return int(m.group(1)), int(m.group(2))


def marker_line(src, marker):
    with open(os.path.join(A.src, src)) as f:
        for i, line in enumerate(f, 1):
            if marker in line:
                return i
    raise Fail(f"{marker} not in {src}")


def prog(name):
    return os.path.join(A.bin, name)


# --------------------------------------------------------------------------------------------
# Cases


@case
def help_and_version(tmp):
    rc, out, _ = run(["--help"], tmp)
    check(rc == 0 and out.startswith("usage: sockleak run"), f"run --help: rc {rc}, {out[:80]!r}")
    rc, out, _ = run(["--version"], tmp)
    check(rc == 0 and re.fullmatch(r"sockleak run \d+\.\d+\.\d+\n", out), f"run --version: {out!r}")
    p = subprocess.run([A.sockleak, "--version"], capture_output=True, text=True, timeout=30)
    check(p.returncode == 0 and p.stdout.startswith("sockleak "), f"--version: {p.stdout!r}")
    rc, _, err = run([], tmp)
    check(rc == 125 and "no program given" in err, f"no program: rc {rc}, {err!r}")


@case
def server_stopped_by_sigterm(tmp):
    """Leak logged by the watchdog, then SIGTERM to the runner: forwarded, still reported."""
    prefix = os.path.join(tmp, "log")
    r = Runner(["-o", RUN_OPTS, "-o", f"log_path={prefix}", prog("rn_server")], tmp=tmp)
    try:
        port = int(r.readline(time.monotonic() + 20))
        with socket.create_connection(("127.0.0.1", port), timeout=10) as c:
            c.sendall(b"hi")
        poll(lambda: log_records(prefix, event="leak"), 20, "the server's leak record")
        os.kill(r.p.pid, signal.SIGTERM)
        rc = r.finish()
        check(rc == 23, f"exit status {rc}, want 23; stderr:\n{r.err}")
        line = marker_line("rn_server.c", "RN_ACCEPT_LINE")
        check(f"rn_server.c:{line}" in r.err, f"accept's rn_server.c:{line} not named:\n{r.err}")
        check(summary(r.err) == (1, 1), f"summary {summary(r.err)}, want (1, 1)")
        poll(lambda: not session_pids(r.sid), 10, "the server to be gone")
        check(glob.glob(prefix + ".*"), "a user log_path must be kept")
    finally:
        r.cleanup()


@case
def client_leaks_at_exit(tmp):
    rc, _, err = run(["-o", RUN_OPTS, prog("rn_client")], tmp)
    check(rc == 23, f"exit status {rc}, want 23; stderr:\n{err}")
    check(summary(err) == (1, 1), f"summary {summary(err)}")
    line = marker_line("rn_client.c", "RN_CONNECT_LINE")
    check(f"rn_client.c:{line}" in err, f"connect's rn_client.c:{line} not named:\n{err}")
    check("exit_open" in err, "kind exit_open not shown")
    check(os.listdir(tmp) == [], f"private log directory left behind: {os.listdir(tmp)}")


@case
def keep_logs(tmp):
    rc, _, err = run(["-k", "-o", RUN_OPTS, prog("rn_client")], tmp)
    check(rc == 23, f"exit status {rc}")
    m = re.search(r"^sockleak: run: logs kept in (\S+)$", err, re.M)
    check(m and m.group(1).startswith(tmp + "/sockleak-run."), f"no 'logs kept' line:\n{err}")
    check(log_records(m.group(1) + "/log", event="leak"), f"no leak in {m.group(1)}")


@case
def clean_programs_keep_their_status(tmp):
    for args, want in (([], 0), (["3"], 3), (["-15"], 128 + 15), (["-6"], 128 + 6)):
        rc, out, err = run(["-o", RUN_OPTS, prog("rn_clean")] + args, tmp)
        check(rc == want, f"rn_clean {args}: status {rc}, want {want}; stderr:\n{err}")
        check("clean ran" in out, f"rn_clean {args} did not run")
        check("SUMMARY" not in err and "Site" not in err, f"clean run reported:\n{err}")
    rc, _, err = run(["false"], tmp)
    check(rc == 1, f"false: {rc}")
    check(os.listdir(tmp) == [], f"left behind: {os.listdir(tmp)}")


@case
def suppressions(tmp):
    supp = os.path.join(tmp, "supp.txt")
    with open(supp, "w") as f:
        f.write("# known leak in the test client\n\n  leak:*/rn_client.c  \nleak:no_such_fn\n")
    rc, _, err = run(["-o", RUN_OPTS + f":suppressions={supp}", prog("rn_client")], tmp)
    check(rc == 0, f"suppressed: status {rc}, want 0; stderr:\n{err}")
    check(summary(err) == (0, 0), f"summary {summary(err)}")
    check(re.search(r"1 socket\(s\) suppressed", err) and "leak:*/rn_client.c" in err,
          f"suppression count or pattern not named:\n{err}")
    # the same through SOCKLEAK_OPTIONS, by function name
    with open(supp, "w") as f:
        f.write("leak:fetch\n")
    rc, _, err = run(["-o", RUN_OPTS, prog("rn_client")], tmp,
                     env={"SOCKLEAK_OPTIONS": f"suppressions={supp}"})
    check(rc == 0 and "leak:fetch" in err, f"by function: status {rc}\n{err}")
    with open(supp, "w") as f:
        f.write("leak:nothing_matches*\n")
    rc, _, err = run(["-o", RUN_OPTS + f":suppressions={supp}", prog("rn_client")], tmp)
    check(rc == 23, f"non-matching suppression: status {rc}")
    os.unlink(supp)
    check(os.listdir(tmp) == [], f"left behind: {os.listdir(tmp)}")


@case
def two_execs_below_a_shell(tmp):
    # sh forks; the child execs env (1), env execs the client (2); the shell itself exits 0
    rc, _, err = run(["-o", RUN_OPTS, "sh", "-c", 'env RN=1 "$0"; exit 0', prog("rn_client")], tmp)
    check(rc == 23, f"status {rc}, want 23; stderr:\n{err}")
    check(summary(err) == (1, 1) and "rn_client.c:" in err, f"stderr:\n{err}")
    rc, _, err = run(["-o", RUN_OPTS + ":exitcode=42", "sh", "-c", 'env "$0"', prog("rn_client")],
                     tmp)
    check(rc == 42, f"exitcode=42: status {rc}")


@case
def orphaned_descendant_is_waited_for(tmp):
    # the shell exits at once; its background child leaks 0.2 s later, as an orphan
    rc, _, err = run(["-w", "20000", "-o", RUN_OPTS, "sh", "-c",
                      '(sleep 0.2; exec "$0") & exit 0', prog("rn_client")], tmp)
    check(rc == 23, f"status {rc}, want 23; stderr:\n{err}")
    check(summary(err) == (1, 1), f"summary {summary(err)}")


@case
def signals_reach_the_whole_tree(tmp):
    pidfile = os.path.join(tmp, "bg.pid")
    # a non-interactive shell does not pass SIGTERM on, and its background job is not waited
    r = Runner(["sh", "-c", 'sleep 120 & echo $! > "$0"; echo ready; wait', pidfile], tmp=tmp)
    try:
        check(r.readline(time.monotonic() + 20) == "ready", "no ready line")
        bg = int(open(pidfile).read())
        os.kill(r.p.pid, signal.SIGTERM)
        rc = r.finish()
        check(rc == 128 + signal.SIGTERM, f"status {rc}, want {128 + signal.SIGTERM}")
        poll(lambda: pid_gone(bg), 10, "background sleep to die")
    finally:
        r.cleanup()
    r = Runner(["sh", "-c", "echo ready; exec sleep 120"], tmp=tmp)
    try:
        check(r.readline(time.monotonic() + 20) == "ready", "no ready line")
        poll(lambda: any(open(f"/proc/{p}/comm").read().strip() == "sleep"
                         for p in session_pids(r.sid)), 10, "sleep to start")
        os.kill(r.p.pid, signal.SIGINT)
        rc = r.finish()
        check(rc == 128 + signal.SIGINT, f"SIGINT: status {rc}")
    finally:
        r.cleanup()
    os.unlink(pidfile)
    check(os.listdir(tmp) == [], f"left behind: {os.listdir(tmp)}")


@case
def static_binary_refused(tmp):
    marker = os.path.join(tmp, "static-ran")
    rc, _, err = run([prog("rn_static"), marker], tmp)
    check(rc == 125, f"status {rc}, want 125")
    check("statically linked" in err and "rn_static" in err, f"message:\n{err}")
    check(not os.path.exists(marker), "the static binary ran")
    # also through PATH, and as the interpreter of a script
    rc, _, err = run(["rn_static", marker], tmp, env={"PATH": A.bin + ":/usr/bin:/bin"})
    check(rc == 125 and "statically linked" in err, f"via PATH: {rc} {err!r}")
    script = os.path.join(tmp, "script")
    with open(script, "w") as f:
        f.write(f"#!{prog('rn_static')}\n")
    os.chmod(script, 0o755)
    rc, _, err = run([script], tmp)
    check(rc == 125 and "statically linked" in err, f"#! static: {rc} {err!r}")
    os.unlink(script)
    check(not os.path.exists(marker), "the static binary ran")


@case
def setuid_refused(tmp):
    if os.geteuid() == 0:
        # as root, a file set-user-ID to another user is what makes exec secure
        target = os.path.join(tmp, "suid")
        shutil.copy(prog("rn_clean"), target)
        os.chown(target, 65534, 65534)
        os.chmod(target, 0o4755)
        os.chmod(tmp, 0o755)
    else:
        target = next((p for p in ("/usr/bin/passwd", "/bin/su", "/usr/bin/su")
                       if os.path.exists(p) and os.stat(p).st_mode & 0o4000 and
                       os.stat(p).st_uid != os.geteuid()), None)
        check(target, "no setuid binary to try as non-root")
    rc, out, err = run([target], tmp)
    check(rc == 125 and "setuid" in err and "LD_PRELOAD" in err, f"status {rc}:\n{err}")
    check("clean ran" not in out, "the setuid program ran")
    if os.geteuid() == 0:
        os.unlink(target)


@case
def bad_options_never_stop_the_program(tmp):
    rc, out, err = run([prog("rn_clean")], tmp,
                       env={"SOCKLEAK_OPTIONS": "bogus_key=1:grace_ms=abc"})
    check(rc == 0 and "clean ran" in out, f"status {rc}, out {out!r}")
    check("'bogus_key'" in err and "'grace_ms'" in err, f"bad keys not named:\n{err}")
    rc, _, err = run(["-o", RUN_OPTS + ":exitcode=zz", prog("rn_client")], tmp)
    check(rc == 23 and "'exitcode'" in err, f"bad exitcode: status {rc}:\n{err}")


@case
def missing_log_directory_refused(tmp):
    # the preload would log nothing there: that must not look like a clean run
    rc, out, err = run(["-o", f"log_path={tmp}/no/such/dir/log", prog("rn_client")], tmp)
    check(rc == 125 and "log_path=" in err and "No such file" in err, f"status {rc}:\n{err}")
    check(out == "", "the program ran")


@case
def not_found_and_not_executable(tmp):
    rc, _, err = run(["no-such-program-sockleak"], tmp)
    check(rc == 127 and "not found" in err, f"not found: {rc} {err!r}")
    f = os.path.join(tmp, "plain")
    open(f, "w").close()
    rc, _, err = run([f], tmp)
    check(rc == 126, f"not executable: {rc} {err!r}")
    os.unlink(f)
    check(os.listdir(tmp) == [], f"left behind: {os.listdir(tmp)}")


@case
def ld_preload_composition(tmp):
    lib = os.path.realpath(os.path.join(os.path.dirname(A.sockleak), "libsockleak.so"))
    other = subprocess.run(["cc", "-print-file-name=libm.so.6"], capture_output=True,
                           text=True).stdout.strip()
    check(os.path.isabs(other), f"no libm.so.6 to preload: {other!r}")
    rc, out, _ = run(["sh", "-c", 'printf "%s\\n" "$LD_PRELOAD"'], tmp,
                     env={"LD_PRELOAD": (A.preload_first + ":" if A.preload_first else "") + other})
    want = ":".join(filter(None, [A.preload_first, lib, other]))
    check(rc == 0 and out.strip() == want, f"LD_PRELOAD {out.strip()!r}, want {want!r}")
    rc, out, _ = run(["-o", "summary=1", "sh", "-c", 'printf "%s\\n" "$SOCKLEAK_OPTIONS"'], tmp)
    check(rc == 0 and "summary=0" not in out and "log_path=" + tmp in out, f"options {out!r}")


@case
def exit_codes_follow_the_shell(tmp):
    """126/127 as sh gives them (docs/ci.md): a script whose interpreter is missing is 127."""
    plain = os.path.join(tmp, "plain")
    with open(plain, "w") as f:
        f.write("x\n")
    def script(name, interp):
        path = os.path.join(tmp, name)
        with open(path, "w") as f:
            f.write(f"#!{interp}\nexit 0\n")
        os.chmod(path, 0o755)
        return path

    inner = script("inner", "/nonexistent/sockleak-interp")
    cases = {"missing command": os.path.join(tmp, "no-such-program"),
             "not executable": plain, "a directory": tmp,
             "interpreter missing": script("s1", "/nonexistent/sockleak-interp"),
             "interpreter not executable": script("s2", plain),
             "interpreter of the interpreter missing": script("s3", inner)}
    bad = []
    for name, path in cases.items():
        want = subprocess.run(["sh", "-c", '"$0"', path], capture_output=True).returncode
        rc, _, err = run([path], tmp)
        if rc != want or rc not in (126, 127):
            bad.append(f"{name}: status {rc}, sh gives {want} ({err.strip()!r})")
    check(not bad, "; ".join(bad))


# The second user of the tests run as root: nobody, as on every Debian system.
OTHER_UID = 65534

# Planted by the other user: makes the analysis find a leak, and writes escape sequences.
FAKE_LEAK = ('{"v":1,"event":"leak","ts_ns":%d,"pid":%d,"tid":%d,"kind":"exit_open","fd":5,'
             '"fds":[5],"inode":%d,"gen":1,"family":"inet","local":"127.0.0.1:1",'
             '"peer":"127.0.0.1:2","tcp_state":"\\u001b[2J\\u001b]0;pwned\\u0007PLANTED",'
             '"role":"connected","age_ms":1,"open_age_ms":1,"open_stack":null,'
             '"eof_stack":null,"shared_with":[],"inherited":false}\n')


def fake_leak(pid):
    return FAKE_LEAK % (time.time_ns(), pid, pid, 7000000 + pid)


def as_other_user(code, *args):
    """Python code run as OTHER_UID; returns its stdout stripped."""
    py = "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) else sys.executable
    p = subprocess.run([py, "-c", code] + [str(a) for a in args],
                       user=OTHER_UID, group=OTHER_UID, extra_groups=[], capture_output=True,
                       text=True, timeout=20)
    check(p.returncode == 0, f"the other user's script failed: {p.stderr}")
    return p.stdout.strip()


PLANT = r"""
import os, sys
d, secret, shpid, rec = sys.argv[1:5]
done = []
for name, what in ((f"log.99999", "record"), (f"log.{shpid}", "symlink"), ("log.88888", "fifo")):
    p = os.path.join(d, name)
    try:
        if what == "record":
            with open(p, "w") as f:
                f.write(rec)
            os.chmod(p, 0o644)
        elif what == "symlink":
            os.symlink(secret, p)
        else:
            os.mkfifo(p, 0o666)
        done.append(what)
    except OSError:
        pass
print(" ".join(done) or "none")
"""


def root_secret(tmp):
    secret = os.path.join(tmp, "root-only")
    with open(secret, "w") as f:
        f.write(fake_leak(77777))
    os.chmod(secret, 0o600)
    return secret, os.path.getsize(secret)


@case
def private_log_dir_resists_other_users(tmp):
    """Run as root, the log directory is 0700: another user can plant nothing in it (issue 11)."""
    go = os.path.join(tmp, "go")
    r = Runner(["-o", RUN_OPTS, "sh", "-c",
                'echo $$; while [ ! -e "$0" ]; do sleep 0.02; done; exec "$1"', go,
                prog("rn_client")], tmp=tmp)
    try:
        shpid = int(r.readline(time.monotonic() + 20))
        dirs = glob.glob(os.path.join(tmp, "sockleak-run.*"))
        check(len(dirs) == 1, f"log directories {dirs}")
        mode = os.lstat(dirs[0]).st_mode
        problems = []
        if mode & 0o7777 != 0o700:
            problems.append(f"log directory mode {mode & 0o7777:o}, want 700")
        planted = "none"
        if os.geteuid() == 0:
            os.chmod(tmp, 0o1777)  # a shared /tmp: the other user can reach the directory
            secret, size = root_secret(tmp)
            planted = as_other_user(PLANT, dirs[0], secret, shpid, fake_leak(99999))
            if planted != "none":
                problems.append(f"the other user planted: {planted}")
        open(go, "w").close()
        try:
            rc = r.finish(timeout=15)
        except Fail as e:
            problems.append(str(e))
            rc = None
        if rc is not None:
            if rc != 23 or "\x1b" in r.err or "PLANTED" in r.err:
                problems.append(f"status {rc} (want 23), stderr {r.err[-600:]!r}")
            elif summary(r.err) != (1, 1):
                problems.append(f"summary {summary(r.err)}, want (1, 1)")
        if os.geteuid() == 0 and os.path.getsize(secret) != size:
            problems.append("root appended to the root-only file through the planted symlink")
        check(not problems, "; ".join(problems))
    finally:
        r.cleanup()


@case
def privilege_drop_still_logs(tmp):
    """A program that drops root to nobody before its first record still reports into the
    runner's 0700 directory: the library opens its log with its start credentials."""
    rc, _, err = run(["-o", RUN_OPTS, prog("rn_drop")], tmp)
    check(rc == 23, f"status {rc}, want 23; stderr:\n{err}")
    line = marker_line("rn_drop.c", "RN_DROP_CONNECT_LINE")
    check(f"rn_drop.c:{line}" in err and summary(err) == (1, 1), f"stderr:\n{err}")


@case
def shared_log_path_reads_only_own_files(tmp):
    """With log_path in a shared directory, the runner reads only regular files of its own uid
    that nobody else can write: planted records, symlinks and FIFOs are named and skipped."""
    shared = os.path.join(tmp, "shared")
    os.mkdir(shared)
    os.chmod(shared, 0o1777)
    os.chmod(tmp, 0o755)
    prefix = os.path.join(shared, "log")
    secret, _ = root_secret(tmp)
    if os.geteuid() == 0:
        planted = as_other_user(PLANT, shared, secret, 77777, fake_leak(99999))
        check(planted == "record symlink fifo", f"could not plant: {planted}")
    else:
        os.symlink(secret, prefix + ".77777")
        os.mkfifo(prefix + ".88888")
    with open(prefix + ".66666", "w") as f:  # ours, but anyone may have written into it
        f.write(fake_leak(66666))
    os.chmod(prefix + ".66666", 0o666)
    rc, out, err = run(["-o", RUN_OPTS + f":log_path={prefix}", prog("rn_clean")], tmp,
                       timeout=15)
    check(rc == 0 and "clean ran" in out, f"status {rc}, want 0; stderr:\n{err!r}")
    check("\x1b" not in err and "PLANTED" not in err, f"planted records were read:\n{err!r}")
    for n in (["66666", "77777", "88888"] + (["99999"] if os.geteuid() == 0 else [])):
        check(re.search(rf"not reading \S*log\.{n}\b", err), f"log.{n} not named:\n{err}")


def kill_pids(pids):
    for p in pids:
        try:
            os.kill(p, signal.SIGKILL)
        except OSError:
            pass


TREE = ('sleep 300 & echo $! > "$0.bg"; setsid sh -c \'echo $$ > "$0.d"; exec sleep 300\' "$0"'
        ' & while [ ! -s "$0.d" ] || [ ! -s "$0.bg" ]; do sleep 0.02; done; echo $$; wait')


def start_tree(tmp, base):
    r = Runner(["-o", RUN_OPTS, "sh", "-c", TREE, base], tmp=tmp)
    shpid = int(r.readline(time.monotonic() + 20))
    pids = [shpid, int(open(base + ".bg").read()), int(open(base + ".d").read())]
    dirs = glob.glob(os.path.join(tmp, "sockleak-run.*"))
    return r, pids, dirs


@case
def killed_runner_takes_its_tree_along(tmp):
    """SIGKILL on the runner (a CI timeout): the program, its background child and a daemon
    that left the session are gone, and so is the log directory."""
    base = os.path.join(tmp, "tree")
    r, pids, dirs = start_tree(tmp, base)
    try:
        check(len(dirs) == 1, f"log directories {dirs}")
        os.kill(r.p.pid, signal.SIGKILL)
        r.p.wait()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not (all(map(pid_gone, pids)) and
                                                   not os.path.exists(dirs[0])):
            time.sleep(0.05)
        left = [p for p in pids if not pid_gone(p)]
        check(not left and not os.path.exists(dirs[0]),
              f"5 s after SIGKILL: still running {left} of {pids} (program, background job, "
              f"daemon); log directory {'left behind' if os.path.exists(dirs[0]) else 'gone'}")
    finally:
        kill_pids(pids)
        r.cleanup()


@case
def leftover_processes_are_stopped(tmp):
    """A daemon still running after the tree wait is stopped (SIGTERM), not left behind with
    the preload, logging into a directory about to be removed."""
    pidfile = os.path.join(tmp, "d.pid")
    # the daemon holds none of the runner's pipes, as a daemon does: the test stays bounded
    rc, _, err = run(["-w", "100", "sh", "-c",
                      'setsid sleep 300 </dev/null >/dev/null 2>&1 & echo $! > "$0"', pidfile],
                     tmp, timeout=15)
    pid = int(open(pidfile).read())
    try:
        check(rc == 0, f"status {rc}: {err}")
        poll(lambda: pid_gone(pid), 5, "the daemon to be stopped")
        check(re.search(r"1 process\(es\) started by sh still ran 100 ms after it exited; "
                        r"stopping them", err), f"not said:\n{err}")
    finally:
        kill_pids([pid])


@case
def stale_log_dirs_are_removed(tmp):
    """A runner killed with everything it started leaves its directory; the next run removes
    it, and never a live runner's, another user's, or anything through a symlink."""
    base = os.path.join(tmp, "tree")
    r, pids, dirs = start_tree(tmp, base)
    try:
        check(len(dirs) == 1, f"log directories {dirs}")
        stale = dirs[0]
        os.killpg(r.p.pid, signal.SIGKILL)  # the runner and any helper of its own
        r.p.wait()
    finally:
        kill_pids(pids)
        r.cleanup()
    poll(lambda: all(map(pid_gone, pids)), 10, "the tree to be gone")
    # The guard removes it after the kill (killed_runner_takes_its_tree_along tests that);
    # once it has, the directory is made again as a runner killed together with its guard
    # leaves it, for the next run to find.
    deadline = time.monotonic() + 5
    while os.path.exists(stale) and time.monotonic() < deadline:
        time.sleep(0.05)
    if not os.path.exists(stale):
        os.mkdir(stale, 0o700)
    open(os.path.join(stale, "log.1"), "w").close()
    name = os.path.basename(stale)
    # look-alikes that must stay: another user's, and a symlink to a directory of ours
    keep = []
    if os.geteuid() == 0:  # only root can make a directory of another user's
        other = os.path.join(tmp, name[:-6] + "othrus")
        os.mkdir(other, 0o700)
        os.chown(other, OTHER_UID, OTHER_UID)
        keep.append(other)
    target = os.path.join(tmp, "target")
    os.mkdir(target)
    open(os.path.join(target, "keep"), "w").close()
    link = os.path.join(tmp, name[:-6] + "symlnk")
    os.symlink(target, link)
    keep += [link, os.path.join(target, "keep")]
    # inside the stale directory, a link to a file of ours: removed as a link, never followed
    os.symlink(os.path.join(target, "keep"), os.path.join(stale, "log.2"))
    live = Runner(["sh", "-c", 'echo up; while [ ! -e "$0" ]; do sleep 0.02; done', base + ".go"],
                  tmp=tmp)
    try:
        check(live.readline(time.monotonic() + 20) == "up", "no up line")
        live_dirs = set(glob.glob(os.path.join(tmp, "sockleak-run.*"))) - {stale, *keep}
        check(len(live_dirs) == 1, f"live runner's directory: {live_dirs}")
        rc, _, err = run(["true"], tmp)
        check(rc == 0, f"status {rc}: {err}")
        problems = []
        if os.path.exists(stale):
            problems.append(f"stale {name} left")
        for p in keep + list(live_dirs):
            if not os.path.lexists(p):
                problems.append(f"{p} removed")
        check(not problems, "; ".join(problems))
        open(base + ".go", "w").close()
        check(live.finish() == 0, "the live runner failed")
    finally:
        live.cleanup()


@case
def untracked_children_are_named(tmp):
    """Children started without the preload or its options are said, with the reason: exec
    after env -i, LD_PRELOAD=other, env -u SOCKLEAK_OPTIONS, and from Python through vfork
    (subprocess) and posix_spawn, both with env={}."""
    other = subprocess.run(["cc", "-print-file-name=libm.so.6"], capture_output=True,
                           text=True).stdout.strip()
    # a sanitizer build's runtime stays first, as it must; sockleak is what is replaced
    other = ":".join(filter(None, [A.preload_first, other]))
    script = ('"$0"; env -i "$0"; LD_PRELOAD=%s "$0"; env -u SOCKLEAK_OPTIONS "$0"; '
              '"$1" -c "import subprocess, sys; subprocess.run([sys.argv[1]], env={})" "$0"; '
              '"$1" -c "import os, sys; os.waitpid(os.posix_spawn(sys.argv[1], sys.argv[1:], {}), 0)"'
              ' "$0"' % other)
    # Python itself is not what is tested: under ASan its allocator's leaks would fail it
    rc, out, err = run(["-o", RUN_OPTS, "sh", "-c", script, prog("rn_clean"), sys.executable],
                       tmp, env={"ASAN_OPTIONS": "detect_leaks=0"})
    check(rc == 0 and out.count("clean ran") == 6, f"status {rc}, out {out!r}, err {err!r}")
    m = re.search(r"^sockleak: run: (\d+) process\(es\) ran without sockleak \(([^)]*)\)", err,
                  re.M)
    check(m, f"no 'ran without sockleak' line:\n{err}")
    check(m.group(1) == "5", f"{m.group(1)} processes named, want 5:\n{err}")
    for reason in ("environment cleared: 3", "LD_PRELOAD replaced: 1",
                   "SOCKLEAK_OPTIONS removed: 1"):
        check(reason in m.group(2), f"reason {reason!r} missing:\n{err}")
    named = re.findall(r"^sockleak: run:   pid (\d+) (\S+)", err, re.M)
    check(len(named) == 5 and all(a.endswith("rn_clean") for _, a in named),
          f"processes named: {named}\n{err}")


# --------------------------------------------------------------------------------------------
# Issue 12: one contract for kinds, options, sites and late closes


def held(tmp, mode, opts, want_leaks, argv=None, settle=0.0):
    """rn_hold MODE (or argv) under the runner with log_path TMP/log-MODE: once want_leaks leak
    records are written (and settle seconds more), its stdin is closed (it goes on: exits, or
    closes late and exits). Returns (status, stdout, stderr, leak records)."""
    prefix = os.path.join(tmp, "log-" + mode)
    r = Runner(["-o", RUN_OPTS + f":log_path={prefix}" + opts] + (argv or [prog("rn_hold"), mode]),
               tmp=tmp, stdin=subprocess.PIPE)
    try:
        line = r.readline(time.monotonic() + 20)
        check(line == "ready", f"{mode}: {line!r}")
        leaks = poll(lambda: len(log_records(prefix, event="leak")) >= want_leaks and log_records(prefix, event="leak"), 20,
                     f"{want_leaks} leak record(s)")
        time.sleep(settle)
        rc = r.finish()
    finally:
        r.cleanup()
    return rc, r.out, r.err, leaks


@case
def idle_leaks_fail_the_run(tmp):
    """idle_ms: the library's `idle` leaks are read, counted and fail the run, no bad line."""
    rc, _, err, leaks = held(tmp, "idle", ":idle_ms=300", 2)
    check(sorted(l["kind"] for l in leaks) == ["idle", "idle"], f"leaks: {leaks}")
    check("bad line" not in err and "unknown leak kind" not in err, f"bad lines:\n{err}")
    check(rc == 23, f"exit status {rc}, want 23; stderr:\n{err}")
    check(summary(err)[0] == 2, f"summary {summary(err)}, want 2 leaked")
    check(re.search(r"kinds: idle 1", err), f"kind idle not shown:\n{err}")


@case
def closed_late_does_not_fail_the_run(tmp):
    """A socket held in CLOSE_WAIT past grace_ms, then closed: "closed late", status 0, with
    the site's first time and ports; fail_on_late=1 fails the run."""
    for opts, want in (("", 0), (":fail_on_late=1", 23)):
        rc, out, err, leaks = held(tmp, "late", opts, 1)
        check("closed" in out, f"{opts}: the program did not close: {out!r}")
        check(rc == want, f"{opts or 'default'}: exit status {rc}, want {want}; stderr:\n{err}")
        check("closed late 1" in err, f"{opts}: 'closed late' not said:\n{err}")
        l = leaks[0]
        check(l["kind"] == "close_wait", f"leak: {l}")
        for addr in (l["local"], l["peer"]):
            check(addr in err, f"{opts}: {addr} not shown:\n{err}")
        check(re.search(r"first: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}", err),
              f"{opts}: the site's first time not shown:\n{err}")


# A server that never reads its CLOSE_WAIT socket and closes it only once it is hung up: by the
# watchdog's shutdown under enforce=1. Exits 3 when that never comes.
ENFORCED_CLOSE_PY = """
import select, socket, sys, time
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(1)
c = socket.create_connection(l.getsockname())
s, _ = l.accept()
c.close()
p = select.poll(); p.register(s, select.POLLHUP)
deadline = time.monotonic() + 20
while not p.poll(50):
    if time.monotonic() > deadline:
        sys.exit(3)
s.close()
print("closed after the shutdown")
"""


@case
def enforced_then_closed_fails_the_run(tmp):
    """A leak the watchdog shut down (enforce=1), which the program closed only then, is not
    "closed late": the program would have held it on. The run fails (it said 'closed late 1'
    and exited 0); a failed shutdown (a log's enforce record with an errno) is report's test."""
    rc, out, err = run(["-o", RUN_OPTS + ":enforce=1", sys.executable, "-c", ENFORCED_CLOSE_PY],
                       tmp)
    check("closed after the shutdown" in out, f"the program was never shut down: {out!r}\n{err}")
    check(rc == 23, f"exit status {rc}, want 23; stderr:\n{err}")
    check(re.search(r"kinds: close_wait 1; enforced 1; shared 0$", err, re.M),
          f"want the site enforced and not closed late:\n{err}")
    check("Closed late" not in err, f"counted as closed late:\n{err}")


@case
def exit_summary_and_run_agree_on_sites(tmp):
    """Two leaks opened and read to EOF by the same code, one reported while it ran, one at
    exit: one site in the library's exit summary and in the runner's."""
    rc, out, err, _ = held(tmp, "two", ":summary=1", 1)
    check(rc == 23, f"status {rc}; stderr:\n{err}")
    lines = re.findall(r"SUMMARY: sockleak: (\d+) leaked socket\(s\) at (\d+) site\(s\)", err)
    check(len(lines) == 2, f"want the library's and the runner's SUMMARY lines:\n{err}")
    check(lines[0] == lines[1] == ("2", "1"),
          f"library {lines[0]}, runner {lines[1]}, want 2 leaks at 1 site each:\n{err}")


@case
def exit_summary_run_and_report_count_the_same_sites(tmp):
    """One site key (preload/sitekey.c) for all three: three leaks opened by one helper from
    three callers, two read to EOF in one function and one in another, are two sites in the
    library's exit summary, in the runner's and in `sockleak report` on the same logs, though
    the three open stacks differ (the exit summary used to count stacks: 3 sites)."""
    rc, out, err = run(["-k", "-o", RUN_OPTS + ":summary=1", prog("rn_hold"), "sites"], tmp)
    check(rc == 23 and "ready" in out, f"status {rc}, stdout {out!r}; stderr:\n{err}")
    lines = re.findall(r"SUMMARY: sockleak: (\d+) leaked socket\(s\) at (\d+) site\(s\)", err)
    check(len(lines) == 2, f"want the library's and the runner's SUMMARY lines:\n{err}")
    m = re.search(r"^sockleak: run: logs kept in (\S+)$", err, re.M)
    check(m, f"no 'logs kept' line:\n{err}")
    rep = subprocess.run([A.sockleak, "report"] + sorted(glob.glob(m.group(1) + "/log.*")),
                         capture_output=True, text=True, timeout=30)
    got = re.findall(r"SUMMARY: sockleak: (\d+) leaked socket\(s\) at (\d+) site\(s\)",
                     rep.stdout + rep.stderr)
    check(lines[0] == lines[1] == ("3", "2") and got == [("3", "2")],
          f"library {lines[0]}, runner {lines[1]}, report {got}, want 3 leaks at 2 sites "
          f"each:\n{err}\nreport:\n{rep.stdout}")
    # the library's per-site lines name the site's kind as the report does (not exit_open)
    per_site = re.findall(r"^==\d+==  (\d+) x (\w+), e\.g\.", err, re.M)
    check(sorted(per_site) == [("1", "eof_unclosed"), ("2", "eof_unclosed")],
          f"library's sites {per_site}, want 2 and 1 x eof_unclosed:\n{err}")
    for marker in ("RN_HOLD_EOF_A_LINE", "RN_HOLD_EOF_B_LINE"):
        line = marker_line("rn_hold.c", marker)
        check(f"rn_hold.c:{line}" in rep.stdout, f"{marker} (rn_hold.c:{line}) not in the "
              f"report:\n{rep.stdout}")


@case
def exit_summary_counts_sites_past_those_it_lists(tmp):
    """40 leaks at 40 sites: the exit summary lists the first 32 leaks but counts every site,
    as the runner does (it said "at 32 site(s)", the sites it had listed)."""
    rc, out, err = run(["-o", RUN_OPTS + ":summary=1", prog("rn_hold"), "many"], tmp)
    check(rc == 23 and "ready" in out, f"status {rc}, stdout {out!r}; stderr:\n{err[-2000:]}")
    lines = re.findall(r"SUMMARY: sockleak: (\d+) leaked socket\(s\) at (\d+) site\(s\)", err)
    check(len(lines) == 2 and lines[0] == lines[1] == ("40", "40"),
          f"library and runner {lines}, want 40 leaks at 40 sites each")


@case
def exit_summary_leaves_suppressed_sites_out(tmp):
    """suppressions= as the runner applies it: the exit summary does not count the leak of the
    suppressed site (drained_b), as the runner does not (it said 3 leaks at 2 sites, the
    runner 2 at 1)."""
    supp = os.path.join(tmp, "supp")
    with open(supp, "w") as f:
        f.write("leak:drained_b\n")
    rc, out, err = run(["-o", RUN_OPTS + f":summary=1:suppressions={supp}", prog("rn_hold"),
                        "sites"], tmp)
    check(rc == 23 and "ready" in out, f"status {rc}, stdout {out!r}; stderr:\n{err}")
    lines = re.findall(r"SUMMARY: sockleak: (\d+) leaked socket\(s\) at (\d+) site\(s\)", err)
    check(len(lines) == 2 and lines[0] == lines[1] == ("2", "1"),
          f"library and runner {lines}, want 2 leaks at 1 site each:\n{err}")
    check("1 more leaked socket(s) at suppressed sites" in err, f"suppressed not said:\n{err}")


@case
def options_read_as_the_library_reads_them(tmp):
    """The runner takes exitcode, summary and the rest from the library's own parser: a value
    the library accepts is the runner's too (a second parser took 10 digits for bad)."""
    rc, _, err = run(["-k", "-o", RUN_OPTS + ":exitcode=0000000042", prog("rn_client")], tmp)
    m = re.search(r"^sockleak: run: logs kept in (\S+)$", err, re.M)
    check(m, f"no 'logs kept' line:\n{err}")
    start = log_records(m.group(1) + "/log", event="start")
    check(start and start[0]["options"]["exitcode"] == 42, f"the library read {start[:1]}")
    check(rc == 42, f"exit status {rc}, want the library's exitcode 42; stderr:\n{err}")


@case
def options_passed_through_as_written(tmp):
    """The runner parses no option text of its own: SOCKLEAK_OPTIONS and each -o reach the
    program as the user wrote them (separators, a key the library does not know, the colon of
    syslog:/PATH), joined by ':', and the runner only appends its own items after them, each
    only where the user gave none (issue 12)."""
    env_text = "enforce=0,,"
    texts = ["grace_ms=300,scan_ms=50::bogus_key=1", "stack_depth=8,log_path=syslog:/nowhere",
             "exitcode=7"]
    args = [a for t in texts for a in ("-o", t)]
    rc, out, err = run(args + ["sh", "-c", 'printf "%s\\n" "$SOCKLEAK_OPTIONS"'], tmp,
                       env={"SOCKLEAK_OPTIONS": env_text})
    got = out.strip()
    want = ":".join([env_text] + texts)
    check(rc == 0 and got == want + ":summary=0", f"status {rc}, options {got!r}, want "
          f"{want + ':summary=0'!r}; stderr:\n{err}")
    check("'bogus_key'" in err, f"the library did not name the bad key:\n{err}")
    # given by the user: no summary=0, and a file log_path of the runner's own after theirs
    rc, out, err = run(["-o", "summary=1:" + RUN_OPTS, "sh", "-c",
                        'printf "%s\\n" "$SOCKLEAK_OPTIONS"'], tmp)
    got = out.strip()
    check(rc == 0 and got.startswith("summary=1:" + RUN_OPTS + ":log_path=" + tmp + "/")
          and got.count(":log_path=") == 1 and "summary=0" not in got, f"options {got!r}")


@case
def suppressions_as_lsan_matches_them(tmp):
    """leak:PATTERN as LSan matches it (a substring unless anchored with ^ or $, * as wildcard)
    over each frame's function, source file and module, by the one matcher of the library and
    the runner: a binary by its name or its source file's, a library by its name, which stops
    enforcement and the report alike."""
    supp = os.path.join(tmp, "supp.txt")
    for pat in ("rn_client", "rn_client.c", "^rn_client$", "^fetch$"):
        with open(supp, "w") as f:
            f.write(f"leak:{pat}\n")
        rc, _, err = run(["-o", RUN_OPTS + f":suppressions={supp}", prog("rn_client")], tmp)
        check(rc == 0 and summary(err) == (0, 0) and f"leak:{pat}" in err,
              f"leak:{pat}: status {rc}, want 0, suppressed; stderr:\n{err}")
    with open(supp, "w") as f:
        f.write("leak:^fetc$\n")
    rc, _, err = run(["-o", RUN_OPTS + f":suppressions={supp}", prog("rn_client")], tmp)
    check(rc == 23, f"leak:^fetc$ matched: status {rc}")
    with open(supp, "w") as f:
        f.write("leak:librn_fetch.so\n")
    # a negative window: enforcement would have followed the leak record in the same scan
    rc, _, err, _ = held(tmp, "lib", f":enforce=1:suppressions={supp}", 1,
                         argv=[prog("rn_libclient")], settle=0.3)
    enforced = len(log_records(os.path.join(tmp, "log-lib"), event="enforce"))
    check(enforced == 0, f"leak:librn_fetch.so: {enforced} enforce record(s); stderr:\n{err}")
    check(rc == 0 and summary(err) == (0, 0) and "leak:librn_fetch.so" in err,
          f"leak:librn_fetch.so: status {rc}, want 0, suppressed in the report too:\n{err}")


@case
def install_into_destdir(tmp):
    if not A.install_make:
        raise Fail("--install-make not given")
    dest = os.path.join(tmp, "dest")
    make = shlex.split(A.install_make)
    p = subprocess.run(make + ["install", "PREFIX=/usr/local", f"DESTDIR={dest}"],
                       capture_output=True, text=True, timeout=300)
    check(p.returncode == 0, f"make install failed:\n{p.stdout[-2000:]}{p.stderr[-2000:]}")
    root = dest + "/usr/local"
    files = ["bin/sockleak", "lib/libsockleak.so", "include/sockleak.h",
             "lib/pkgconfig/sockleak.pc", "share/man/man1/sockleak.1",
             "share/man/man7/sockleak.7"]
    for f in files:
        check(os.path.isfile(os.path.join(root, f)), f"{f} not installed")
    pc = open(os.path.join(root, "lib/pkgconfig/sockleak.pc")).read()
    check("prefix=/usr/local\n" in pc and "Version: " in pc, f"sockleak.pc:\n{pc}")
    # the installed runner must find the installed library (../lib from its binary)
    inst = os.path.join(root, "bin/sockleak")
    # a sanitizer build's library needs its runtime first
    e = clean_env({"TMPDIR": tmp}, [A.preload_first] if A.preload_first else ())
    q = subprocess.run([inst, "run", "sh", "-c", 'printf "%s\\n" "$LD_PRELOAD"'], env=e,
                       capture_output=True, text=True, timeout=60)
    check(q.returncode == 0 and os.path.realpath(root + "/lib/libsockleak.so") in q.stdout,
          f"installed run preloads {q.stdout!r} {q.stderr!r}")
    q = subprocess.run([inst, "run", "-o", RUN_OPTS, prog("rn_client")], env=e,
                       capture_output=True, text=True, timeout=60)
    check(q.returncode == 23 and summary(q.stderr) == (1, 1), f"installed run: {q.returncode}")
    p = subprocess.run(make + ["uninstall", "PREFIX=/usr/local", f"DESTDIR={dest}"],
                       capture_output=True, text=True, timeout=300)
    check(p.returncode == 0, f"make uninstall failed:\n{p.stderr[-2000:]}")
    left = [f for f in files if os.path.exists(os.path.join(root, f))]
    check(not left, f"left after uninstall: {left}")


# --------------------------------------------------------------------------------------------


def main():
    global A
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sockleak", required=True)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--src", default=os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--results")
    ap.add_argument("--install-make")
    ap.add_argument("--preload-first", default="")
    ap.add_argument("--only")
    ap.add_argument("-v", "--verbose", action="store_true")
    A = ap.parse_args()
    A.sockleak = os.path.abspath(A.sockleak)
    A.bin = os.path.abspath(A.bin)

    def start(name):
        tmp = tempfile.mkdtemp(prefix=f"sl-run-{name}.")
        return tmp, lambda: shutil.rmtree(tmp, ignore_errors=True)
    return run_cases("run", CASES, start, A.only, A.results, CASE_TIMEOUT_S)

if __name__ == "__main__":
    sys.exit(main())
