#!/bin/bash
# The wrapper's own cost, per call: bench/micro.c under callgrind, native and preloaded, each at
# two loop counts, differenced; then wall-clock ratios over alternating native/preloaded runs.
# Usage: B=build bench/wrapper.sh
set -u
. "$(dirname "$0")/lib.sh"

MODES="rw rw-tcp eagain eagain-unix accept"
k1() { case $1 in accept) echo 1000 ;; *) echo 5000 ;; esac; }
k2() { case $1 in accept) echo 5000 ;; *) echo 25000 ;; esac; }
kwall() { case $1 in accept) echo 5000 ;; rw-tcp) echo 40000 ;; *) echo 100000 ;; esac; }
ROUNDS=${ROUNDS:-5}

cg_run() { # mode k native|preload -> Ir
	f=$WORK/cg.$1.$2.$3
	if [ "$3" = preload ]; then
		LD_PRELOAD=$LIB SOCKLEAK_OPTIONS=$CG_OPTS valgrind --tool=callgrind \
			--callgrind-out-file="$f" "$BIN/micro" "$1" "$2" >/dev/null 2>"$f.err"
	elif [ "$3" = thread ]; then
		LD_PRELOAD=$BIN/idlethread.so valgrind --tool=callgrind \
			--callgrind-out-file="$f" "$BIN/micro" "$1" "$2" >/dev/null 2>"$f.err"
	else
		valgrind --tool=callgrind --callgrind-out-file="$f" "$BIN/micro" "$1" "$2" \
			>/dev/null 2>"$f.err"
	fi
	cg_total "$f"
}

out=$RES/wrapper.md
{
	echo "### Wrapper cost (bench/micro.c; callgrind Ir, differenced between K1 and K2 iterations)"
	echo
	echo "| mode | K1 / K2 | native Ir/iter | preloaded Ir/iter | wrapped calls/iter | added Ir per wrapped call | a pthread watchdog would add (control: native + idle pthread; not paid with raw_thread=1) | wall ns/iter native | preloaded | wall time ratio preloaded/native (median of $ROUNDS alternating) |"
	echo "|---|---|---|---|---|---|---|---|---|---|"
} >"$out"
for m in $MODES; do
	a=$(k1 "$m") b=$(k2 "$m")
	n1=$(cg_run "$m" "$a" native) n2=$(cg_run "$m" "$b" native)
	p1=$(cg_run "$m" "$a" preload) p2=$(cg_run "$m" "$b" preload)
	ni=$(per_unit "$n1" "$n2" "$a" "$b")
	pi=$(per_unit "$p1" "$p2" "$a" "$b")
	t1=$(cg_run "$m" "$a" thread) t2=$(cg_run "$m" "$b" thread)
	ti=$(per_unit "$t1" "$t2" "$a" "$b")
	calls=$("$BIN/micro" "$m" 1 | awk '{print $4}')
	add=$(awk -v n="$ni" -v p="$pi" -v c="$calls" 'BEGIN {printf "%.1f", (p - n) / c}')
	# What a pthread would cost a single-threaded program (glibc's multi-threaded paths).
	# The watchdog runs on a raw thread glibc does not see (preload/rthread.h), so the
	# preloaded runs do not pay it; the column says what that design saves. rw and
	# eagain-unix track nothing, so no watchdog thread of any kind exists there.
	case $m in rw | eagain-unix) tax=0 ;; *) tax=$(awk -v n="$ni" -v t="$ti" -v c="$calls" 'BEGIN {printf "%.1f", (t - n) / c}') ;; esac
	# Keep the preloaded callgrind profile of the biggest run for callgrind_annotate.
	cp "$WORK/cg.$m.$b.preload" "$RES/callgrind.micro-$m.preload" 2>/dev/null
	kw=$(kwall "$m")
	: >"$WORK/wall.$m"
	for r in $(seq "$ROUNDS"); do
		tn=$("$BIN/micro" "$m" "$kw" | awk '{print $3}')
		tp=$(LD_PRELOAD=$LIB "$BIN/micro" "$m" "$kw" | awk '{print $3}')
		echo "$tn $tp" >>"$WORK/wall.$m"
	done
	wn=$(awk '{print $1}' "$WORK/wall.$m" | median)
	wp=$(awk '{print $2}' "$WORK/wall.$m" | median)
	wr=$(awk '{printf "%.4f\n", $2 / $1}' "$WORK/wall.$m" | median)
	echo "| $m | $a / $b | $ni | $pi | $calls | **$add** | $tax | $wn | $wp | $wr |" >>"$out"
	note "wrapper: $m: native $ni Ir/iter, preloaded $pi Ir/iter, +$add Ir per wrapped call; wall ratio $wr"
done
echo >>"$out"
echo "Target: at most 20 instructions added per wrapped call on the plain I/O path (rw, rw-tcp, eagain, eagain-unix). The added count is all the preload's: its watchdog thread leaves glibc single-threaded." >>"$out"
cat "$out"
