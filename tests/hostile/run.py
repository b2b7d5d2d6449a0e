#!/usr/bin/env python3
"""Issue 10, items 5-9 and 11: nobody else can use libsockleak.so to write, read or hang
anything, and no record is lost or mangled. Run as root (CI is), each case in its own
temporary directory, every wait bounded:

- the log: a symbolic link, a 0666 file of another user, a FIFO planted at PREFIX.PID are not
  used (the link's target and the file stay untouched, the FIFO hangs nothing); the log goes to
  PREFIX.PID.1, 0600, and one line says why; a log the process owns is appended to;
- secure mode: a setuid-root program run by `nobody`, with the library in /etc/ld.so.preload
  (an overlay on /etc in a private mount namespace: the machine's /etc is never touched),
  ignores SOCKLEAK_OPTIONS and honours /etc/sockleak.conf only when root owns it and nobody
  else may write it;
- suppressions: a FIFO does not hang the program's start, /dev/stdin does not eat its input;
- a full filesystem (a small tmpfs in a private mount namespace): the program serves as
  without sockleak, the log has no bad line, the loss is said once on stderr and counted in
  the exit record and by `sockleak run` and `sockleak report`; a file size limit
  (RLIMIT_FSIZE) is never crossed by a record, so SIGXFSZ never kills the program;
- a real `logrotate` run (create mode) and a deleted log: records follow the path;
- privilege drops: a daemon that calls setuid() before its first record still logs; after a
  raw syscall(SYS_setuid) the watchdog creates no file as root and takes the program's uid.
- a corrupt ELF image: a program whose GNU hash table claims far more symbols than it has
  runs under the preload as without it (the constructor reads its imports within its segments).

Usage: run.py --bin BUILD/tests/hostile --lib /abs/libsockleak.so [--results FILE] [--only
NAMES] [--keep]. Standard library only."""

import json
import os
import shutil
import stat
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from harness import Fail, LogFile, Skip, briefs, check, main, validate  # noqa: E402

NOBODY = 65534
AT_SECURE = 23


def need_root():
    if os.geteuid() != 0:
        raise Skip("needs root (planted files of other users, mounts, setuid)")


def host(c, options=None, argv=None, **kw):
    """hf_host under the preload; returns (proc, pid of the host program)."""
    p = c.spawn(argv or ["hf_host"], options=options, **kw)
    w = p.expect("ready", timeout=15)
    return p, int(w[2])


def record(p, n=1):
    for i in range(n):
        have = len(p.all("recorded"))
        p.send("record")
        w = p.expect("recorded", timeout=10, nth=have + 1)
        check(w[1] == "1", f"the program's dup/close failed under the preload: {w}")


def finish(p, timeout=10):
    p.send("exit")
    rc = p.wait(timeout)
    check(rc == 0, f"exit status {rc}, stderr {p.stderr()[-300:]!r}")


def read_log(path, pid):
    lf = LogFile(path, True, pid=pid)
    errs = validate(lf)
    check(not errs, f"{path}: {errs[:3]}")
    return lf.records


def events(recs):
    return [r["event"] for r in recs]


def said(p, text, n=None):
    lines = [l for l in p.stderr().splitlines() if text in l]
    if n is not None:
        check(len(lines) == n, f"want {n} stderr line(s) with {text!r}, got {lines} "
              f"(stderr {p.stderr()[-400:]!r})")
    return lines


def shared_dir(c, mode=0o1777):
    """A directory anyone may write, like /tmp."""
    d = os.path.join(c.dir, "shared")
    os.mkdir(d)
    os.chmod(d, mode)
    os.chmod(c.dir, 0o755)
    return d


# --------------------------------------------------------------------------------------------
# 5. The log file

