"""Case 5: an unmodified interpreter leaks. Debian's /usr/bin/python3 runs this under the
preload; the server reads one connection to EOF and keeps the socket object alive (in a list,
so garbage collection cannot close it for us) without closing it: an `eof_unclosed` leak that
sockleak must report from inside CPython's own recv() calls.

Prints "port P", then "sock FD INODE" once the leak is made; waits for stdin to close."""
import os
import select
import socket
import sys

kept = []  # the leak: referenced forever, never closed

srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.bind(("127.0.0.1", 0))
srv.listen(8)
print("port", srv.getsockname()[1], flush=True)

conn, _ = srv.accept()
while conn.recv(4096):
    pass
kept.append(conn)
print("sock", conn.fileno(), os.fstat(conn.fileno()).st_ino, flush=True)

select.select([sys.stdin], [], [], 60)  # bounded wait for the driver
