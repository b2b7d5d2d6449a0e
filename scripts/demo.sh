#!/bin/sh
# make demo: a small server with two CLOSE_WAIT bugs, run under libsockleak.so, caught live.
set -eu
B=${1:-build}
dir=$(mktemp -d /tmp/sockleak-demo.XXXXXX)
mkdir -p "$dir/logs"
trap 'kill "$srv" 2>/dev/null || true; rm -rf "$dir"' EXIT INT TERM

echo "== 1. Start examples/leaky-server.c under the preload (grace 500 ms, scans every 100 ms)"
echo "   LD_PRELOAD=$B/libsockleak.so SOCKLEAK_OPTIONS=grace_ms=500:scan_ms=100:log_path=$dir/logs/log"
LD_PRELOAD="$PWD/$B/libsockleak.so" \
SOCKLEAK_OPTIONS="grace_ms=500:scan_ms=100:log_path=$dir/logs/log" \
	"$B/examples/leaky-server" "$dir/port" 9 2>"$dir/server.err" &
srv=$!
i=0
while [ ! -s "$dir/port" ]; do
	i=$((i + 1)); [ $i -lt 100 ] || { echo "server did not start"; exit 1; }
	sleep 0.1
done
port=$(cat "$dir/port")

echo "== 2. Clients: 4 well-behaved, 3 hang up mid-line, 2 send HOLD and hang up"
"$B/examples/demo-client" "$port"

echo "== 3. What the kernel shows (ss): sockets the server never closed"
i=0
until [ "$(ss -Htan state close-wait "( sport = :$port )" | wc -l)" -ge 5 ]; do
	i=$((i + 1)); [ $i -lt 100 ] || break
	sleep 0.1
done
ss -tan state close-wait "( sport = :$port )"

echo "== 4. What sockleak logged, live, while the server was still running:"
i=0
until [ "$(cat "$dir"/logs/log.* 2>/dev/null | grep -c '"event":"leak"')" -ge 5 ]; do
	i=$((i + 1)); [ $i -lt 100 ] || break
	sleep 0.1
done
grep -h '"event":"leak"' "$dir"/logs/log.* | head -n 2 | cut -c1-400
echo "   ... $(cat "$dir"/logs/log.* | grep -c '"event":"leak"') leak records in all"

wait "$srv" || true
srv=
echo "== 5. The server exited; the preload's own summary on its stderr:"
cat "$dir/server.err"
if [ -x "$B/sockleak" ]; then
	echo "== 6. sockleak report $dir/logs (symbolised to file:line from the binary's debug info):"
	"$B/sockleak" report "$dir/logs" || true
fi
