// A whole loopback connection a turn, for callgrind (docs/performance.md, "node"): the server's
// handler greets the client (its first write, where the library takes the handler stack) and
// ends the socket; the client reads to EOF and ends; the next connection starts when the
// server saw this one close. The instructions a connection are the difference between two runs
// (N = 100 and 300) divided by 200, natively and preloaded:
//   valgrind --tool=callgrind --trace-children=yes env LD_PRELOAD=build/libsockleak.so \
//       SOCKLEAK_OPTIONS=summary=0:scan_ms=3600000:report_at_exit=0 \
//       node --perf-basic-prof --interpreted-frames-native-stack bench/node_conn.js 300
const net = require('net');
const N = Number(process.argv[2] || 100);
let done = 0;

function handleConnection(sock) {
  sock.write('220 ready\r\n');
  sock.on('data', () => {});
  sock.on('end', () => sock.end());
  sock.on('close', () => { if (++done === N) server.close(); else connectOnce(); });
}

const server = net.createServer(handleConnection);

function connectOnce() {
  const c = net.connect(server.address().port, '127.0.0.1');
  c.on('data', () => c.end());
}

server.listen(0, '127.0.0.1', connectOnce);
