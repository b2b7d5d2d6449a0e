#!/bin/bash
# Scale: N open tracked TCP connections in one process (bench/scale.c).
#  - memory per tracked socket: RSS growth over N accepts, preloaded minus native, / N;
#  - the watchdog's scan time: strace -ttt -T on the watchdog thread alone (scan = from the
#    end of one timed futex wait, its sleep, to the start of the next), and its CPU time per
#    scan from schedstat;
#  - the latency a scan adds to the program: ping-pong and socket()+close() percentiles,
#    native vs preloaded with the watchdog idle vs preloaded scanning every 10 ms.
# N defaults to 100,000; where RLIMIT_NOFILE cannot be raised that far (no CAP_SYS_RESOURCE)
# the largest N that fits is used, and BG background processes hold more loopback
# connections so the host's TCP table is ~100k sockets (what a sock_diag dump walks; the
# default epoll source does not). SCAN_WITH=sock_diag measures that source instead.
# Usage: B=build bench/scale.sh
set -u
. "$(dirname "$0")/lib.sh"

WANT=${WANT:-100000}
SCAN_WITH=${SCAN_WITH:-epoll}
BG=${BG:-3}
SECS=${SECS:-3}
export SECS
hard=$(ulimit -Hn)
if [ "$hard" != unlimited ] && [ "$hard" -lt $((WANT + 64)) ] &&
	! prlimit --pid $$ --nofile=$((WANT + 64)):$((WANT + 64)) 2>/dev/null; then
	MAX=$((hard - 100))
	note "scale: RLIMIT_NOFILE hard limit is $hard and cannot be raised: largest N is $MAX"
else
	MAX=$WANT
fi
SIZES=${SIZES:-"2000 5000 $((MAX / 2)) $MAX"}

# Background: BG processes of loopback pairs (not preloaded), up to ~100k host sockets.
bgpids=""
per=$(( (WANT - 2 * MAX) / 2 / (BG > 0 ? BG : 1) ))
[ "$per" -gt $(( (hard - 200) / 2 )) ] && per=$(( (hard - 200) / 2 ))
if [ "$BG" -gt 0 ] && [ "$per" -gt 0 ]; then
	for i in $(seq "$BG"); do
		"$BIN/scale" pairs "$per" >"$WORK/pairs.$i" &
		bgpids="$bgpids $!"
		PIDS="$PIDS $!"
	done
	for i in $(seq "$BG"); do
		while ! grep -q PAIRS "$WORK/pairs.$i" 2>/dev/null; do sleep 0.2; done
	done
fi

# One server run: kind (native|idle|scan), N; sets RSS_* and LAT/WD lines, SCAN_* from strace.
run() {
	kind=$1 n=$2 probe=${3:-0}
	case $kind in
	native) coproc SRV { exec "$BIN/scale" server "$n"; } ;;
	idle) coproc SRV { LD_PRELOAD=$LIB SOCKLEAK_OPTIONS="scan_ms=3600000:log_path=$WORK/log" exec "$BIN/scale" server "$n"; } ;;
	scan) coproc SRV { LD_PRELOAD=$LIB SOCKLEAK_OPTIONS="scan_ms=10:scan_with=$SCAN_WITH:log_path=$WORK/log" exec "$BIN/scale" server "$n"; } ;;
	esac
	spid=$SRV_PID
	PIDS="$PIDS $spid"
	exec {sin}>&"${SRV[1]}" {sout}<&"${SRV[0]}"
	read -r -u "$sout" _ port
	"$BIN/scale" client "$port" "$n" >/dev/null &
	cpid=$!
	PIDS="$PIDS $cpid"
	read -r -u "$sout" _ before after got tid
	RSS_DELTA=$((after - before))
	SCAN_LINE=""
	if [ "$kind" = scan ] && [ "$tid" != 0 ]; then
		# The watchdog thread alone; the program is idle meanwhile.
		# A scan runs from the return of one sleep (a futex wait with a timeout, on the
		# watchdog's stop word) to the entry of the next; the thread's CPU time over the same
		# window comes from schedstat.
		read -r r0 _ < "/proc/$spid/task/$tid/schedstat"
		timeout 3 strace -p "$tid" -ttt -T -o "$WORK/st" 2>/dev/null
		read -r r1 _ < "/proc/$spid/task/$tid/schedstat"
		awk '/^[0-9.]+ futex\(.*FUTEX_WAIT_PRIVATE, 0, \{tv_sec/ {
			if (woke) printf "%.3f %.3f\n", ($1 - woke) * 1000, sys * 1000
			d = $NF; gsub(/[<>]/, "", d); woke = $1 + d; sys = 0; next }
			woke {d = $NF; gsub(/[<>]/, "", d); sys += d}' "$WORK/st" | sort -g >"$WORK/st.ms"
		SCAN_LINE=$(awk -v cpu=$((r1 - r0)) '{v[NR] = $1; k += $2} END {if (!NR) {print "n=0"; exit}
			i = int(NR * 0.9); if (i < 1) i = 1
			printf "n=%d median=%.2f p90=%.2f max=%.2f cpu=%.2f insys=%.2f", NR, v[int((NR + 1) / 2)], v[i], v[NR], cpu / 1e6 / NR, k / NR}' "$WORK/st.ms")
	fi
	LAT="" WD=""
	if [ "$probe" = 1 ]; then
		echo go >&"$sin"
		read -r -u "$sout" LAT
		read -r -u "$sout" WD
	fi
	exec {sin}>&- {sout}<&-
	stop_pid "$spid" TERM
	stop_pid "$cpid" TERM
}

