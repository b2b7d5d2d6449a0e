// Two allowHalfOpen servers whose connection handlers, handleA and handleB, greet the client and
// never end the socket: 2 leaks in handleA and 1 in handleB, two sites named by the handlers'
// JavaScript (node_handler.js says why the handler's first write names the site). Run with
// summary=1: the library's exit summary must count 2 sites as the runner does (issue 12: it
// had no name for JIT code and counted one site per runtime). Exits once the library has
// written the three leak records, polled from its log with a deadline.
const net = require('net');

const {exitAfterLeaks} = require(require('path').join(__dirname, '..', 'lib', 'leakwait.js'));

function handleA(sock) {
  sock.write('220 a\r\n');
  sock.on('data', () => {});
  sock.on('end', () => { /* forgot sock.end() */ });
}

function handleB(sock) {
  sock.write('220 b\r\n');
  sock.on('data', () => {});
  sock.on('end', () => { /* forgot sock.end() too */ });
}

function serve(handler, clients, done) {
  const server = net.createServer({ allowHalfOpen: true }, handler);
  server.listen(0, '127.0.0.1', () => {
    const port = server.address().port;
    for (let i = 0; i < clients; i++) {
      const c = net.connect(port, '127.0.0.1', () => { c.end(); });
      c.on('data', () => {});
    }
    done();
  });
}

serve(handleA, 2, () => serve(handleB, 1, () => exitAfterLeaks(3, Date.now() + 20000)));
