#!/usr/bin/env python3
"""Generate a synthetic sockleak log (docs/log-format.md) for bench/report-bench.sh.
usage: report-gen.py OUT LINES SOCKETS MODULE
LINES records in all; at most SOCKETS distinct leaked sockets (the rest of the lines are
close_shared/fork/exit/unknown records on those sockets and processes), 500 processes,
2,000 distinct stacks whose frames point into MODULE (a real -g binary)."""
import random, re, subprocess, sys

out, nlines, nsock, module = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
# the module's real build-id: the report reads a module from disk only when it matches
notes = subprocess.run(["readelf", "-n", module], capture_output=True, text=True).stdout
bid = '"%s"' % re.search(r"Build ID: ([0-9a-f]+)", notes).group(1)
random.seed(6)
T0 = 1764000000000000000
NPROC, NSTACK = 500, 2000
boot = "0b0b0b0b-1111-2222-3333-444455556666"
w = open(out, "w", buffering=1 << 20)
n = 0
def emit(s):
    global n
    w.write(s + "\n"); n += 1
stacks = {}
for p in range(NPROC):
    pid = 1000 + p
    emit('{"v":1,"event":"start","ts_ns":%d,"pid":%d,"tid":%d,"ppid":1,"exe":"%s","argv0":"app","boot_id":"%s","host":"bench","version":"0.1.0","origin":"exec","options":{"grace_ms":300}}' % (T0 + p, pid, pid, module, boot))
for s in range(NSTACK):
    pid = 1000 + s % NPROC
    frames = ",".join('{"ip":"0x%x","module":"%s","offset":"0x%x","symbol":null,"build_id":%s}' % (0x550000000000 + 0x1100 + (s * 7 + f * 13) % 0x600, module, 0x1100 + (s * 7 + f * 13) % 0x600, bid) for f in range(8))
    emit('{"v":1,"event":"stack","ts_ns":%d,"pid":%d,"tid":%d,"id":"%016x","frames":[%s]}' % (T0 + 1000 + s, pid, pid, s + 1, frames))
kinds = ["eof_unclosed", "close_wait", "exit_open"]
i = 0
while n < nlines:
    k = i % nsock
    pid = 1000 + k % NPROC
    ts = T0 + 10**9 + i * 1000
    r = i // nsock
    if r == 0:
        emit('{"v":1,"event":"leak","ts_ns":%d,"pid":%d,"tid":%d,"kind":"%s","fd":%d,"fds":[%d],"inode":%d,"gen":1,"family":"inet","local":"10.0.0.1:8080","peer":"10.0.%d.%d:%d","tcp_state":"CLOSE_WAIT","role":"accepted","age_ms":%d,"open_age_ms":%d,"open_ts_ns":%d,"eof_ts_ns":null,"cw_ts_ns":%d,"open_stack":"%016x","eof_stack":"%016x","last_io_stack":null,"shared_with":[],"inherited":false}' % (
            ts, pid, pid + 1, kinds[k % 3], 5 + k % 1000, 5 + k % 1000, 100000 + k, (k >> 8) & 255, k & 255, 30000 + k % 30000,
            300 + k % 700, 400 + k % 700, ts - 10**8, ts - 10**7, 1 + k % NSTACK, 1 + (k * 3) % NSTACK))
    elif r % 3 == 1:
        emit('{"v":1,"event":"close_shared","ts_ns":%d,"pid":%d,"tid":%d,"fd":%d,"inode":%d,"remaining_fds":[],"shared_with":[%d],"stack":"%016x"}' % (ts, pid, pid, 5 + k % 1000, 100000 + k, pid + 1, 1 + k % NSTACK))
    elif r % 3 == 2:
        emit('{"v":2,"event":"heartbeat","ts_ns":%d,"pid":%d,"tid":%d,"tracked":%d,"note":"an event of a newer version, which this analyser ignores"}' % (ts, pid, pid, k))
    else:
        emit('{"v":1,"event":"exit","ts_ns":%d,"pid":%d,"tid":%d,"tracked":10,"open":3,"leaked":3,"enforced":0}' % (ts, pid, pid))
    i += 1
w.close()