out=$RES/scale.md
{
	echo "### Scale: N tracked TCP connections in one process (accepted from 127.0.0.1), $(( (BG > 0 && per > 0) ? BG * per * 2 : 0 )) more loopback sockets held by $BG background processes"
	echo
	echo "| N | RSS growth native (KiB) | preloaded, watchdog idle (KiB) | bytes per tracked socket (RSS resolution: 64 KiB / N) | scan wall ms (median / p90 / max) | CPU ms per scan | of which in syscalls (mean ms) | scans seen |"
	echo "|---|---|---|---|---|---|---|---|"
} >"$out"
for n in $SIZES; do
	run native "$n"
	rn=$RSS_DELTA
	run idle "$n"
	rp=$RSS_DELTA
	run scan "$n"
	per_sock=$(awk -v a="$rn" -v b="$rp" -v n="$n" 'BEGIN {printf "%.1f (±%.0f)", (b - a) * 1024 / n, 65536 / n}')
	sc=$(echo "$SCAN_LINE" | awk '{for (i = 1; i <= NF; i++) {split($i, kv, "="); v[kv[1]] = kv[2]} printf "%s / %s / %s | %s | %s | %s", v["median"], v["p90"], v["max"], v["cpu"], v["insys"], v["n"]}')
	echo "| $n | $rn | $rp | **$per_sock** | $sc |" >>"$out"
	note "scale: N=$n: $per_sock bytes per tracked socket; scan $SCAN_LINE"
done

# Latency at the largest N: native, preloaded idle, preloaded scanning every 10 ms.
{
	echo
	echo "Latency the watchdog adds to the program at N=$MAX (bench/scale.c probe, ${SECS}s each; microseconds):"
	echo
	echo "| run | ping-pong p50 / p99 / p99.9 / max | socket()+close() p50 / p99 / p99.9 / max | watchdog CPU in the window |"
	echo "|---|---|---|---|"
} >>"$out"
for kind in native idle scan; do
	run "$kind" "$MAX" 1
	pp=$(echo "$LAT" | sed 's/.*pingpong \(n=[0-9]*\) p50=\([^ ]*\) p99=\([^ ]*\) p999=\([^ ]*\) max=\([^ ]*\).*/\2 \/ \3 \/ \4 \/ \5 (\1)/')
	sc=$(echo "$LAT" | sed 's/.*socket_close \(n=[0-9]*\) p50=\([^ ]*\) p99=\([^ ]*\) p999=\([^ ]*\) max=\([^ ]*\).*/\2 \/ \3 \/ \4 \/ \5 (\1)/')
	wd=$(echo "$WD" | awk '{for (i = 1; i <= NF; i++) {split($i, kv, "="); v[kv[1]] = kv[2]} if (v["tid"] == 0) print "-"; else printf "%s ms CPU in %s ms (%s wake-ups)", v["cpu_ms"], v["window_ms"], v["slices"]}')
	label=$(case $kind in native) echo native ;; idle) echo "preloaded, scan_ms=3600000 (idle)" ;; scan) echo "preloaded, scan_ms=10" ;; esac)
	echo "| $label | $pp | $sc | $wd |" >>"$out"
	note "scale: latency $kind: $LAT / $WD"
done
leaks=$(leak_count "$WORK/log")
echo >>"$out"
echo "Leak records during the scale runs (nothing leaks there; a false positive would show): **$leaks**." >>"$out"
for p in $bgpids; do stop_pid "$p" TERM; done
cat "$out"