def case_log_symlink_not_followed(c):
    """A symlink planted at PREFIX.PID: its target (root's 0600 file) stays untouched."""
    need_root()
    d = shared_dir(c)
    secret = os.path.join(c.dir, "secret")
    with open(secret, "w") as f:
        f.write("root only\n")
    os.chmod(secret, 0o600)
    before = os.stat(secret)
    prefix = os.path.join(d, "log")
    p, pid = host(c, options=c.opts(log_path=prefix))
    os.symlink(secret, f"{prefix}.{pid}")
    record(p)
    with open(secret) as f:
        got = f.read()
    check(got == "root only\n" and os.stat(secret).st_mtime_ns == before.st_mtime_ns,
          f"the symlink was followed: its target now holds {got[:200]!r}")
    alt = f"{prefix}.{pid}.1"
    check(os.path.exists(alt), f"no log at {alt}: {os.listdir(d)}")
    check(stat.S_IMODE(os.stat(alt).st_mode) == 0o600, f"{alt} mode {oct(os.stat(alt).st_mode)}")
    said(p, "a symbolic link; logging to", n=1)
    finish(p)
    check("close_shared" in events(read_log(alt, pid)), "no close_shared record in the log")


def case_log_planted_file_not_used(c):
    """A 0666 file of another user planted at PREFIX.PID receives nothing."""
    need_root()
    d = shared_dir(c)
    prefix = os.path.join(d, "log")
    p, pid = host(c, options=c.opts(log_path=prefix))
    planted = f"{prefix}.{pid}"
    with open(planted, "w"):
        pass
    os.chown(planted, NOBODY, NOBODY)
    os.chmod(planted, 0o666)
    record(p)
    size = os.path.getsize(planted)
    check(size == 0, f"the planted 0666 file received {size} bytes of root's log")
    said(p, "owned by another user; logging to", n=1)
    finish(p)
    check("close_shared" in events(read_log(f"{planted}.1", pid)), "no record in PREFIX.PID.1")


def case_log_fifo_no_hang(c):
    """A FIFO planted at PREFIX.PID hangs neither a record nor the exit."""
    need_root()
    d = shared_dir(c)
    prefix = os.path.join(d, "log")
    p, pid = host(c, options=c.opts(log_path=prefix))
    os.mkfifo(f"{prefix}.{pid}", 0o666)
    record(p)
    p.send("leak")
    p.expect("sock", timeout=10)
    t0 = time.monotonic()
    finish(p, timeout=10)
    said(p, "not a regular file; logging to", n=1)
    recs = read_log(f"{prefix}.{pid}.1", pid)
    check(events(recs)[-1] == "exit", f"no exit record: {events(recs)}")
    print(f"  note: exit took {time.monotonic() - t0:.2f}s with a FIFO at the log's name")


def case_log_created_0600_and_own_appended(c):
    """A new log is 0600 (whatever the umask allows more); a log this uid owns is appended."""
    need_root()
    prefix = os.path.join(c.dir, "log")
    p, pid = host(c, options=c.opts(log_path=prefix))
    record(p)
    mode = stat.S_IMODE(os.stat(f"{prefix}.{pid}").st_mode)
    check(mode == 0o600, f"log created with mode {oct(mode)}, want 0o600")
    finish(p)
    check(not p.stderr().strip(), f"stderr: {p.stderr()[-300:]!r}")
    # The name already there, root's own 0600 file with one link (an exec keeps the pid, and
    # the new image appends to the old one's log): used.
    p2, pid2 = host(c, options=c.opts(log_path=prefix))
    own = f"{prefix}.{pid2}"
    with open(own, "w"):
        pass
    os.chmod(own, 0o600)
    ino = os.stat(own).st_ino
    record(p2)
    finish(p2)
    check(os.stat(own).st_ino == ino and os.path.getsize(own) > 0 and
          not os.path.exists(f"{own}.1"),
          f"the process's own 0600 log was not appended to: {sorted(os.listdir(c.dir))}")


# --------------------------------------------------------------------------------------------
# 6. Secure mode

def auxv_secure(pid):
    with open(f"/proc/{pid}/auxv", "rb") as f:
        data = f.read()
    for i in range(0, len(data) - 15, 16):
        k, v = struct.unpack("QQ", data[i:i + 16])
        if k == AT_SECURE:
            return v
    return None


