#!/bin/bash
# The Python hook's cost (option `python`, docs/languages.md), Debian's python3:
#  1. a whole loopback connection in instructions (callgrind, bench/python_conn.py: connect,
#     accept, recv to EOF, close; P1 and P2 connections, differenced): native, preloaded with
#     python=0, preloaded with python=1;
#  2. start-up: instructions of `python3 -c pass` (callgrind), the same three ways, and its wall
#     time (bench/spawn.c, SPAWNS spawns a configuration, ROUNDS alternating rounds, the fastest
#     and the median);
#  3. one socket.connect audit event (bench/python_hook.py, best of 5), python=0 and python=1.
# Usage: B=build bench/python.sh
set -u
. "$(dirname "$0")/lib.sh"

PY=${PY:-/usr/bin/python3}
P1=${P1:-100}
P2=${P2:-300}
SPAWNS=${SPAWNS:-20}
ROUNDS=${ROUNDS:-5}
mkdir -p "$WORK/logs"
# Python randomises its string hashes per process, and its dicts' layout moved a connection's
# count by up to 15,000 instructions between runs; with a fixed seed every run counts the same.
export PYTHONHASHSEED=0
opts() { echo "$CG_OPTS:summary=0:log_path=$WORK/logs/py:python=$1"; }

cg() { # kind(native|py0|py1) tag args... -> Ir
	k=$1 tag=$2
	shift 2
	f=$WORK/cg.py.$k.$tag
	case $k in
	native) valgrind --tool=callgrind --callgrind-out-file="$f" "$PY" "$@" >/dev/null 2>"$f.err" ;;
	*) env LD_PRELOAD="$LIB" SOCKLEAK_OPTIONS="$(opts "${k#py}")" valgrind --tool=callgrind \
		--callgrind-out-file="$f" "$PY" "$@" >/dev/null 2>"$f.err" ;;
	esac
	cg_total "$f"
}

out=$RES/python.md
{
	echo "### Python ($("$PY" --version 2>&1), $PY; bench/python.sh)"
	echo
	echo "Instructions (callgrind): a whole connection (bench/python_conn.py, $P1 and $P2 connections, differenced) and the start-up of \`python3 -c pass\` (one run):"
	echo
	echo "| run | Ir per connection | added | \`python3 -c pass\` Ir | added |"
	echo "|---|---|---|---|---|"
} >"$out"
conn=$(dirname "$0")/python_conn.py
declare -A CONN START
for k in native py0 py1; do
	a=$(cg "$k" "$P1" "$conn" "$P1") b=$(cg "$k" "$P2" "$conn" "$P2")
	CONN[$k]=$(per_unit "$a" "$b" "$P1" "$P2")
	START[$k]=$(cg "$k" pass -c pass)
done
for k in native py0 py1; do
	case $k in native) l=native ;; py0) l="preloaded, python=0" ;; py1) l="preloaded, python=1 (the default)" ;; esac
	echo "| $l | ${CONN[$k]} | $(awk -v a="${CONN[native]}" -v b="${CONN[$k]}" 'BEGIN {printf "%+.1f", b - a}') | ${START[$k]} | +$((START[$k] - START[native])) |" >>"$out"
done
echo >>"$out"
echo "The hook's own cost a connection (python=1 minus python=0): **$(awk -v a="${CONN[py0]}" -v b="${CONN[py1]}" 'BEGIN {printf "%+.0f", b - a}')** instructions, for three hand-overs (the client's connect, the server's accept, the EOF read). At start-up: **+$((START[py1] - START[py0]))** instructions." >>"$out"
note "python: a connection native ${CONN[native]}, python=0 ${CONN[py0]}, python=1 ${CONN[py1]} Ir"
# The hook walks and formats frames at every hand-over: thousands of instructions. Nothing
# added means it never loaded (no sockleak-python/ next to the library), and the figures above
# measure nothing.
if awk -v a="${CONN[py0]}" -v b="${CONN[py1]}" 'BEGIN { exit !(b - a < 1000) }'; then
	echo "bench-python: python=1 added no hook cost: is $(dirname "$LIB")/sockleak-python there?" >&2
	exit 1
fi

# Start-up wall time: native, python=0, python=1 alternate.
popts() { echo "summary=0:log_path=$WORK/logs/py:python=$1"; }
: >"$WORK/wall"
for r in $(seq "$ROUNDS"); do
	{
		echo "native $("$BIN/spawn" "$SPAWNS" - - "$PY" -c pass)"
		echo "py0 $("$BIN/spawn" "$SPAWNS" "$LIB" "$(popts 0)" "$PY" -c pass)"
		echo "py1 $("$BIN/spawn" "$SPAWNS" "$LIB" "$(popts 1)" "$PY" -c pass)"
	} >>"$WORK/wall"
done
fastest() { awk -v k="$1" '$1 == k {print $5}' "$WORK/wall" | sort -g | head -1; }
med() { awk -v k="$1" '$1 == k {print $9}' "$WORK/wall" | median; }
{
	echo
	echo "Start-up wall time of \`python3 -c pass\` (bench/spawn.c, $SPAWNS spawns a configuration, $ROUNDS alternating rounds; load average $(cut -d' ' -f1-3 /proc/loadavg)):"
	echo
	echo "| run | fastest ms | median ms (median of rounds) |"
	echo "|---|---|---|"
	for k in native py0 py1; do
		case $k in native) l=native ;; py0) l="preloaded, python=0" ;; py1) l="preloaded, python=1" ;; esac
		echo "| $l | $(awk -v u="$(fastest $k)" 'BEGIN {printf "%.2f", u / 1000}') | $(awk -v u="$(med $k)" 'BEGIN {printf "%.2f", u / 1000}') |"
	done
	echo
	echo "python=1 adds **$(awk -v a="$(fastest py0)" -v b="$(fastest py1)" 'BEGIN {printf "%+.1f ms", (b - a) / 1000}')** to the fastest start-up ($(awk -v a="$(med py0)" -v b="$(med py1)" 'BEGIN {printf "%+.1f ms", (b - a) / 1000}') to the median)."
} >>"$out"

# One socket.connect audit event, best of 5 (the script's own), twice each, alternating.
ev() { env LD_PRELOAD="$LIB" SOCKLEAK_OPTIONS="$(popts "$1")" "$PY" "$(dirname "$0")/python_hook.py" | awk '{print $1}'; }
e0a=$(ev 0) e1a=$(ev 1) e0b=$(ev 0) e1b=$(ev 1)
e0=$(printf '%s\n%s\n' "$e0a" "$e0b" | sort -g | head -1)
e1=$(printf '%s\n%s\n' "$e1a" "$e1b" | sort -g | head -1)
{
	echo
	echo "One \`socket.connect\` audit event (bench/python_hook.py, 20,000 events, best of 5, the better of two runs): python=0 **$e0 µs**, python=1 **$e1 µs** (walking and formatting the frames, the ctypes call, the stack table under sockleak's lock)."
} >>"$out"
note "python: audit event python=0 $e0 us, python=1 $e1 us"
cat "$out"
