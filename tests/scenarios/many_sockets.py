"""More sockets than the preload asks one by one (128) with scan_with=sock_diag, so the
watchdog uses epoll (the default) or one sock_diag netlink dump: 200 loopback pairs in one
process, the peer closes 5 of them.
Prints the inodes of the 5 server sockets left in CLOSE_WAIT, then waits for "quit" on stdin
(bounded: 20 s)."""
import os
import select
import socket
import sys

l = socket.socket()
l.bind(("127.0.0.1", 0))
l.listen(512)
port = l.getsockname()[1]
clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(200)]
servers = [l.accept()[0] for _ in range(200)]
by_peer = {s.getpeername(): s for s in servers}
for c in clients[:5]:
    print("leak", os.fstat(by_peer[c.getsockname()].fileno()).st_ino, flush=True)
    c.close()
print("ready", flush=True)
select.select([sys.stdin], [], [], 20)
