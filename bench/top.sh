#!/bin/bash
# sockleak top's refresh cost (issue 14): one refresh on a host with ~100k TCP sockets must take
# < 200 ms and allocate in proportion to the CLOSE_WAIT sockets, not all sockets.
#  - background: BG processes of loopback pairs (scale pairs), started BEFORE the leaking
#    servers so their pids come first in /proc: the owner walk's worst case, it reads their
#    descriptors before it finds the CLOSE_WAIT holders;
#  - CLOSE_WAIT: a leaking server (tests/ops/op_server) with CW connections left open;
#  - per configuration, RUNS `sockleak top --once --format json`: the refresh time the tool
#    measures itself (median, max), the descriptor links the walk read, and the peak RSS of
#    the process (ru_maxrss), which is what "allocations" cost.
# The host's other processes count too (ss -tan is in the table): on a shared machine the
# numbers include them.
# Usage: B=build bench/top.sh   (RUNS=15 BG=5 PER=10000)
set -u
. "$(dirname "$0")/lib.sh"

RUNS=${RUNS:-15}
BG=${BG:-5}
PER=${PER:-10000}
SL=$(cd "$B" && pwd)/sockleak
SRV=$(cd "$B" && pwd)/tests/ops/op_server
OUT=$RES/top.md

# ru_maxrss (KiB) of one top run, and its JSON on stdout into $WORK/top.json
one() {
	python3 -c 'import resource, subprocess, sys
with open(sys.argv[2], "w") as f:
    subprocess.run([sys.argv[1], "top", "--once", "--format", "json"], stdout=f, check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$SL" "$WORK/top.json"
}

# A leaking server with $1 connections in CLOSE_WAIT; sets SRVPID.
leaker() {
	rm -f "$WORK/port"
	"$SRV" >"$WORK/port" &
	SRVPID=$!
	PIDS="$PIDS $SRVPID"
	i=0
	while ! [ -s "$WORK/port" ]; do
		i=$((i + 1))
		kill -0 "$SRVPID" 2>/dev/null && [ $i -lt 600 ] ||
			{ echo "bench/top.sh: $SRV did not start" >&2; exit 1; }
		sleep 0.05
	done
	sleep 0.05 # the whole line
	port=$(cat "$WORK/port")
	for _ in $(seq "$1"); do
		exec 3<>"/dev/tcp/127.0.0.1/$port" && echo x >&3 && exec 3>&-
	done
	# A deadline: the server lives 60 s at most, and a wait without one hung make bench for
	# 20 minutes once (the server gone, its sockets closed, 0 of 1000 ever in CLOSE_WAIT).
	i=0
	while [ "$(ss -Htn state close-wait "sport = :$port" | wc -l)" -lt "$1" ]; do
		i=$((i + 1))
		[ $i -lt 300 ] && kill -0 "$SRVPID" 2>/dev/null || {
			echo "bench/top.sh: $(ss -Htn state close-wait "sport = :$port" | wc -l) of $1" \
				"connections in CLOSE_WAIT after $((i / 10)) s (server alive: $(kill -0 \
				"$SRVPID" 2>/dev/null && echo yes || echo no))" >&2
			exit 1
		}
		sleep 0.1
	done
}

measure() { # label
	: >"$WORK/ms"; : >"$WORK/rss"
	for _ in $(seq "$RUNS"); do
		one >>"$WORK/rss"
		python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(j["refresh_ms"], j["fd_links_read"], sum(p["close_wait"] for p in j["processes"]))' \
			"$WORK/top.json" >>"$WORK/ms"
	done
	med=$(cut -d' ' -f1 "$WORK/ms" | median)
	max=$(cut -d' ' -f1 "$WORK/ms" | sort -g | tail -1)
	links=$(cut -d' ' -f2 "$WORK/ms" | sort -g | tail -1)
	cw=$(cut -d' ' -f3 "$WORK/ms" | sort -g | tail -1)
	rss=$(median <"$WORK/rss")
	host=$(ss -Htan | wc -l)
	printf '| %s | %s | %s | %.1f | %.1f | %s | %s |\n' "$1" "$host" "$cw" "$med" "$max" "$links" "$rss" | tee -a "$OUT"
}

{
	echo "## sockleak top: one refresh"
	echo
	echo "$(cat "$RES/env.md" 2>/dev/null)"
	echo
	echo "| configuration | TCP sockets on the host | CLOSE_WAIT | refresh ms (median) | max | fd links read | peak RSS KiB (median) |"
	echo "|---|---|---|---|---|---|---|"
} >"$OUT"

leaker 100
measure "no background, 100 CLOSE_WAIT"
kill -KILL "$SRVPID"; wait "$SRVPID" 2>/dev/null
for i in $(seq "$BG"); do
	"$BIN/scale" pairs "$PER" >"$WORK/pairs.$i" &
	PIDS="$PIDS $!"
done
for i in $(seq "$BG"); do
	while ! grep -q PAIRS "$WORK/pairs.$i" 2>/dev/null; do sleep 0.2; done
done
measure "background pairs, no CLOSE_WAIT (no /proc walk)"
leaker 100
measure "background pairs, 100 CLOSE_WAIT"
kill -KILL "$SRVPID"; wait "$SRVPID" 2>/dev/null
leaker 1000
measure "background pairs, 1000 CLOSE_WAIT"
echo
echo "results: $OUT"
