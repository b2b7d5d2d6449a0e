# Every socket closed explicitly (close() and a with block): never gc_closed, exit 0.
import socket
import threading

srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen()
port = srv.getsockname()[1]


def serve():
    for _ in range(2):
        c, _ = srv.accept()
        with c:
            c.sendall(b"hi")


t = threading.Thread(target=serve)
t.start()
s = socket.create_connection(("127.0.0.1", port))
s.recv(2)
s.close()
with socket.create_connection(("127.0.0.1", port)) as s2:
    s2.recv(2)
t.join()
srv.close()
