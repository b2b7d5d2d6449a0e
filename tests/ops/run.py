#!/usr/bin/env python3
"""Operations tests (issue 14) with the real components, all on loopback:

- `sockleak top --once --format json|prometheus|text` finds leaking servers with the right
  CLOSE_WAIT counts: under the preload (sites joined from the log its SOCKLEAK_OPTIONS names),
  without it (IPv6), and statically linked; hostile command names are escaped on the terminal.
- `sockleak exporter` scraped by Debian's real `prometheus` (private config and data directory,
  1 s scrape interval, the alert rule of docs/operations.md loaded): Prometheus's HTTP API
  reports sockleak_close_wait_sockets for the server's pid equal to the connections leaked.
- log_path=syslog:PATH through a real rsyslogd (foreground, private config, imuxsock on a
  private socket, omfile): `sockleak report` on rsyslog's file gives the same sites as the
  file log of the same program; a missing syslog socket never blocks and is said once.
- `journalctl -o json` input: journald does not run here, so entries in journalctl's exact
  output format are generated from a real log (with other programs' entries, a byte-array
  MESSAGE and a MESSAGE journalctl left out) and read by `sockleak report`.

Every wait is a poll with a deadline; every process started is killed by its pid at the end
of its case. Prints "ok NAME" / "FAIL NAME: reason", then "N passed, M failed"; --results FILE
gets "PASSED FAILED". Standard library only."""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from harness import (Fail, case_list, check, clean_env, free_port, log_records,  # noqa: E402
                     read_line, run_cases)
import logformat  # noqa: E402

A = None
CASES, case = case_list()
GRACE_MS, SCAN_MS = 200, 50
OPTS = f"grace_ms={GRACE_MS}:scan_ms={SCAN_MS}"
NLEAK = 3


class Procs:
    """Processes a case started; all killed (by pid) when the case ends."""

    def __init__(self):
        self.ps = []

    def start(self, argv, env=None, **kw):
        e = clean_env(env)
        kw.setdefault("stdout", subprocess.PIPE)
        kw.setdefault("stderr", subprocess.PIPE)
        p = subprocess.Popen(argv, env=e, stdin=subprocess.DEVNULL, **kw)
        self.ps.append(p)
        return p

    def close(self):
        for p in self.ps:
            if p.poll() is None:
                p.kill()
            try:
                p.communicate(timeout=10)
            except (subprocess.TimeoutExpired, ValueError):
                pass


def readline(p, deadline):
    """One line of p's stdout before deadline (the server prints its port)."""
    buf = read_line(p.stdout.fileno(), deadline)
    if not buf.endswith(b"\n"):
        p.kill()
        raise Fail(f"stdout closed early (got {buf!r}): {p.communicate()[1].decode()[:500]}")
    return buf.decode().strip()


def leak(port, n=NLEAK, v6=False):
    """n connections that send a request and close: the server keeps each in CLOSE_WAIT."""
    for _ in range(n):
        s = socket.create_connection(("::1" if v6 else "127.0.0.1", port), timeout=5)
        s.sendall(b"GET / HTTP/1.0\r\n\r\n")
        s.close()


def server(procs, binary, env=None, v6=False, name=None, mode=None, argv0=None):
    """op_server: mode "split" reads every second connection in another function; argv0
    runs binary under another argv[0] (the command a log names it by)."""
    argv = [binary] + (["6"] if v6 else []) + ([mode] if mode else [])
    if name:
        argv[0] = name
    kw = {}
    if argv0:
        argv[0], kw["executable"] = argv0, binary
    p = procs.start(argv, env=env, **kw)
    port = int(readline(p, time.monotonic() + 10))
    return p, port


def preload_env(log_path):
    # sanitizer builds: the sanitizer runtime must come before the library
    pre = f"{A.preload_first}:{A.lib}" if A.preload_first else A.lib
    return {"LD_PRELOAD": pre, "SOCKLEAK_OPTIONS": f"{OPTS}:log_path={log_path}"}


def top(*args):
    r = subprocess.run([A.sockleak, "top", "--once"] + list(args), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=30)
    check(r.returncode == 0, f"top {' '.join(args)}: rc {r.returncode}: {r.stderr.decode()[:500]}")
    return r.stdout.decode(errors="replace")


