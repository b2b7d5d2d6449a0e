// An allowHalfOpen server whose connection handler greets the client and never ends the socket:
// after the client's FIN each stays in CLOSE_WAIT. node accepts and reads the EOF from libuv's
// event loop, with no JavaScript on the stack; the handler's first write is where the program's
// code shows (docs/languages.md). Exits once the library has written the three leak records
// (past grace_ms), polled from its log with a deadline.
const net = require('net');

const {exitAfterLeaks} = require(require('path').join(__dirname, '..', 'lib', 'leakwait.js'));

function handleConnection(sock) {
  sock.write('220 ready\r\n');
  sock.on('data', () => {});
  sock.on('end', () => { /* forgot sock.end() */ });
}

const server = net.createServer({ allowHalfOpen: true }, handleConnection);
server.listen(0, '127.0.0.1', () => {
  const port = server.address().port;
  for (let i = 0; i < 3; i++) {
    const c = net.connect(port, '127.0.0.1', () => { c.end(); });
    c.on('data', () => {});
  }
  exitAfterLeaks(3, Date.now() + 20000);
});
