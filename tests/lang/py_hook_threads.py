# Two threads inside sockleak's audit hook at once: a server thread accepts while the main
# thread's connect is inside the hook. The GIL passes between threads at any bytecode, the
# hook's own too (every switch interval), so this happens by chance in any threaded program;
# here it happens every run: the hook asks the connecting socket for its fileno(), and this
# socket's fileno() lets the server accept and waits until it has. Both accepted sockets leak
# after EOF from the same line, so they are one site, named after serve() at the accept.
import os
import socket
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from leakwait import wait_leaks  # noqa: E402

srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen()
addr = srv.getsockname()
go = threading.Event()
accepted = threading.Event()
kept = []


def serve():
    go.wait(10)
    for _ in range(2):
        c, _ = srv.accept()  # ACCEPT-LINE
        accepted.set()
        while c.recv(100):
            pass
        kept.append(c)  # forgot c.close()


class HeldInHook(socket.socket):
    hold = False

    def fileno(self):
        if self.hold:  # called by the hook on this socket's connect
            self.hold = False
            go.set()
            print("held in the hook, server accepted: %s" % accepted.wait(10), flush=True)
        return super().fileno()


t = threading.Thread(target=serve)
t.start()
first = socket.create_connection(addr)  # waits in the backlog until go
first.sendall(b"x")
first.close()
second = HeldInHook()
second.hold = True
second.connect(addr)
go.set()  # without the hook (python=0), nothing held the connect
second.sendall(b"x")
second.close()
t.join()
wait_leaks(2)  # past grace_ms: both reported while they are open
srv.close()