def poll(what, fn, timeout):
    """fn() until it returns something true, or Fail with the last value."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = fn()
        if last and last[0]:
            return last
        time.sleep(0.1)
    raise Fail(f"{what}: not in {timeout} s; last: {str(last)[:1500]}")


def row_of(pid, *extra):
    j = json.loads(top("--format", "json", *extra))
    for p in j["processes"]:
        if p["pid"] == pid:
            return p, j
    return None, j


def want_count(pid, n, *extra):
    def f():
        row, j = row_of(pid, *extra)
        return (row is not None and row["close_wait"] == n, row, j)
    return poll(f"top shows pid {pid} with {n} CLOSE_WAIT", f, 15)[1]


# ---------------------------------------------------------------------------------------------
# top

@case
def top_json_preloaded_joins_sites_from_its_log(tmp, procs):
    p, port = server(procs, A.bin + "/op_server", preload_env(tmp + "/log"))
    leak(port)
    # the leak records come after grace_ms, not necessarily in one scan; the site is joined
    # from PREFIX.PID once all of them are there
    def f():
        row, _ = row_of(p.pid)
        return (row and row["close_wait"] == NLEAK and row["sites"] and
                sum(s["sockets"] for s in row["sites"]) == NLEAK, row)
    row = poll("site joined", f, 15)[1]
    check(row["preload"] is True, f"preload not seen: {row}")
    check(row["log"] == f"{tmp}/log.{p.pid}", f"log: {row['log']}")
    site = row["sites"][0]
    check(re.fullmatch(r".*op_server\.c:\d+ in main", site["site"]) and site["sockets"] == NLEAK
          and site["rank"] == 1 and site["kind"] == "eof_unclosed", f"site: {row['sites']}")
    check(row["hint"] is None and row["delta"] is None, f"row: {row}")
    check(row["comm"] == "op_server" and row["user"] and row["oldest_age_ms"] is not None, str(row))
    check(row["peers"][0] == {"addr": "127.0.0.1", "sockets": NLEAK}, f"peers {row['peers']}")
    check(row["local_ports"][0] == {"port": port, "sockets": NLEAK}, f"ports {row['local_ports']}")
    text = top("--format", "text", "--color", "never")
    check(re.search(rf"site #1: eof_unclosed at .*op_server\.c:\d+ in main \({NLEAK} sockets\)",
                    text), text)
    check("estimate" in text, "the text view says ages are estimates")


@case
def top_reads_no_log_its_process_does_not_own(tmp, procs):
    """The log a process's SOCKLEAK_OPTIONS names is hostile input: a symlink there, a file
    of another user, or one of its user's that others may write (the preload never appends to
    such a file) is not read (the process runs as nobody; its log path is root's)."""
    check(os.geteuid() == 0 and shutil.which("setpriv"), "needs root and setpriv (util-linux)")
    # a real log of a real leak, made by root, placed where nobody's process says its log is
    a = run_leaker(procs, preload_env(tmp + "/real"), 1)
    path = f"{tmp}/real.{a.pid}"
    poll("leak record", lambda: (log_records(tmp + "/real", a.pid, "leak"),), 15)
    os.chmod(tmp, 0o755)
    env = preload_env(tmp + "/planted")
    p = procs.start(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                     A.bin + "/op_server"], env=env)
    port = int(readline(p, time.monotonic() + 10))
    leak(port, 1)
    want_count(p.pid, 1)
    ss = subprocess.run(["ss", "-Htne", "state", "close-wait", f"( sport = :{port} )"],
                        stdout=subprocess.PIPE, timeout=10).stdout.decode()
    ino = re.search(r"ino:(\d+)", ss)
    check(ino, f"ss: {ss}")
    # the record of a's socket made into one of p's: p's pid, p's socket
    text = open(path).read().replace(f'"pid":{a.pid}', f'"pid":{p.pid}')
    text = re.sub(r'"inode":\d+', f'"inode":{ino.group(1)}', text)
    with open(f"{tmp}/planted.{p.pid}", "w") as f:  # root's file under nobody's log name
        f.write(text)
    row = want_count(p.pid, 1)
    check(row["preload"] and row["sites"] == [], f"a file nobody does not own was read: {row}")
    # nobody's own file, but anyone may write it: records in it can be anyone's
    os.chown(f"{tmp}/planted.{p.pid}", 65534, 65534)
    os.chmod(f"{tmp}/planted.{p.pid}", 0o666)
    row = want_count(p.pid, 1)
    check(row["sites"] == [], f"a log others may write was read: {row}")
    os.unlink(f"{tmp}/planted.{p.pid}")
    os.symlink(path, f"{tmp}/planted.{p.pid}")
    row = want_count(p.pid, 1)
    check(row["sites"] == [], f"a symlink was followed: {row}")


@case
def top_json_without_preload_ipv6(tmp, procs):
    p, port = server(procs, A.bin + "/op_server", v6=True)
    leak(port, v6=True)
    row = want_count(p.pid, NLEAK)
    check(row["preload"] is False and row["sites"] == [], str(row))
    check(row["hint"] and "LD_PRELOAD" in row["hint"], f"hint: {row['hint']}")
    check(row["peers"][0]["addr"] == "[::1]", f"peers {row['peers']}")


