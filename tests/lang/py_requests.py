# A requests.Session against a local HTTP/1.1 server that closes idle keep-alive connections
# after 0.1 s: the pooled connection sits in CLOSE_WAIT while the program waits for its leak record. The report
# must name fetch() in this file, at the session.get line, not urllib3 or the interpreter.
import http.server
import os
import sys
import threading

import requests

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from leakwait import wait_leaks  # noqa: E402


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 0.1   # idle keep-alive connections are closed by the server

    def do_GET(self):
        body = b"ok"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
threading.Thread(target=srv.serve_forever, daemon=True).start()
url = "http://127.0.0.1:%d/" % srv.server_address[1]


def fetch(session):
    return session.get(url, timeout=5)  # FETCH-LINE


session = requests.Session()
assert fetch(session).text == "ok"
wait_leaks(1)   # past grace_ms: the idle pooled connection reported in CLOSE_WAIT
srv.shutdown()
