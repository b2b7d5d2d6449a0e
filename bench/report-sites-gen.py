#!/usr/bin/env python3
"""Generate a sockleak log (docs/log-format.md) with SITES distinct leak sites, for
bench/report-bench.sh: one leaked socket per site, each opened at its own program frame (a
distinct offset in a module that is not on this machine, so the bench measures the analysis,
not elfutils), 1,000 processes.
usage: report-sites-gen.py OUT SITES"""
import sys

out, nsites = sys.argv[1], int(sys.argv[2])
T0 = 1764000000000000000
NPROC = 1000
boot = "0b0b0b0b-1111-2222-3333-444455556666"
mod = "/opt/sockleak-bench/app"
bid = "5a" * 20
w = open(out, "w", buffering=1 << 20)
for p in range(NPROC):
    pid = 1000 + p
    w.write('{"v":1,"event":"start","ts_ns":%d,"pid":%d,"tid":%d,"ppid":1,"exe":"%s","argv0":"app","boot_id":"%s","host":"bench","version":"0.1.0","origin":"exec","options":{}}\n' % (T0 + p, pid, pid, mod, boot))
libc = '{"ip":"0x7f0000029d90","module":"/lib/x86_64-linux-gnu/libc.so.6","offset":"0x29d90","symbol":"accept","build_id":null}'
for s in range(nsites):
    pid = 1000 + s % NPROC
    ts = T0 + 10**9 + s * 1000
    off = 0x10000 + s * 16
    w.write('{"v":1,"event":"stack","ts_ns":%d,"pid":%d,"tid":%d,"id":"%016x","frames":[%s,{"ip":"0x%x","module":"%s","offset":"0x%x","symbol":"handler_%d","build_id":"%s"},{"ip":"0x%x","module":"%s","offset":"0x%x","symbol":"main","build_id":"%s"}]}\n' % (
        ts, pid, pid, s + 1, libc, 0x550000000000 + off, mod, off, s, bid, 0x550000001000, mod, 0x1000, bid))
    w.write('{"v":1,"event":"leak","ts_ns":%d,"pid":%d,"tid":%d,"kind":"close_wait","fd":%d,"fds":[%d],"inode":%d,"gen":1,"family":"inet","local":"10.0.0.1:8080","peer":"10.%d.%d.%d:%d","tcp_state":"CLOSE_WAIT","role":"accepted","age_ms":%d,"open_age_ms":%d,"open_ts_ns":%d,"eof_ts_ns":null,"cw_ts_ns":%d,"open_stack":"%016x","eof_stack":null,"last_io_stack":null,"shared_with":[],"inherited":false}\n' % (
        ts + 500, pid, pid, 5 + s % 1000, 5 + s % 1000, 100000 + s, (s >> 16) & 255, (s >> 8) & 255, s & 255, 30000 + s % 30000,
        300 + s % 700, 400 + s % 700, ts - 10**8, ts - 10**7, s + 1))
for p in range(NPROC):
    pid = 1000 + p
    w.write('{"v":1,"event":"exit","ts_ns":%d,"pid":%d,"tid":%d,"tracked":1000,"open":1000,"leaked":1000,"enforced":0}\n' % (T0 + 10**10 + p, pid, pid))
w.close()