def secure_run(c, conf_text, conf_uid, conf_mode, tag):
    """hf_host setuid root, run by nobody, the library in /etc/ld.so.preload and conf_text
    in /etc/sockleak.conf, both only in a private mount namespace (an overlay on /etc)."""
    suid = os.path.join(c.dir, "hf_suid")
    if not os.path.exists(suid):
        shutil.copy(os.path.join(c.run.bindir, "hf_host"), suid)
        os.chown(suid, 0, 0)
        os.chmod(suid, 0o4755)
    ov = os.path.join(c.dir, f"ov-{tag}")
    os.makedirs(ov)
    conf = os.path.join(c.dir, f"conf-{tag}")
    with open(conf, "w") as f:
        f.write(conf_text)
    os.chown(conf, conf_uid, conf_uid)
    os.chmod(conf, conf_mode)
    env_log = os.path.join(c.dir, f"envlog-{tag}")
    script = (
        "set -e; mount --make-rprivate /; "
        f"mount -t tmpfs sockleak-test {ov}; mkdir {ov}/up {ov}/work; "
        f"mount -t overlay overlay -o lowerdir=/etc,upperdir={ov}/up,workdir={ov}/work /etc; "
        f"cp -p {conf} /etc/sockleak.conf; "
        f"echo {' '.join(c.run.preload_first + [c.run.lib])} > /etc/ld.so.preload; "
        f"cd {c.dir}; exec setpriv --reuid={NOBODY} --regid={NOBODY} --clear-groups "
        f"env SOCKLEAK_OPTIONS=log_path={env_log}:grace_ms=0:scan_ms=50 {suid}")
    p = c.spawn([shutil.which("unshare"), "-m", "sh", "-c", script], name=f"hf_suid-{tag}",
                preload=False)
    try:
        w = p.expect("ready", timeout=15)
    except Fail as e:
        if "overlay" in p.stderr() or "mount" in p.stderr():
            raise Skip(f"no private overlay on /etc here: {p.stderr()[-200:]!r}")
        raise e
    pid = int(w[2])
    sec = auxv_secure(pid)
    if sec != 1:
        raise Skip(f"the setuid copy did not run in secure mode (AT_SECURE={sec}): a nosuid "
                   f"mount?")
    with open(f"/proc/{pid}/maps") as f:
        check(c.run.lib in f.read(), "libsockleak.so is not loaded from /etc/ld.so.preload")
    record(p)
    p.send("leak")
    p.expect("sock", timeout=10)
    # a vfork child that execs a program with an empty environment (exec_untracked)
    p.send("vforkexec")
    w = p.expect("ran", timeout=10)
    check(w[2] == "0", f"vfork+exec of /bin/true under the preload: {w}")
    finish(p)
    stray = [f for f in os.listdir(c.dir) if f.startswith(f"envlog-{tag}")]
    dots = [f for f in os.listdir(c.dir) if f.startswith(".")]
    check(not dots, f"files created in the invoker's working directory: {dots}")
    check(not stray, f"SOCKLEAK_OPTIONS was obeyed in secure mode: {stray} created")
    return p, pid


def case_secure_mode(c):
    """AT_SECURE: SOCKLEAK_OPTIONS ignored; /etc/sockleak.conf honoured only when root's."""
    need_root()
    for tool in ("unshare", "setpriv"):
        if not shutil.which(tool):
            raise Skip(f"{tool} (util-linux) is missing")
    os.chmod(c.dir, 0o755)
    conf_log = os.path.join(c.dir, "conflog")
    text = f"# sockleak options for privileged programs\n\nlog_path={conf_log}\ngrace_ms=0\n"
    p, pid = secure_run(c, text, 0, 0o644, "root")
    said(p, "SOCKLEAK_OPTIONS ignored", n=1)
    recs = read_log(f"{conf_log}.{pid}", pid)
    check("close_shared" in events(recs) and "leak" in events(recs),
          f"/etc/sockleak.conf (root's, 0644) not honoured: {events(recs)}")
    check(os.stat(f"{conf_log}.{pid}").st_uid == 0, "log not created by the setuid identity")
    # The same file, but writable by others, then owned by nobody: not used at all.
    for tag, uid, mode in (("groupw", 0, 0o664), ("nobody", NOBODY, 0o644)):
        p, pid = secure_run(c, text.replace("conflog", f"conflog-{tag}"), uid, mode, tag)
        # once by the program, once by the /bin/true it ran (secure too: it inherits euid 0)
        said(p, "/etc/sockleak.conf not used: not owned by root, or writable", n=2)
        made = [f for f in os.listdir(c.dir) if f.startswith(f"conflog-{tag}")]
        check(not made, f"an unsafe /etc/sockleak.conf ({tag}) was obeyed: {made}")
    # Relative paths would be resolved in the working directory the invoker chose.
    rel = os.path.join(c.dir, "rel")
    os.mkdir(rel)
    p, pid = secure_run(c, "log_path=rel/log\nsuppressions=rel/supp\n", 0, 0o644, "relative")
    check(not os.listdir(rel), f"a relative log_path was used in secure mode: {os.listdir(rel)}")
    said(p, "secure mode: log_path 'rel/log' is not absolute; not used", n=2)
    said(p, "secure mode: suppressions 'rel/supp' is not absolute; not used", n=2)


