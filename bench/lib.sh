# Helpers shared by the bench/*.sh drivers (sourced, not run).
# Every driver runs native and preloaded in the same run and prints ratios; instruction counts
# come from callgrind at two load sizes, differenced, so start-up and exit cancel.

: "${B:=build}"
LIB=$(cd "$B" && pwd)/libsockleak.so
BIN=$(cd "$B" && pwd)/bench
RES=$BIN/results
mkdir -p "$RES"
# Options for the counted runs: the watchdog's cost is per second, not per call, so it is kept
# out of the per-call counts (scan_ms at its maximum, no exit scan) and measured on its own by
# bench/scale.sh.
CG_OPTS="scan_ms=3600000:report_at_exit=0"

# A work directory removed on exit, and every server we start killed with it.
WORK=$(mktemp -d /tmp/sockleak-perf.XXXXXX)
PIDS=""
cleanup() {
	for p in $PIDS; do kill -KILL "$p" 2>/dev/null; done
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Ir total of a callgrind output file.
cg_total() { awk '/^summary:/ {print $2}' "$1"; }

# (a2 - a1) / (n2 - n1), one decimal.
per_unit() { awk -v a1="$1" -v a2="$2" -v n1="$3" -v n2="$4" 'BEGIN {printf "%.1f", (a2 - a1) / (n2 - n1)}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.4f", (a > 0 ? b / a : 0)}'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%+.2f%%", (a > 0 ? (b / a - 1) * 100 : 0)}'; }
median() { sort -g | awk '{v[NR] = $1} END {if (NR % 2) print v[(NR + 1) / 2]; else printf "%.4f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# A TCP port nobody listens on, below the ephemeral range.
free_port() {
	p=$((20000 + ($$ * 7 + ${1:-0} * 131) % 9000))
	while ss -Hltn "sport = :$p" | grep -q .; do p=$((p + 1)); done
	echo "$p"
}

# Wait (at most ~60 s: valgrind start-up is slow) until something listens on port $1.
wait_port() {
	i=0
	while ! ss -Hltn "sport = :$1" | grep -q .; do
		i=$((i + 1))
		[ $i -gt 600 ] && { echo "bench: nothing listens on port $1" >&2; return 1; }
		sleep 0.1
	done
}

# Stop a server with signal $2 and wait for it (bounded), then forget it.
stop_pid() {
	kill -"${2:-TERM}" "$1" 2>/dev/null
	i=0
	while kill -0 "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 300 ] && { kill -KILL "$1" 2>/dev/null; break; }
		sleep 0.1
	done
	wait "$1" 2>/dev/null
	PIDS=$(echo "$PIDS" | tr ' ' '\n' | grep -vx "$1" | tr '\n' ' ')
}

# Total syscalls in an `strace -c` summary, and per-syscall counts as "name count" lines.
strace_total() { awk '$NF == "total" {print $4}' "$1"; }
strace_calls() { awk 'NF >= 5 && $1 ~ /^[0-9.]+$/ && $NF != "total" {print $NF, $4}' "$1"; }

# bench/cgdiff.py on the four profiles PREFIX.{native,preload}.{N1,N2}, with its options.
cgdiff_of() { # prefix n1 n2 [--top K] [--inclusive] [--own OBJ]
	p=$1 a=$2 b=$3
	shift 3
	python3 "$(dirname "${BASH_SOURCE[0]}")/cgdiff.py" "$a" "$b" "$p.native.$a" "$p.native.$b" \
		"$p.preload.$a" "$p.preload.$b" "$@"
}

# Leak records in a log prefix's files.
leak_count() { cat "$1".* 2>/dev/null | grep -c '"event":"leak"'; }

note() { printf '%s\n' "$*" >&2; }
