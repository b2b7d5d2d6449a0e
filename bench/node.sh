#!/bin/bash
# node's handler stacks (preload/handler.c, docs/languages.md): a whole loopback connection in
# instructions (callgrind, bench/node_conn.js: the handler greets and ends, the client reads to
# EOF; N1 and N2 connections, differenced), native and preloaded, and the inclusive cost of
# sl_handler_take a connection (bench/cgdiff.py --inclusive).
# node is run single-threaded with the perf map (as docs/languages.md recommends), so the
# counts are V8's own single thread, with its seeds fixed.
# Usage: B=build bench/node.sh
set -u
. "$(dirname "$0")/lib.sh"

NODE=${NODE:-node}
N1=${N1:-100}
N2=${N2:-300}
mkdir -p "$WORK/logs" "$WORK/node"
command -v "$NODE" >/dev/null || { note "node: $NODE not installed, skipped"; echo "node not installed: skipped" >"$RES/node.md"; exit 0; }
# V8 seeds its hash tables and its random numbers per process, and the counts moved by tens of
# thousands of instructions a connection between runs (its primality tests for the seeds among
# them); with fixed seeds two runs differ by a few instructions a connection.
NODE_ARGS=(--single-threaded --perf-basic-prof --interpreted-frames-native-stack --random-seed=1 --hash-seed=1)
JS=$(cd "$(dirname "$0")" && pwd)/node_conn.js

cg() { # kind n -> Ir
	f=$WORK/cg.node.$1.$2
	# node writes its perf map into /tmp/perf-PID.map; run in the work directory, and remove
	# the map afterwards (the pid is in the callgrind file's name: %p).
	if [ "$1" = preload ]; then
		(cd "$WORK/node" && env LD_PRELOAD="$LIB" SOCKLEAK_OPTIONS="$CG_OPTS:summary=0:log_path=$WORK/logs/node" \
			valgrind --tool=callgrind --callgrind-out-file="$f.%p" "$NODE" "${NODE_ARGS[@]}" "$JS" "$2" >/dev/null 2>"$f.err")
	else
		(cd "$WORK/node" && valgrind --tool=callgrind --callgrind-out-file="$f.%p" "$NODE" "${NODE_ARGS[@]}" "$JS" "$2" >/dev/null 2>"$f.err")
	fi
	for p in "$f".[0-9]*; do
		rm -f "/tmp/perf-${p##*.}.map"
		mv "$p" "$f"
	done
	cg_total "$f"
}

n1=$(cg native "$N1") n2=$(cg native "$N2")
p1=$(cg preload "$N1") p2=$(cg preload "$N2")
ni=$(per_unit "$n1" "$n2" "$N1" "$N2")
pi=$(per_unit "$p1" "$p2" "$N1" "$N2")
take=$(cgdiff_of "$WORK/cg.node" "$N1" "$N2" --inclusive --top 400 |
	awk -F'|' '$3 ~ /sl_handler_take/ {gsub(/ /, "", $2); print $2; exit}')
own=$(cgdiff_of "$WORK/cg.node" "$N1" "$N2" --own libsockleak.so)
unw=$(cgdiff_of "$WORK/cg.node" "$N1" "$N2" --own libunwind)
out=$RES/node.md
{
	echo "### node $("$NODE" --version) (bench/node.sh, bench/node_conn.js; ${NODE_ARGS[*]})"
	echo
	echo "Instructions a whole connection (callgrind, $N1 and $N2 connections, differenced):"
	echo
	echo "| run | Ir at N = $N1 | Ir at N = $N2 | per connection |"
	echo "|---|---|---|---|"
	echo "| native | $n1 | $n2 | $ni |"
	echo "| preloaded | $p1 | $p2 | $pi |"
	echo
	echo "Added a connection: **$(awk -v a="$ni" -v b="$pi" 'BEGIN {printf "%+.0f", b - a}')** ($(pct "$ni" "$pi")). The handler stack, \`sl_handler_take\` inclusive: **${take:-?}** instructions a connection; sockleak's own code (self, \`--own libsockleak.so\`) $own, libunwind's $unw."
	echo
	echo "Where the added instructions go (bench/cgdiff.py, self cost per connection, top 10; JIT code, \`???\` at addresses that differ from run to run, left out):"
	echo
	cgdiff_of "$WORK/cg.node" "$N1" "$N2" --top 200 | grep -vF '[???]' | head -12
} >"$out"
note "node: a connection native $ni, preloaded $pi Ir; sl_handler_take ${take:-?}"
cat "$out"
