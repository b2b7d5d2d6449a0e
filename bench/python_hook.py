#!/usr/bin/env python3
"""Cost of sockleak's Python hook per connection (docs/performance.md, "Python").

sys.audit("socket.connect", ...) runs every audit hook; sockleak's does what it does on a real
connect: walk the frames, format them, call sockleak_lang_stack() on a tracked socket. Run it
with and without the hook:
  LD_PRELOAD=build/libsockleak.so SOCKLEAK_OPTIONS=python=1:summary=0 python3 bench/python_hook.py
  LD_PRELOAD=build/libsockleak.so SOCKLEAK_OPTIONS=python=0:summary=0 python3 bench/python_hook.py
"""
import socket
import sys
import time

N = 20000
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen()
addr = srv.getsockname()
s = socket.create_connection(addr)


def measure():
    t0 = time.perf_counter()
    for _ in range(N):
        sys.audit("socket.connect", s, addr)
    return (time.perf_counter() - t0) / N * 1e6


def depth2():   # a few frames to walk, like a real call site
    return measure()


def depth1():
    return depth2()


print("%.2f us per socket.connect event (best of 5)" % min(depth1() for _ in range(5)))
s.close()
srv.close()
