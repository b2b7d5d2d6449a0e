"""For test programs in Python run under the preload (tests/lang): wait with a deadline until
the library has written this process's leak records, rather than sleeping "past grace_ms" and
hoping a loaded machine kept up. The log is the file PREFIX.PID of SOCKLEAK_OPTIONS's log_path
(`sockleak run` sets one). Standard library only."""

import json
import os
import sys
import time


def log_file():
    """This process's log file, or None when the records go elsewhere (stderr, syslog)."""
    path = None
    for item in os.environ.get("SOCKLEAK_OPTIONS", "").split(":"):
        if item.startswith("log_path="):
            path = item[len("log_path="):]  # the last one counts, as in the library
    if not path or path in ("stderr", "syslog") or path.startswith("syslog"):
        return None
    return "%s.%d" % (path, os.getpid())


def leak_records(path):
    out = []
    try:
        with open(path, "rb") as f:
            lines = f.read().split(b"\n")
    except OSError:
        return out
    for line in lines[:-1]:  # the last piece is empty or a line still being written
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        if isinstance(rec, dict) and rec.get("event") == "leak":
            out.append(rec)
    return out


def wait_leaks(n, timeout=20.0):
    """Until n leak records of this process are in its log, or timeout seconds: a bounded poll.
    Says so on stderr when they did not come (the test then fails on what it finds)."""
    path = log_file()
    if path is None:
        sys.stderr.write("leakwait: no log_path in SOCKLEAK_OPTIONS\n")
        return
    deadline = time.monotonic() + timeout
    while len(leak_records(path)) < n:
        if time.monotonic() > deadline:
            sys.stderr.write("leakwait: not %d leak records in %s within %.0f s\n"
                             % (n, path, timeout))
            return
        time.sleep(0.02)