def case_global_preload_execs_tracked(c):
    """The library in /etc/ld.so.preload (a private overlay on /etc): every new image loads it
    whatever LD_PRELOAD says, so a shell that runs commands writes no log and no
    exec_untracked record claiming they ran without sockleak."""
    need_root()
    if not shutil.which("unshare"):
        raise Skip("unshare (util-linux) is missing")
    ov = os.path.join(c.dir, "ov")
    os.makedirs(ov)
    script = (
        "set -e; mount --make-rprivate /; "
        f"mount -t tmpfs sockleak-test {ov}; mkdir {ov}/up {ov}/work; "
        f"mount -t overlay overlay -o lowerdir=/etc,upperdir={ov}/up,workdir={ov}/work /etc; "
        f"echo {' '.join(c.run.preload_first + [c.run.lib])} > /etc/ld.so.preload; "
        f"SOCKLEAK_OPTIONS={c.opts()} sh -c '/bin/true; /bin/true; echo done'")
    p = c.spawn([shutil.which("unshare"), "-m", "sh", "-c", script], name="global-sh",
                preload=False)
    rc = p.wait(20)
    if rc != 0 and ("overlay" in p.stderr() or "mount" in p.stderr()):
        raise Skip(f"no private overlay on /etc here: {p.stderr()[-200:]!r}")
    check(rc == 0, f"exit status {rc}: {p.stderr()[-300:]!r}")
    logs = sorted(f for f in os.listdir(c.dir) if f.startswith("log."))
    recs = [r for f in logs for r in LogFile(os.path.join(c.dir, f), True).records]
    check(not logs, f"execs under /etc/ld.so.preload left {len(logs)} log(s): {briefs(recs)}")


def case_vfork_exec_syslog_no_file(c):
    """log_path=syslog and syslog:SOCKET: a vfork child that execs a program with an empty
    environment sends its exec_untracked record to the socket, and creates no file
    'syslog.PID' in its working directory."""
    import socket as so
    sock = os.path.join(c.dir, "devlog")
    rx = so.socket(so.AF_UNIX, so.SOCK_DGRAM)
    rx.bind(sock)
    rx.settimeout(10)
    for log_path in ("syslog", f"syslog:{sock}"):
        work = os.path.join(c.dir, f"cwd-{len(log_path)}")
        os.mkdir(work)
        here = os.getcwd()
        os.chdir(work)
        try:
            p, pid = host(c, options=c.opts(log_path=log_path))
        finally:
            os.chdir(here)
        p.send("vforkexec")
        w = p.expect("ran", timeout=10)
        check(w[2] == "0", f"vfork+exec of /bin/true under the preload: {w}")
        finish(p)
        check(not os.listdir(work), f"log_path={log_path}: files created in the working "
              f"directory: {os.listdir(work)}")
    got = []
    try:
        while not any(b'"exec_untracked"' in d for d in got):
            got.append(rx.recv(65536))
    except so.timeout:
        pass
    rx.close()
    check(any(b'"exec_untracked"' in d and f'"child":{w[1]}'.encode() in d for d in got),
          f"no exec_untracked datagram for pid {w[1]}: {got[-3:]}")


