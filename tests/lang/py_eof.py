# A threaded Python server whose handler reads to EOF and forgets close(): the EOF stack must
# name handle() at the recv line (CPython raises no audit event there; the library calls the
# hook back from the thread that read it).
import os
import socket
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from leakwait import wait_leaks  # noqa: E402

srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen()
port = srv.getsockname()[1]
kept = []


def handle(c):
    while True:
        data = c.recv(100)  # EOF-LINE
        if not data:
            break
    kept.append(c)  # forgot c.close()


def serve():
    for _ in range(2):
        c, _ = srv.accept()
        handle(c)


t = threading.Thread(target=serve)
t.start()
for _ in range(2):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"x")
    s.close()
t.join()
wait_leaks(2)  # past grace_ms: both reported while they are open
srv.close()
