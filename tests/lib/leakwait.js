// For node test programs run under the preload (tests/lang): exit once the library has written
// this process's leak records, polled from its log with a deadline, rather than sleeping "past
// grace_ms" (leakwait.py is the same for Python). The log is PREFIX.PID of the last log_path in
// SOCKLEAK_OPTIONS (`sockleak run` sets one). Node's standard library only.
'use strict';
const fs = require('fs');

function leakRecords() {
  const opt = (process.env.SOCKLEAK_OPTIONS || '').split(':').filter((o) => o.startsWith('log_path='));
  try {
    const text = fs.readFileSync(opt.pop().slice('log_path='.length) + '.' + process.pid, 'utf8');
    return text.split('\n').filter((l) => l.includes('"event":"leak"')).length;
  } catch (e) {
    return 0;
  }
}

// Exit 0 once n leak records are in the log, or at the deadline (ms since the epoch): the
// test that runs the program then says what was missing.
function exitAfterLeaks(n, deadline) {
  if (leakRecords() >= n || Date.now() > deadline)
    process.exit(0);
  setTimeout(() => exitAfterLeaks(n, deadline), 20);
}

module.exports = {leakRecords, exitAfterLeaks};