def case_vfork_exec_long_record(c):
    """A vfork child's exec_untracked record over 2 KiB (a 505-byte path, an argv[0] of 300
    control bytes, 6 bytes each once escaped) is written whole, to the child's own file: the
    path as given, argv[0] cut at its documented 256 bytes."""
    # A prefix of its own: the child's file holds that one record, no `start` (log-format.md).
    prefix = os.path.join(c.dir, "vfork")
    p, pid = host(c, options=c.opts(log_path=prefix))
    p.send("vforkexeclong")
    w = p.expect("ran", timeout=10)
    check(w[2] == "0", f"vfork+exec of /bin/././.../true under the preload: {w}")
    finish(p)
    child = int(w[1])
    check(os.path.exists(f"{prefix}.{child}"), f"the vfork child {child} wrote no record")
    with open(f"{prefix}.{child}") as f:
        un = [json.loads(l) for l in f]
    check(all(r["event"] == "exec_untracked" for r in un), f"the child's file: {briefs(un)}")
    want = "/bin/" + "./" * 248 + "true"
    check(len(un) == 1, f"exec_untracked records of the vfork child {child}: {briefs(un)}")
    check(un[0]["path"] == want and un[0]["argv0"] == "\x01" * 256
          and un[0]["reason"] == "environment cleared",
          f"the long record: path {len(un[0]['path'])} bytes, argv0 {un[0]['argv0']!r}")


# --------------------------------------------------------------------------------------------
# 7. Suppressions

def case_suppressions_fifo(c):
    """suppressions= names a FIFO: the program starts and exits, nothing hangs."""
    fifo = os.path.join(c.dir, "supp")
    os.mkfifo(fifo, 0o600)
    p = c.spawn(["/bin/true"], options=c.opts(suppressions=fifo))
    rc = p.wait(10)
    check(rc == 0, f"exit status {rc}")
    said(p, f"cannot read suppressions {fifo}: not a regular file", n=1)


def case_suppressions_dev_stdin(c):
    """suppressions=/dev/stdin: the program still reads all of its standard input."""
    data = b"leak:first line of the program's input\nsecond\n"
    r = subprocess.run(["cat"], input=data, capture_output=True, timeout=10,
                       env=c.env(options=c.opts(suppressions="/dev/stdin")))
    check(r.returncode == 0 and r.stdout == data,
          f"cat under the preload printed {r.stdout!r} of {data!r} (stderr {r.stderr!r})")
    check(b"cannot read suppressions /dev/stdin: a symbolic link" in r.stderr,
          f"stderr {r.stderr!r}")


def case_suppressions_too_large(c):
    """A suppressions file past 16 KiB: whole lines within it are used, the rest said."""
    path = os.path.join(c.dir, "supp")
    with open(path, "w") as f:
        for i in range(700):
            f.write(f"leak:pattern_number_{i:05d}\n")
    p = c.spawn(["/bin/true"], options=c.opts(suppressions=path))
    check(p.wait(10) == 0, "exit status")
    said(p, "larger than 16383 bytes; only the lines in the first 16380 bytes are used", n=1)


# --------------------------------------------------------------------------------------------
# 8. Full disk

def fill(path):
    """Write until the filesystem is full."""
    with open(path, "wb", buffering=0) as f:
        for size in (65536, 4096, 1):
            while True:
                try:
                    f.write(b"x" * size)
                except OSError:
                    break


