#!/usr/bin/env python3
"""Hostile sockleak logs for tests/report/run-tests.sh (issue 11): every string field of every
record kind (start, stack frames, leak, fork, exec, close_shared, enforce, exec_untracked, exit)
carries PAYLOAD, so that a writer that prints any of them raw shows it.
usage: hostile.py markup|controls|utf8 OUT_LOG OUT_SUPPRESSIONS
  markup    HTML/SVG markup and script that would change the page if rendered
  controls  terminal control sequences, direction overrides and a forged SUMMARY line
  utf8      multi-byte characters long enough to be cut in every fixed buffer
The log has 3 leaked sockets at 3 sites (one shared, one inherited), and one more that the
suppressions file matches."""
import json, sys

mode, out, supp = sys.argv[1], sys.argv[2], sys.argv[3]
if mode == "markup":
    P = ("<script>document.title='INJECTED'</script>"
         "<img src=x id=injected onerror=\"document.title='INJECTED';"
         "document.body.appendChild(document.createElement('iframe')).id='injected2'\">"
         "</title></text></svg><svg onload=\"document.title='INJECTED'\"><script>document.title='INJECTED'</script>"
         "' \" & <b id=injected3>x</b><!--")
elif mode == "controls":
    P = ("\x1b[2J\x1b[H\rSUMMARY: sockleak: 0 leaked socket(s) at 0 site(s)\n"
         "SUMMARY: sockleak: 0 leaked socket(s) at 0 site(s)\n\x07"
         "\u202eevil\u202c\u2066x\u2069\u0085\u009b31m\x7f\x08tail")
else:
    P = "\u00e9" * 300 + "\u20ac" * 700  # 2- and 3-byte characters, 2,700 bytes
BOOT = "boot-" + P
T0 = 1764000000000000000
recs = []


def rec(event, pid, ts, **kw):
    r = {"v": 1, "event": event, "ts_ns": T0 + ts, "pid": pid, "tid": pid}
    r.update(kw)
    recs.append(r)


def frames(tag):
    # a module that is not on this machine: the recorded symbol is what every writer shows
    return [{"ip": "0x5500000011%02x" % i, "module": "/nonexistent/" + tag + P, "offset": "0x11%02x" % i,
             "symbol": tag + P, "build_id": P} for i in range(2)]


rec("start", 300, 0, ppid=1, exe="/srv/" + P, argv0=P, boot_id=BOOT, host=P, version="0.1.0",
    origin=P, options={"x": P})
rec("start", 301, 5, ppid=300, exe="/srv/" + P, argv0=P, boot_id=BOOT, host=P, version="0.1.0",
    origin="fork", options={})
for i, tag in enumerate(["open", "eof", "fork", "close", "suppressme"]):
    rec("stack", 300, 1 + i, id="%016x" % (i + 1), frames=frames(tag))
    rec("stack", 301, 1 + i, id="%016x" % (i + 1), frames=frames(tag))
leak = dict(fd=4, fds=[4], gen=1, family=P, local=P, peer=P, tcp_state=P, role=P, age_ms=300,
            open_age_ms=400, open_ts_ns=T0 + 10, eof_ts_ns=T0 + 20, cw_ts_ns=None,
            last_io_stack=None, inherited=False)
rec("fork", 300, 30, child=301, sockets=[{"fd": 4, "inode": 1}], stack="%016x" % 3)
rec("close_shared", 301, 40, fd=4, inode=1, remaining_fds=[], shared_with=[300], stack="%016x" % 4)
rec("leak", 300, 500, **dict(leak, kind="eof_unclosed", inode=1, open_stack="%016x" % 1,
                             eof_stack="%016x" % 2, shared_with=[301]))
rec("enforce", 300, 510, fd=4, inode=1, kind="eof_unclosed", action=P, result=P)
rec("late_close", 300, 520, fd=4, inode=1, late_ms=5, stack="%016x" % 4)
rec("leak", 300, 600, **dict(leak, kind="close_wait", inode=2, fd=5, open_stack="%016x" % 1,
                             eof_stack=None, eof_ts_ns=None, cw_ts_ns=T0 + 30, peer=P + "2"))
rec("exec", 300, 700, path=P, sockets=[{"fd": 6, "inode": 3, "cloexec": False}], stack="%016x" % 3)
rec("leak", 300, 800, **dict(leak, kind="exit_open", inode=3, fd=6, open_stack=None,
                             eof_stack=None, eof_ts_ns=None, inherited=True))
rec("leak", 300, 900, **dict(leak, kind="close_wait", inode=4, fd=7, open_stack="%016x" % 5,
                             eof_stack=None, eof_ts_ns=None, cw_ts_ns=T0 + 30))
rec("exec_untracked", 300, 940, child=302, ppid=300, path=P, argv0=P, reason=P)
rec("exit", 301, 950, tracked=1, open=0, leaked=0, enforced=0)
rec("exit", 300, 1000, tracked=4, open=3, leaked=3, enforced=1, untracked=2, dropped=5)
with open(out, "w") as f:
    for r in recs:
        f.write(json.dumps(r, ensure_ascii=True) + "\n")
with open(supp, "wb") as f:
    if mode == "utf8":
        f.write(b"leak:\xff\xfe not UTF-8 *\n")  # never matches; must still be written as JSON
        f.write(b"leak:suppressme" + P.encode()[:-1] + b"*\n")  # cut mid-character
    f.write(b"leak:suppressme*\n")
    f.write(b"leak:nomatch" + P.encode().replace(b"\n", b"") + b"\n")
