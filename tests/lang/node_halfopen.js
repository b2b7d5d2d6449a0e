// An allowHalfOpen server that never ends its sockets: after the client's FIN they stay in
// CLOSE_WAIT. Exits after 1 s (past grace_ms).
const net = require('net');

function onConnection(sock) {
  sock.on('data', () => {});
  sock.on('end', () => { /* forgot sock.end() */ });
}

const server = net.createServer({ allowHalfOpen: true }, onConnection);
server.listen(0, '127.0.0.1', () => {
  const port = server.address().port;
  for (let i = 0; i < 2; i++) {
    const c = net.connect(port, '127.0.0.1', () => { c.end('x'); });
    c.on('data', () => {});
  }
  setTimeout(() => process.exit(0), 1000);
});