def case_full_disk(c):
    """The log on a full tmpfs, under `sockleak run`: records whole or not at all, the loss
    said once by the library and counted in the exit record, by `sockleak run` and by
    `sockleak report`."""
    need_root()
    fs, out = os.path.join(c.dir, "fs"), os.path.join(c.dir, "out")
    os.mkdir(fs)
    os.mkdir(out)
    sockleak = os.path.join(os.path.dirname(c.run.lib), "sockleak")
    # The tmpfs lives in a private mount namespace: it goes away with the case's processes.
    # The shell copies the logs out after the runner analysed them.
    # A sanitizer runtime stays first in LD_PRELOAD, where the runner keeps it, for the
    # runner and its program only (TSan crashes an uninstrumented unshare or sh).
    san = f"LD_PRELOAD={':'.join(c.run.preload_first)} " if c.run.preload_first else ""
    script = (f"mount -t tmpfs -o size=256k,mode=0700 sockleak-test {fs} || exit 99; "
              f"{san}{sockleak} run -L {c.run.lib} -o {c.opts(log_path=os.path.join(fs, 'log'))} "
              f"-- {c.run.bindir}/hf_host; st=$?; cp -p {fs}/log.* {out}/; exit $st")
    p = c.spawn([shutil.which("unshare"), "-m", "sh", "-c", script], name="run-hf_host",
                preload=False)
    try:
        pid = int(p.expect("ready", timeout=15)[2])
    except Fail as e:
        if p.p.poll() == 99 or p.stderr().startswith("unshare:"):
            raise Skip(f"no private mount namespace with a tmpfs here: {p.stderr()[-200:]!r}")
        raise e
    record(p)
    full = f"/proc/{pid}/root{fs}/filler"
    fill(full)
    n_full, n_after = 40, 3
    record(p, n_full)
    os.unlink(full)
    record(p, n_after)
    finish(p, timeout=30)
    log = os.path.join(out, f"log.{pid}")
    recs = read_log(log, pid)   # no torn or glued line: validate() checks every line
    cs = [r for r in recs if r["event"] == "close_shared"]
    lost = 1 + n_full + n_after - len(cs)
    check(lost > 0, f"the filesystem never filled: all {len(cs)} records written")
    ex = [r for r in recs if r["event"] == "exit"]
    check(len(ex) == 1 and ex[0].get("dropped") == lost,
          f"exit record {briefs(ex)} dropped={ex[0].get('dropped') if ex else None}, but "
          f"{lost} close_shared records are missing")
    said(p, "cannot write log", n=1)
    said(p, f"Not written: {lost} record(s) could not be written, in 1 process(es)", n=1)
    rep = subprocess.run([sockleak, "report", out], capture_output=True, text=True, timeout=30)
    check(f"{lost} record(s) could not be written" in rep.stdout,
          f"sockleak report does not say the loss: {rep.stdout[-500:]!r}")
    print(f"  note: {lost} of {1 + n_full + n_after} records could not be written")


def case_file_size_limit(c):
    """RLIMIT_FSIZE: a record that would cross the program's file size limit is not written,
    so no SIGXFSZ of ours kills the program; the rest of the log stays whole."""
    limit = 3000
    p, pid = host(c, argv=[shutil.which("prlimit"), f"--fsize={limit}:{limit}",
                           os.path.join(c.run.bindir, "hf_host")])
    record(p, 12)
    finish(p)
    log = f"{c.prefix}.{pid}"
    size = os.path.getsize(log)
    check(0 < size <= limit, f"log of {size} bytes under a {limit}-byte limit")
    said(p, "cannot write log", n=1)
    check(events(read_log(log, pid)).count("close_shared") < 12, "the limit was never reached")


# --------------------------------------------------------------------------------------------
# 9. Log rotation

def case_logrotate(c):
    """logrotate (create mode) renames the log and makes a new one; then the log is deleted:
    records follow the path each time, each file starting with its start record."""
    need_root()
    lr = shutil.which("logrotate") or "/usr/sbin/logrotate"
    if not os.path.exists(lr):
        raise Fail("logrotate is not installed (scripts/deps.sh check)")
    prefix = os.path.join(c.dir, "log")
    p, pid = host(c, options=c.opts(log_path=prefix))
    log = f"{prefix}.{pid}"
    record(p, 2)
    conf = os.path.join(c.dir, "logrotate.conf")
    with open(conf, "w") as f:
        f.write(f"{log} {{\n    rotate 2\n    create\n    missingok\n}}\n")
    r = subprocess.run([lr, "-f", "-s", os.path.join(c.dir, "logrotate.state"), conf],
                       capture_output=True, text=True, timeout=30)
    check(r.returncode == 0 and os.path.exists(f"{log}.1"), f"logrotate: {r.stderr!r}")
    check(os.path.getsize(log) == 0, "logrotate's new file is not empty")
    record(p)
    new = read_log(log, pid)
    check(events(new)[:1] == ["start"] and "close_shared" in events(new),
          f"records after the rotation did not go to the new file: {events(new)}; the "
          f"rotated one has {events(read_log(log + '.1', pid))}")
    os.unlink(log)
    record(p)
    check(os.path.exists(log), "the deleted log was not created again")
    check(stat.S_IMODE(os.stat(log).st_mode) == 0o600, "recreated log not 0600")
    finish(p)
    last = read_log(log, pid)
    check(events(last)[0] == "start" and events(last)[-1] == "exit",
          f"the recreated log: {events(last)}")
    old = read_log(f"{log}.1", pid)
    check(events(old).count("close_shared") == 2, f"the rotated log: {events(old)}")


# --------------------------------------------------------------------------------------------
# The exit summary: names the program controls reach the terminal escaped

