#!/usr/bin/env python3
"""A whole loopback connection a loop turn, for callgrind (docs/performance.md, "Python"):
connect, accept, recv to EOF, close. The instructions a connection are the difference between
two runs (N = 100 and 300) divided by 200, with SOCKLEAK_OPTIONS=python=0 and python=1:
  valgrind --tool=callgrind --trace-children=yes env LD_PRELOAD=build/libsockleak.so \\
      SOCKLEAK_OPTIONS=summary=0:python=1 /usr/bin/python3 bench/python_conn.py 300
"""
import socket, sys
N = int(sys.argv[1])
srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen(128)
addr = srv.getsockname()
def handle(c):
    while c.recv(100):
        pass
    c.close()
for _ in range(N):
    s = socket.create_connection(addr); s.sendall(b"x"); s.close()
    c, _ = srv.accept(); handle(c)