@case
def top_json_static_binary(tmp, procs):
    p, port = server(procs, A.bin + "/op_server_static")
    leak(port, 2)
    want_count(p.pid, 2)


@case
def top_counts_change_and_sorts_by_count(tmp, procs):
    a, pa = server(procs, A.bin + "/op_server")
    b, pb = server(procs, A.bin + "/op_server")
    leak(pa, 1)
    leak(pb, 2)
    want_count(b.pid, 2)
    want_count(a.pid, 1)
    # Two refreshes in one run: the second carries the change since the first.
    out = subprocess.Popen([A.sockleak, "top", "--format", "json", "--interval", "0.5"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    procs.ps.append(out)
    dec = json.JSONDecoder()
    buf, docs = "", []
    deadline = time.monotonic() + 15
    leaked_more = False
    import select
    while time.monotonic() < deadline:
        r, _, _ = select.select([out.stdout], [], [], 0.2)
        if r:
            buf += os.read(out.stdout.fileno(), 65536).decode()
        while True:
            s = buf.lstrip()
            try:
                doc, end = dec.raw_decode(s)
            except ValueError:
                break
            docs.append(doc)
            buf = s[end:]
        if docs and not leaked_more:
            leak(pa, 2)
            leaked_more = True
        rows = {p["pid"]: p for p in docs[-1]["processes"]} if docs else {}
        if a.pid in rows and rows[a.pid]["close_wait"] == 3 and rows[a.pid]["delta"] == 2:
            break
    else:
        raise Fail(f"no refresh with the change +2: {docs[-2:] if docs else buf[:500]}")
    pids = [p["pid"] for p in docs[-1]["processes"]]
    check(pids.index(a.pid) < pids.index(b.pid), f"not sorted by count: {pids}")
    out.send_signal(signal.SIGTERM)
    check(out.wait(timeout=10) == 0, "top did not stop on SIGTERM")


@case
def top_text_escapes_hostile_command_names(tmp, procs):
    evil = os.path.join(tmp, "op\x1b]0;owned\x07\x1b[2J")
    shutil.copy(A.bin + "/op_server", evil)
    p, port = server(procs, evil, name=evil)
    leak(port, 1)
    want_count(p.pid, 1)
    text = top("--format", "text", "--color", "never")
    check("\x1b" not in text and "\x07" not in text, "raw control bytes on the terminal")
    check("op\\x1b]0;owned\\x07\\x1b[" in text, f"escaped name not shown:\n{text}")
    prom = top("--format", "prometheus")
    check("\x1b" not in prom, "raw control bytes in the metrics")


@case
def top_prometheus_format(tmp, procs):
    p, port = server(procs, A.bin + "/op_server")
    leak(port)
    want_count(p.pid, NLEAK)
    prom = top("--format", "prometheus")
    check(re.search(rf'^sockleak_close_wait_sockets{{pid="{p.pid}",comm="op_server"}} {NLEAK}$',
                    prom, re.M), prom[:2000])
    check(re.search(rf'^sockleak_close_wait_oldest_seconds{{pid="{p.pid}",comm="op_server"}} [0-9.]+$',
                    prom, re.M), prom[:2000])
    check("# TYPE sockleak_scrape_duration_seconds gauge" in prom, prom[:2000])
    r = subprocess.run(["promtool", "check", "metrics"], input=prom.encode(),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=30)
    check(r.returncode == 0, f"promtool check metrics: {r.stdout.decode()[:1000]}")


@case
def top_without_root_counts_what_it_cannot_attribute(tmp, procs):
    """As nobody: root's leaking server is not listed, its sockets are counted as unattributed,
    and the text view says why."""
    check(os.geteuid() == 0 and shutil.which("setpriv"), "needs root and setpriv (util-linux)")
    p, port = server(procs, A.bin + "/op_server")
    leak(port)
    want_count(p.pid, NLEAK)
    as_nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", A.sockleak,
                 "top", "--once"]
    r = subprocess.run(as_nobody + ["--format", "json"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=30)
    check(r.returncode == 0, f"rc {r.returncode}: {r.stderr.decode()}")
    j = json.loads(r.stdout)
    check(all(x["pid"] != p.pid for x in j["processes"]), f"root's process listed: {j}")
    check(j["unattributed"] >= NLEAK, f"unattributed {j['unattributed']}")
    t = subprocess.run(as_nobody + ["--color", "never"], stdout=subprocess.PIPE, timeout=30)
    check(b"could not be attributed" in t.stdout and b"run as root" in t.stdout, t.stdout[-400:])


@case
def prometheus_series_stay_bounded(tmp, procs):
    a, pa = server(procs, A.bin + "/op_server")
    b, pb = server(procs, A.bin + "/op_server")
    leak(pa, 2)
    leak(pb, 1)
    want_count(a.pid, 2)
    want_count(b.pid, 1)
    prom = top("--format", "prometheus", "--max-series", "1")
    rows = re.findall(r'^sockleak_close_wait_sockets\{pid="([^"]+)",comm="[^"]*"\} (\d+)$', prom, re.M)
    check(len(rows) == 2 and rows[1][0] == "other", f"one series, then other: {rows}")
    check(sum(int(n) for _, n in rows) >= 3, f"counts kept in the sum: {rows}")


# ---------------------------------------------------------------------------------------------
# one notion of a site (issue 12): report, top and the exporter group the same log alike

def report_json(path):
    r = subprocess.run([A.sockleak, "report", "--format", "json", path], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60)
    check(r.returncode == 0, f"report {path}: rc {r.returncode}: {r.stderr.decode()[:800]}")
    return json.loads(r.stdout)


LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def leaked_series(prom):
    """[(labels, value)] of sockleak_leaked_sockets_total in a metrics text."""
    return [(dict(LABEL.findall(m.group(1))), int(m.group(2))) for m in
            re.finditer(r'^sockleak_leaked_sockets_total\{(.*)\} (\d+)$', prom, re.M)]


def leaks_logged(prefix, pid, n):
    poll(f"{n} leak records of {pid}",
         lambda: (len(log_records(prefix, pid, "leak")) >= n,), 15)


def sites_in_row(pid, n, *extra):
    """top's row of pid once n of its sockets are named by sites."""
    def f():
        row, _ = row_of(pid, *extra)
        return (row and sum(s["sockets"] for s in row["sites"]) == n, row)
    return poll(f"top names {n} sockets of {pid} by sites", f, 15)[1]


def site_view(sites):
    """What must agree between report, top and the exporter: kind family, number, sockets."""
    return sorted((s["kind"], s["rank"], s["sockets"]) for s in sites)


@case
def top_and_exporter_split_sites_report_splits(tmp, procs):
    """One accept() line, two EOF reads (op_server split): report finds two eof_unclosed
    sites; top's row and the exporter's series must be those two, not one per open frame."""
    logs = tmp + "/logs"
    os.mkdir(logs)
    p, port = server(procs, A.bin + "/op_server", preload_env(logs + "/log"), mode="split")
    leak(port)  # two read to EOF by handle(), one by handle_other()
    leaks_logged(logs + "/log", p.pid, NLEAK)
    rep = report_json(logs)["sites"]
    check(len(rep) == 2 and all(s["kind"] == "eof_unclosed" for s in rep),
          f"report: {[(s['kind'], s['title'], s['sockets']) for s in rep]}")
    for extra in ((), ("--logs", logs)):  # its own log from its environment, then --logs
        row = sites_in_row(p.pid, NLEAK, *extra)
        check(len(row["sites"]) == len(rep),
              f"top {' '.join(extra)}: {len(row['sites'])} site(s) {row['sites']}, report 2")
        check(site_view(row["sites"]) == site_view(rep),
              f"top {' '.join(extra)}: {row['sites']}; report: {site_view(rep)}")
        check(all(re.fullmatch(r".*op_server\.c:\d+ in main", s["site"]) for s in row["sites"]),
              f"named by the open frame, as the report's location: {row['sites']}")
    keys = {s["key"] for s in row["sites"]}
    check(len(keys) == 2 and all(re.fullmatch(r"[0-9a-f]{16}", k) for k in keys), str(keys))
    check({s.get("key") for s in rep} == keys, f"report's site keys {[s.get('key') for s in rep]}, top's {keys}")
    text = top("--format", "text", "--color", "never", "--logs", logs)
    check(len(re.findall(r"site #[12]: eof_unclosed at .*op_server\.c:\d+ in main "
                         r"\((1 socket|2 sockets)\)", text)) == 2, text)
    prom = top("--format", "prometheus", "--logs", logs)
    r = subprocess.run(["promtool", "check", "metrics"], input=prom.encode(),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=30)
    check(r.returncode == 0, f"promtool check metrics: {r.stdout.decode()[:1000]}")
    series = leaked_series(prom)
    check(sorted(v for _, v in series) == sorted(s["sockets"] for s in rep) and
          {lb.get("site_key") for lb, _ in series} == keys and
          all(lb["kind"] == "eof_unclosed" and lb["comm"] == "op_server" for lb, _ in series),
          f"exporter: {series}; top keys {keys}")


@case
def top_and_exporter_merge_sites_report_merges(tmp, procs):
    """One site in two processes the logs name differently (argv[0]): the report's one site is
    one series, not one per command, and the same site (key, number) in each process's row."""
    logs = tmp + "/logs"
    os.mkdir(logs)
    env = preload_env(logs + "/log")
    a, pa = server(procs, A.bin + "/op_server", env)
    b, pb = server(procs, A.bin + "/op_server", env, argv0="op_server_b")
    leak(pa, 1)
    leak(pb, 2)
    leaks_logged(logs + "/log", a.pid, 1)
    leaks_logged(logs + "/log", b.pid, 2)
    rep = report_json(logs)["sites"]
    check(len(rep) == 1 and rep[0]["sockets"] == 3, f"report: {rep}")
    series = leaked_series(top("--format", "prometheus", "--logs", logs))
    check(len(series) == 1, f"exporter: {len(series)} series {series}, report 1 site")
    rows = [sites_in_row(pid, n, "--logs", logs) for pid, n in ((a.pid, 1), (b.pid, 2))]
    check(all(len(r["sites"]) == 1 and r["sites"][0].get("rank") == 1 for r in rows) and
          rows[0]["sites"][0]["key"] == rows[1]["sites"][0]["key"],
          f"top rows: {[r['sites'] for r in rows]}")
    check(series[0][1] == 3 and
          series[0][0].get("site_key") == rows[0]["sites"][0]["key"],
          f"exporter: {series}; report: 1 site of 3 sockets")
    # the command of the site's first leak, as the report's "first:" line names its process
    first = rep[0]["first"]["process"]
    check(series[0][0]["comm"] in first, f"comm {series[0][0]['comm']!r}, first {first!r}")


# ---------------------------------------------------------------------------------------------
# exporter + Prometheus

def alert_rule_from_docs():
    """The alert rule block of docs/operations.md (```yaml after the "alert rule" marker)."""
    text = open(os.path.join(A.top, "docs/operations.md")).read()
    m = re.search(r"<!-- alert-rule -->\s*```yaml\n(.*?)```", text, re.S)
    check(m, "docs/operations.md has no <!-- alert-rule --> yaml block")
    return m.group(1)


def http_get(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.status, r.read().decode()


@case
def exporter_scraped_by_prometheus(tmp, procs):
    check(shutil.which("prometheus"), "prometheus not installed (scripts/deps.sh check)")
    logs = tmp + "/logs"
    os.mkdir(logs)
    # two sites at one accept() line (split): Prometheus must see the report's two series
    srv, port = server(procs, A.bin + "/op_server", preload_env(logs + "/log"), mode="split")
    leak(port)
    ex = procs.start([A.sockleak, "exporter", "--listen", "127.0.0.1:0", "--logs", logs])
    line = ex.stderr.readline().decode()
    m = re.search(r"listening on http://127\.0\.0\.1:(\d+)/metrics", line)
    check(m, f"exporter: {line}")
    xport = int(m.group(1))
    st, body = http_get(f"http://127.0.0.1:{xport}/metrics")
    check(st == 200 and "sockleak_close_wait_sockets" in body, body[:500])
    rules = tmp + "/rules.yml"
    with open(rules, "w") as f:
        f.write(alert_rule_from_docs())
    r = subprocess.run(["promtool", "check", "rules", rules], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=30)
    check(r.returncode == 0, f"promtool check rules (docs/operations.md): {r.stdout.decode()}")
    pport = free_port()
    conf = tmp + "/prometheus.yml"
    with open(conf, "w") as f:
        f.write(f"""global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: ["{rules}"]
scrape_configs:
  - job_name: sockleak
    static_configs:
      - targets: ["127.0.0.1:{xport}"]
""")
    prom = procs.start(["prometheus", f"--config.file={conf}",
                        f"--storage.tsdb.path={tmp}/data", f"--web.listen-address=127.0.0.1:{pport}",
                        "--log.level=warn"], stdout=subprocess.DEVNULL)
    q = urllib.parse.quote(f'sockleak_close_wait_sockets{{pid="{srv.pid}"}}')

    def f():
        if prom.poll() is not None:
            raise Fail(f"prometheus exited: {prom.stderr.read().decode()[-1500:]}")
        try:
            st, body = http_get(f"http://127.0.0.1:{pport}/api/v1/query?query={q}")
        except OSError as e:
            return (False, str(e))
        res = json.loads(body)["data"]["result"]
        return (res and res[0]["value"][1] == str(NLEAK), res)
    res = poll("Prometheus sees the CLOSE_WAIT count", f, 25)[1]
    check(res[0]["metric"].get("comm") == "op_server", str(res))
    # the leak counts from the logs, once the records are written (grace_ms) and scraped
    q2 = urllib.parse.quote('sum(sockleak_leaked_sockets_total{comm="op_server"})')

    def g():
        st, body = http_get(f"http://127.0.0.1:{pport}/api/v1/query?query={q2}")
        res = json.loads(body)["data"]["result"]
        return (res and res[0]["value"][1] == str(NLEAK), res)
    poll("Prometheus sees the leaks from the logs", g, 15)
    q3 = urllib.parse.quote('count(sockleak_leaked_sockets_total{comm="op_server"})')
    st, body = http_get(f"http://127.0.0.1:{pport}/api/v1/query?query={q3}")
    res = json.loads(body)["data"]["result"]
    check(res and res[0]["value"][1] == "2", f"series (the report's 2 sites): {res}")
    st, body = http_get(f"http://127.0.0.1:{pport}/api/v1/rules")
    check("SockleakCloseWaitGrowing" in body, f"alert rule not loaded: {body[:500]}")
    ex.send_signal(signal.SIGTERM)
    check(ex.wait(timeout=10) == 0, "exporter did not stop on SIGTERM")


# ---------------------------------------------------------------------------------------------
# syslog and journald

def report_sites(path):
    r = subprocess.run([A.sockleak, "report", "--format", "json", path], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60)
    check(r.returncode == 0, f"report {path}: rc {r.returncode}: {r.stderr.decode()[:800]}")
    j = json.loads(r.stdout)
    sites = sorted((s.get("kind"), s.get("sockets"), (s.get("location") or {}).get("function"),
                    (s.get("location") or {}).get("file"), (s.get("location") or {}).get("line"))
                   for s in j["sites"])
    return sites, r.stderr.decode()


def run_leaker(procs, env, n=NLEAK):
    """The server, n leaks, then SIGTERM after the leak records are in (the exit record
    needs a normal exit, which the test does not need)."""
    p, port = server(procs, A.bin + "/op_server", env)
    leak(port, n)
    return p


@case
def syslog_through_rsyslogd_gives_the_file_log_sites(tmp, procs):
    check(shutil.which("rsyslogd"), "rsyslog not installed (scripts/deps.sh check)")
    sock, out = tmp + "/syslog.sock", tmp + "/rsyslog.out"
    conf = tmp + "/rsyslog.conf"
    with open(conf, "w") as f:
        f.write(f"""global(maxMessageSize="64k" workDirectory="{tmp}")
module(load="imuxsock" SysSock.Use="off")
input(type="imuxsock" Socket="{sock}")
*.* action(type="omfile" file="{out}")
""")
    rs = procs.start(["rsyslogd", "-n", "-f", conf, "-i", tmp + "/rsyslog.pid"])
    poll("rsyslogd's socket", lambda: (os.path.exists(sock), rs.poll()), 10)
    # the same program, once through syslog and once to a file
    a = run_leaker(procs, preload_env("syslog:" + sock))
    b = run_leaker(procs, preload_env(tmp + "/file"))

    def records(path, pid):
        try:
            return sum(1 for l in open(path, errors="replace") if '"event":"leak"' in l
                       and f"[{pid}]" in l or (f'"pid":{pid},' in l and '"event":"leak"' in l))
        except OSError:
            return 0
    poll("leak records through rsyslog", lambda: (records(out, a.pid) >= NLEAK, records(out, a.pid)), 15)
    poll("leak records in the file", lambda: (records(f"{tmp}/file.{b.pid}", b.pid) >= NLEAK,), 15)
    # other programs' lines in the same file, as in /var/log/syslog
    with open(out, "a") as f:
        f.write("Dec  1 17:00:00 vm CRON[812]: (root) CMD (command -v debian-sa1 > /dev/null)\n")
        f.write("2026-12-01T17:00:01.000000+00:00 vm kernel: [ 1.0] eth0: link up\n")
        f.write('2026-12-01T17:00:02.000000+00:00 vm sockleak[4242]: {"v":1,"event":"leak",\n')
    s_sys, err = report_sites(out)
    s_file, _ = report_sites(f"{tmp}/file.{b.pid}")
    check(s_sys == s_file and s_sys, f"sites differ:\nsyslog {s_sys}\nfile   {s_file}")
    check(f"{out}:" in err and "line(s) of other programs skipped" in err, f"stderr: {err}")
    bad = [l for l in err.splitlines() if re.match(rf"sockleak: {re.escape(out)}:\d+: ", l)]
    check(len(bad) == 1, f"the broken sockleak line is named, nothing else: {err}")
    rs.send_signal(signal.SIGTERM)
    rs.wait(timeout=10)


def rsyslogd(procs, tmp, name, conf_text):
    conf = f"{tmp}/{name}.conf"
    with open(conf, "w") as f:
        f.write(conf_text)
    return procs.start(["rsyslogd", "-n", "-f", conf, "-i", f"{tmp}/{name}.pid"])


@case
def syslog_forwarded_to_a_collector(tmp, procs):
    """The fleet path of docs/operations.md on loopback: a host's rsyslogd forwards sockleak's
    messages over TCP in RFC 5424 to a collector rsyslogd that files them per host."""
    check(shutil.which("rsyslogd"), "rsyslog not installed (scripts/deps.sh check)")
    port = free_port()
    os.mkdir(tmp + "/c")
    os.mkdir(tmp + "/h")
    col = rsyslogd(procs, tmp, "collector", f"""global(maxMessageSize="64k" workDirectory="{tmp}/c")
module(load="imtcp")
input(type="imtcp" port="{port}" address="127.0.0.1")
template(name="perhost" type="string" string="{tmp}/fleet/%HOSTNAME%/sockleak.log")
if $programname == "sockleak" then action(type="omfile" dynaFile="perhost" createDirs="on")
""")
    sock = tmp + "/h/sock"
    host = rsyslogd(procs, tmp, "host", f"""global(maxMessageSize="64k" workDirectory="{tmp}/h")
module(load="imuxsock" SysSock.Use="off")
input(type="imuxsock" Socket="{sock}")
if $programname == "sockleak" then {{
    action(type="omfwd" target="127.0.0.1" port="{port}" protocol="tcp"
           template="RSYSLOG_SyslogProtocol23Format"
           queue.type="LinkedList" queue.size="10000" action.resumeRetryCount="-1")
}}
""")
    poll("host rsyslogd's socket", lambda: (os.path.exists(sock), host.poll(), col.poll()), 10)
    a = run_leaker(procs, preload_env("syslog:" + sock))

    def filed():
        files = [os.path.join(d, f) for d, _, fs in os.walk(tmp + "/fleet") for f in fs]
        n = sum(open(f, errors="replace").read().count('"event":"leak"') for f in files)
        return (n >= NLEAK, files)
    files = poll("records at the collector", filed, 20)[1]
    check(len(files) == 1, f"one host, one file: {files}")
    if A.verbose:
        sys.stderr.write(open(files[0]).read()[:600])
    sites, err = report_sites(tmp + "/fleet")
    check(sites and sites[0][1] == NLEAK and sites[0][2] == "main", f"sites {sites} {err}")


@case
def syslog_priorities_and_header(tmp, procs):
    """The datagram itself: <12> (user.warning) for leak, <14> (user.info) otherwise, ident
    sockleak with the pid, the JSON record as text, read from our own datagram socket."""
    path = tmp + "/dgram.sock"
    rx = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    rx.bind(path)
    rx.settimeout(0.2)
    p = run_leaker(procs, preload_env("syslog:" + path), 1)
    got = []
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not any(b'"event":"leak"' in g for g in got):
        try:
            got.append(rx.recv(1 << 17))
        except socket.timeout:
            pass
    rx.close()
    check(got, "no datagram")
    for g in got:
        m = re.match(rb"<(\d+)>sockleak\[(\d+)\]: (\{.*\})$", g, re.S)
        check(m, f"header: {g[:120]!r}")
        rec = logformat.checked(json.loads(m.group(3)), "syslog datagram", Fail)
        check(int(m.group(2)) == p.pid == rec["pid"], f"pid: {g[:120]!r}")
        check(int(m.group(1)) == (12 if rec["event"] == "leak" else 14), f"priority: {g[:80]!r}")


@case
def syslog_missing_socket_never_blocks_and_says_so_once(tmp, procs):
    p, port = server(procs, A.bin + "/op_server", preload_env(f"syslog:{tmp}/nobody-listens"))
    t0 = time.monotonic()
    leak(port)
    want_count(p.pid, NLEAK)
    # Polled, not slept: the drop is said (the start record is the first one dropped), and the
    # sockets have been leaks for three scans (the kernel's CLOSE_WAIT age, which top reads),
    # so the leak records were written and dropped too.
    os.set_blocking(p.stderr.fileno(), False)
    buf = bytearray()

    def said_and_due():
        try:
            buf.extend(p.stderr.read() or b"")
        except BlockingIOError:
            pass
        row, _ = row_of(p.pid)
        return (b"records are dropped" in buf and row is not None
                and (row["oldest_age_ms"] or 0) >= GRACE_MS + 3 * SCAN_MS, row)
    poll("the drop said and the leaks due", said_and_due, 15)
    p.send_signal(signal.SIGKILL)
    os.set_blocking(p.stderr.fileno(), True)
    _, rest = p.communicate(timeout=10)
    err = (bytes(buf) + rest).decode()
    said = [l for l in err.splitlines() if "records are dropped" in l]
    check(len(said) == 1 and "nobody-listens" in said[0], f"stderr: {err}")
    check(time.monotonic() - t0 < 20, "slow")


def journal_entry(i, ident, pid, msg, host="vm"):
    """One entry as `journalctl -o json` prints it (systemd 252): every value a string, the
    cursor first, MESSAGE as a string, an array of bytes when not UTF-8, null when too big."""
    e = {"__CURSOR": f"s=0f3c;i={i:x};b=add8;m={i:x};t=5f1;x=9a", "__REALTIME_TIMESTAMP":
         str(1796145458663629 + i), "__MONOTONIC_TIMESTAMP": str(1000 + i), "_BOOT_ID": "add8",
         "PRIORITY": "4" if msg and '"event":"leak"' in str(msg) else "6",
         "SYSLOG_FACILITY": "1", "SYSLOG_IDENTIFIER": ident, "SYSLOG_PID": str(pid),
         "_PID": str(pid), "_UID": "0", "_GID": "0", "_COMM": ident[:15],
         "_TRANSPORT": "syslog", "_HOSTNAME": host, "MESSAGE": msg}
    return json.dumps(e, separators=(",", ":"))


@case
def journal_json_gives_the_file_log_sites(tmp, procs):
    b = run_leaker(procs, preload_env(tmp + "/file"))
    path = f"{tmp}/file.{b.pid}"

    poll("leak records", lambda: (len(log_records(tmp + "/file", b.pid, "leak")) >= NLEAK,), 15)
    lines = [l.rstrip("\n") for l in open(path)]
    out = []
    for i, l in enumerate(lines):
        out.append(journal_entry(2 * i, "systemd", 1, "Started session 3 of user root."))
        if i == 1:  # one record as journalctl writes a MESSAGE that is not UTF-8: bytes
            out.append(journal_entry(2 * i + 1, "sockleak", b.pid, list(l.encode())))
        else:
            out.append(journal_entry(2 * i + 1, "sockleak", b.pid, l))
    out.append(journal_entry(9999, "sockleak", b.pid, None))  # over 4096 bytes, no --all
    jpath = tmp + "/journal.json"
    with open(jpath, "w") as f:
        f.write("\n".join(out) + "\n")
    s_j, err = report_sites(jpath)
    s_f, _ = report_sites(path)
    check(s_j == s_f and s_j, f"sites differ:\njournal {s_j}\nfile    {s_f}")
    check(f"{len(lines)} line(s) of other programs skipped" in err, err)
    check(re.search(rf"{re.escape(jpath)}:{len(out)}: journal entry without its MESSAGE .*--all", err), err)


@case
def report_rfc5424_lines_keep_hosts_apart(tmp, procs):
    """Forwarded with RSYSLOG_SyslogProtocol23Format: "<PRI>1 TIME HOST sockleak PID - - MSG".
    The same pid on two hosts is two processes."""
    b = run_leaker(procs, preload_env(tmp + "/file"), 1)
    path = f"{tmp}/file.{b.pid}"

    poll("leak record", lambda: (log_records(tmp + "/file", b.pid, "leak"),), 15)
    lines = [l.rstrip("\n") for l in open(path)]
    out = []
    for host in ("web-1", "web-2"):
        for l in lines:
            if host == "web-2":  # another machine: another boot id
                l = re.sub(r'"boot_id":"[^"]*"', '"boot_id":"00000000-0000-4000-8000-000000000002"', l)
            pri = 12 if '"event":"leak"' in l else 14
            out.append(f"<{pri}>1 2026-12-01T17:00:00.000000+00:00 {host} sockleak {b.pid} - - {l}")
    out.append("<30>1 2026-12-01T17:00:00.000000+00:00 web-1 systemd 1 - - Started x.")
    rpath = tmp + "/fleet.log"
    with open(rpath, "w") as f:
        f.write("\n".join(out) + "\n")
    r = subprocess.run([A.sockleak, "report", "--format", "json", rpath], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60)
    j = json.loads(r.stdout)
    check(j["summary"]["processes"] == 2 and j["summary"]["leaked_sockets"] == 2, str(j["summary"]))
    check("1 line(s) of other programs skipped" in r.stderr.decode(), r.stderr.decode())


def main():
    global A
    ap = argparse.ArgumentParser()
    ap.add_argument("--sockleak", required=True)
    ap.add_argument("--lib", required=True)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--top", default=".")
    ap.add_argument("--results")
    ap.add_argument("--preload-first")
    ap.add_argument("--only")
    ap.add_argument("-v", "--verbose", action="store_true")
    A = ap.parse_args()
    A.sockleak, A.lib, A.bin = (os.path.abspath(x) for x in (A.sockleak, A.lib, A.bin))

    def start(name):
        tmp = tempfile.mkdtemp(prefix="sockleak-ops.")
        procs = Procs()

        def finish():
            procs.close()
            shutil.rmtree(tmp, ignore_errors=True)
        return (tmp, procs), finish
    return run_cases("ops", [(n, lambda a, f=f: f(*a)) for n, f in CASES], start, A.only,
                     A.results)


if __name__ == "__main__":
    sys.exit(main())
