#!/bin/bash
# redis-server with and without the preload, under redis-benchmark (SET and GET):
#  1. user-space instructions per request under callgrind (redis-benchmark -c 1 -n N1 / N2,
#     differenced);
#  2. wall-clock ratio of redis-benchmark's requests/s over alternating runs;
#  3. leak records under load (must be zero).
# Usage: B=build bench/redis.sh
set -u
. "$(dirname "$0")/lib.sh"

N1=${N1:-2000}
N2=${N2:-12000}
ROUNDS=${ROUNDS:-3}
WALL_N=${WALL_N:-100000}
PORT=$(free_port 2)
mkdir -p "$WORK/redis" "$WORK/logs"
# No persistence, cron at its slowest (1 Hz) so time-driven work barely enters the counts.
RDS="redis-server --port $PORT --bind 127.0.0.1 --save '' --appendonly no --hz 1 \
	--daemonize no --protected-mode no --dir $WORK/redis --logfile $WORK/redis/log"
RB="redis-benchmark -h 127.0.0.1 -p $PORT"

start() { # native|preload|thread opts wrapper...
	kind=$1 opts=$2
	shift 2
	# fixedseed.so in every run: the same dict hash seed, so the same command-table probes.
	case $kind in
	preload) env LD_PRELOAD="$BIN/fixedseed.so $LIB" SOCKLEAK_OPTIONS="$opts" "$@" sh -c "exec $RDS" & ;;
	thread) env LD_PRELOAD="$BIN/fixedseed.so $BIN/idlethread.so" "$@" sh -c "exec $RDS" & ;;
	*) env LD_PRELOAD="$BIN/fixedseed.so" "$@" sh -c "exec $RDS" & ;;
	esac
	pid=$!
	PIDS="$PIDS $pid"
	wait_port "$PORT"
}
stop() {
	stop_pid "$pid" TERM
	while ss -Hltn "sport = :$PORT" | grep -q .; do sleep 0.1; done
}

cg() { # kind test n -> Ir
	f=$WORK/cg.redis.$1.$2.$3
	# sh -c exec: valgrind replaces the shell, so callgrind sees redis-server only.
	start "$1" "$CG_OPTS:log_path=$WORK/logs/cg" valgrind --tool=callgrind --trace-children=yes \
		--callgrind-out-file="$f" >/dev/null 2>"$f.err"
	# GET reads an existing key: one SET first, the same in every run.
	[ "$2" = get ] && $RB -c 1 -n 1 -t set -q >/dev/null
	$RB -c 1 -n "$3" -t "$2" -q >/dev/null
	stop
	cg_total "$f"
}

out=$RES/redis.md
{
	echo "### redis-server $(redis-server --version | sed 's/.*v=\([^ ]*\).*/\1/') (--hz 1, no persistence, fixed hash seed: bench/fixedseed.c), redis-benchmark -c 1"
	echo
	echo "Instructions per request (callgrind Ir, all threads, differenced between $N1 and $N2 requests):"
	echo
	echo "| test | native Ir/req | preloaded Ir/req | added Ir/req | ratio | target | sockleak's own code (bench/cgdiff.py --own) | native + idle thread (control) |"
	echo "|---|---|---|---|---|---|---|---|"
} >"$out"
for t in set get; do
	n1=$(cg native $t "$N1") n2=$(cg native $t "$N2")
	p1=$(cg preload $t "$N1") p2=$(cg preload $t "$N2")
	t1=$(cg thread $t "$N1") t2=$(cg thread $t "$N2")
	ni=$(per_unit "$n1" "$n2" "$N1" "$N2")
	pi=$(per_unit "$p1" "$p2" "$N1" "$N2")
	ti=$(per_unit "$t1" "$t2" "$N1" "$N2")
	for k in native preload; do
		cp "$WORK/cg.redis.$k.$t.$N1" "$RES/callgrind.redis-$t.$k.$N1"
		cp "$WORK/cg.redis.$k.$t.$N2" "$RES/callgrind.redis-$t.$k.$N2"
	done
	# The rest of "added" is redis's own code meeting another heap and string layout
	# (strcasecmp, memset: +-15 a request between processes); ours is exact.
	own=$(python3 "$(dirname "$0")/cgdiff.py" "$N1" "$N2" "$WORK/cg.redis.native.$t.$N1" \
		"$WORK/cg.redis.native.$t.$N2" "$WORK/cg.redis.preload.$t.$N1" \
		"$WORK/cg.redis.preload.$t.$N2" --own libsockleak.so)
	echo "| $(echo $t | tr a-z A-Z) | $ni | $pi | $(awk -v a="$ni" -v b="$pi" 'BEGIN {printf "%.1f", b - a}') | **$(pct "$ni" "$pi")** | within 0.5% | $own ($(awk -v a="$ni" -v o="$own" 'BEGIN {printf "%+.2f%%", (a > 0 ? o / a * 100 : 0)}')) | $ti ($(pct "$ni" "$ti")) |" >>"$out"
	note "redis: $t: native $ni Ir/req, preloaded $pi Ir/req ($(pct "$ni" "$pi"))"
done
for t in set get; do
	{
		echo
		echo "Where the added instructions go, $(echo $t | tr a-z A-Z) (bench/cgdiff.py, self cost per request, top 8):"
		echo
		python3 "$(dirname "$0")/cgdiff.py" "$N1" "$N2" "$RES/callgrind.redis-$t.native.$N1" \
			"$RES/callgrind.redis-$t.native.$N2" "$RES/callgrind.redis-$t.preload.$N1" \
			"$RES/callgrind.redis-$t.preload.$N2" --top 8
	} >>"$out"
done

# Wall clock and leak check: 50 clients, alternating native and preloaded servers; the
# preloaded one with a short grace so a leak would show within the run.
rps() { # kind -> "set get"
	start "$1" "grace_ms=200:log_path=$WORK/logs/load"
	$RB -c 50 -n "$WALL_N" -t set,get -q --csv 2>/dev/null |
		awk -F'"' '$2 == "SET" {s = $4} $2 == "GET" {g = $4} END {print s, g}'
	sleep 1.5   # let the preloaded watchdog (scan_ms=1000) scan what the load left behind
	stop
}
: >"$WORK/wall"
for r in $(seq "$ROUNDS"); do
	echo "$(rps native) $(rps preload)" >>"$WORK/wall"
done
leaks=$(leak_count "$WORK/logs/load")
{
	echo
	echo "Wall clock (redis-benchmark -c 50 -n $WALL_N -t set,get, median of $ROUNDS alternating rounds; preloaded with grace_ms=200):"
	echo
	echo "| test | native req/s | preloaded req/s | preloaded/native |"
	echo "|---|---|---|---|"
	echo "| SET | $(awk '{print $1}' "$WORK/wall" | median) | $(awk '{print $3}' "$WORK/wall" | median) | $(awk '{printf "%.4f\n", $3 / $1}' "$WORK/wall" | median) |"
	echo "| GET | $(awk '{print $2}' "$WORK/wall" | median) | $(awk '{print $4}' "$WORK/wall" | median) | $(awk '{printf "%.4f\n", $4 / $2}' "$WORK/wall" | median) |"
	echo
	echo "Leak records from the preloaded redis-server under load: **$leaks** (target: 0)."
} >>"$out"
cat "$WORK"/logs/load.* 2>/dev/null | grep '"event":"leak"' | head -5 >"$RES/redis-leaks.jsonl"
note "redis: leak records: $leaks"
cat "$out"
