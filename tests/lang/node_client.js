// A client that never ends a connection the server ended: CLOSE_WAIT. Its connect() is made
// from JavaScript, so with --perf-basic-prof --interpreted-frames-native-stack the open stack
// has JavaScript frames that node's perf map names.
const net = require('net');
const server = net.createServer((s) => { s.end('bye'); });
function connectAndForget(port) {
  const c = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  c.on('data', () => {});
  c.on('end', () => { /* forgot c.end() */ });
}
server.listen(0, '127.0.0.1', () => {
  connectAndForget(server.address().port);
  setTimeout(() => process.exit(0), 1000);
});
