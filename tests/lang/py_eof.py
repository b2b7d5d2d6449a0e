# A threaded Python server whose handler reads to EOF and forgets close(): the EOF stack must
# name handle() at the recv line (CPython raises no audit event there; the library calls the
# hook back from the thread that read it).
import socket
import threading
import time

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
time.sleep(0.6)  # past grace_ms
srv.close()
