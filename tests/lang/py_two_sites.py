# Two functions drop a connected socket without close(): the interpreter's finaliser closes
# them (the ResourceWarning path). Expected: exit 23, two gc_closed sites, one per function.
import socket
import threading

srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen()
port = srv.getsockname()[1]


def serve():
    for _ in range(2):
        c, _ = srv.accept()
        c.sendall(b"hi")
        c.close()


t = threading.Thread(target=serve)
t.start()


def first_leak():
    s = socket.create_connection(("127.0.0.1", port))
    s.recv(2)


def second_leak():
    s = socket.create_connection(("127.0.0.1", port))
    s.recv(2)
    return s


first_leak()
kept = second_leak()
t.join()
srv.close()