def case_summary_names_escaped(c):
    """A program run from a directory whose name carries ESC, BEL, U+202E and a newline with a
    forged SUMMARY line: the exit summary on its stderr shows them escaped, as the tools do."""
    d = os.path.join(c.dir, "bin\x1b[2J\x1b[H\x07\u202e\nSUMMARY: sockleak: 0 leaked socket(s)")
    os.makedirs(d)
    exe = os.path.join(d, "hf_host")
    shutil.copy(os.path.join(c.run.bindir, "hf_host"), exe)
    p, pid = host(c, options=c.opts(grace_ms=0, summary=1), argv=[exe])
    p.send("leak")
    p.expect("sock", timeout=10)
    log = f"{c.prefix}.{pid}"
    c.wait_for(lambda: os.path.exists(log) and [r for r in LogFile(log, False, pid=pid).records
                                                if r["event"] == "leak"], 10, "the leak record")
    finish(p)
    err = p.stderr()
    check("SUMMARY: sockleak: 1 leaked socket(s)" in err, f"no summary: {err[-300:]!r}")
    bad = sorted({hex(ord(ch)) for ch in err if (ord(ch) < 0x20 and ch != "\n") or
                  0x7f <= ord(ch) <= 0x9f or 0x202a <= ord(ch) <= 0x202e})
    check(not bad, f"raw control characters {bad} in the summary: {err[-400:]!r}")
    check(len([l for l in err.splitlines() if l.startswith("SUMMARY")]) == 1,
          f"a forged SUMMARY line: {err[-400:]!r}")
    check("bin\\x1b[2J\\x1b[H\\x07\\u202e\\nSUMMARY" in err, f"not shown escaped: {err[-400:]!r}")


# --------------------------------------------------------------------------------------------
# 11. Privilege drops

def case_setuid_before_first_record(c):
    """A daemon that drops to nobody with libc setuid() before its first record still logs
    into the directory only root may write."""
    need_root()
    os.chmod(c.dir, 0o755)
    p, pid = host(c)
    p.send(f"setuid {NOBODY}")
    check(p.expect("setuid", timeout=10)[1] == "ok", "setuid failed")
    p.send("leak")
    p.expect("sock", timeout=10)
    try:
        c.wait_count(pid, "leak", 1)
    except Fail as e:
        raise Fail(f"{e}; stderr {p.stderr()[-300:]!r}")
    finish(p)
    check(not said(p, "cannot open log"), f"stderr: {p.stderr()[-300:]!r}")
    # A process without a socket that changes credentials (a cron job's child) leaves no file.
    q = c.spawn([shutil.which("setpriv"), f"--reuid={NOBODY}", f"--regid={NOBODY}",
                 "--clear-groups", "/bin/true"], name="setpriv")
    check(q.wait(10) == 0, f"setpriv: {q.stderr()[-200:]!r}")
    check(not os.path.exists(f"{c.prefix}.{q.pid}"), "an empty log for a process with no socket")


def task_uids(pid):
    out = {}
    for t in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{t}/status") as f:
                for line in f:
                    if line.startswith("Uid:"):
                        out[int(t)] = line.split()[1:]
        except OSError:
            pass
    return out


def raw_setuid(c, raw_thread):
    d = shared_dir(c)
    prefix = os.path.join(d, "log")
    p, pid = host(c, options=c.opts(log_path=prefix, raw_thread=raw_thread))
    p.send("leak")        # starts the watchdog, with root's credentials
    p.expect("sock", timeout=10)
    p.send(f"rawsetuid {NOBODY}")
    check(p.expect("rawsetuid", timeout=10)[1] == "ok", "raw setuid failed")
    c.wait_for(lambda: os.path.exists(f"{prefix}.{pid}"), 10, "the log of the leak")
    owner = os.stat(f"{prefix}.{pid}").st_uid
    check(owner == NOBODY, f"raw_thread={raw_thread}: the log was created by uid {owner} after "
          f"the program dropped to {NOBODY}")
    # The watchdog (the writer of the leak record) now has the program's credentials. Only
    # it: a sanitizer's own background thread is none of sockleak's business.
    path = f"{prefix}.{pid}"
    leak = c.wait_for(lambda: [r for r in LogFile(path, False, pid=pid).records
                               if r["event"] == "leak"], 10, "the leak record")[0]
    uids = task_uids(pid)
    check(uids.get(leak["tid"]) == [str(NOBODY)] * 4,
          f"raw_thread={raw_thread}: the watchdog (tid {leak['tid']}) kept other credentials: "
          f"{uids}")
    finish(p)
    recs = read_log(f"{prefix}.{pid}", pid)
    check(events(recs)[-1] == "exit", f"{events(recs)}")


def case_raw_setuid_watchdog(c):
    """After a raw syscall(SYS_setuid) the watchdog creates no file as root, and takes the
    program's uid (raw_thread=1 and 0)."""
    need_root()
    raw_setuid(c, 1)
    shutil.rmtree(os.path.join(c.dir, "shared"))
    raw_setuid(c, 0)


# --------------------------------------------------------------------------------------------
# 12. Corrupt ELF images

SHT_GNU_HASH = 0x6ffffff6


def gnu_hash_corrupted(src, dst, symoffset):
    """A copy of the ELF64 program src whose .gnu.hash claims symoffset unhashed symbols (its
    .dynsym has a few dozen) and whose Bloom filter is empty, so the loader's own lookups in it
    end at the filter and the program still runs."""
    with open(src, "rb") as f:
        b = bytearray(f.read())
    check(b[:4] == b"\x7fELF" and b[4] == 2, f"{src} is not ELF64")
    shoff, = struct.unpack_from("<Q", b, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", b, 0x3a)
    for i in range(shnum):
        sh = shoff + i * shentsize
        if struct.unpack_from("<I", b, sh + 4)[0] == SHT_GNU_HASH:
            off, = struct.unpack_from("<Q", b, sh + 0x18)
            nbuckets, _, bloom_size, _ = struct.unpack_from("<IIII", b, off)
            struct.pack_into("<I", b, off + 4, symoffset)
            b[off + 16:off + 16 + 8 * bloom_size] = bytes(8 * bloom_size)
            break
    else:
        raise Skip(f"{src} has no .gnu.hash")
    with open(dst, "wb") as f:
        f.write(b)
    os.chmod(dst, 0o755)


def case_corrupt_gnu_hash(c):
    """A program whose GNU hash table says 65,536 symbols come before the hashed ones (its
    .dynsym has a few dozen): the constructor's look for socket() among its imports reads none
    past the object's mapped segments, and the program exits 0 as it does without sockleak."""
    exe = os.path.join(c.dir, "true")
    gnu_hash_corrupted("/bin/true", exe, 65536)
    r = subprocess.run([exe], capture_output=True, timeout=10, env=c.env(preload=False))
    if r.returncode != 0:
        raise Skip(f"the patched /bin/true does not run even without the preload: {r}")
    r = subprocess.run([exe], capture_output=True, timeout=10, env=c.env())
    check(r.returncode == 0, f"the patched /bin/true under the preload: exit status "
          f"{r.returncode}, stderr {r.stderr[-300:]!r}")


CASES = [
    ("log_symlink_not_followed", case_log_symlink_not_followed),
    ("log_planted_file_not_used", case_log_planted_file_not_used),
    ("log_fifo_no_hang", case_log_fifo_no_hang),
    ("log_created_0600_and_own_appended", case_log_created_0600_and_own_appended),
    ("secure_mode", case_secure_mode),
    ("global_preload_execs_tracked", case_global_preload_execs_tracked),
    ("vfork_exec_syslog_no_file", case_vfork_exec_syslog_no_file),
    ("vfork_exec_long_record", case_vfork_exec_long_record),
    ("suppressions_fifo", case_suppressions_fifo),
    ("suppressions_dev_stdin", case_suppressions_dev_stdin),
    ("suppressions_too_large", case_suppressions_too_large),
    ("full_disk", case_full_disk),
    ("file_size_limit", case_file_size_limit),
    ("logrotate", case_logrotate),
    ("setuid_before_first_record", case_setuid_before_first_record),
    ("raw_setuid_watchdog", case_raw_setuid_watchdog),
    ("summary_names_escaped", case_summary_names_escaped),
    ("corrupt_gnu_hash", case_corrupt_gnu_hash),
]

if __name__ == "__main__":
    sys.exit(main("hostile", __doc__, CASES, case_timeout=90))
