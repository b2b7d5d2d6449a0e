#!/bin/bash
# Start-up of a short-lived process with and without the preload (issue 15's target: a
# short-lived process starts with at most 0.3 ms added):
#  1. user-space instructions of one whole run (callgrind, every instruction from the loader on)
#     and its system calls (strace -f -c): native, preloaded, and an empty preloaded library
#     (the control: what the loader's work for any preload costs);
#  2. wall time: bench/spawn.c posix_spawns the command SPAWNS times per configuration, the
#     configurations alternating for ROUNDS rounds; the fastest spawn of each (the one least
#     disturbed by other jobs) and the median of the rounds' medians.
# /bin/true is a program whose own code makes no socket; `nginx -v` is a network program (its
# imports name socket/accept: libunwind was loaded by the constructor until libgcc's unwinder
# was linked in, docs/performance.md "Process start-up"; neither loads it now).
# Usage: B=build bench/start.sh
set -u
. "$(dirname "$0")/lib.sh"

SPAWNS=${SPAWNS:-300}
ROUNDS=${ROUNDS:-5}
NGINX=${NGINX:-/usr/sbin/nginx}
mkdir -p "$WORK/logs"
# The defaults, but logs (there should be none) in the work directory.
OPTS="log_path=$WORK/logs/start"
EMPTY=$BIN/emptylib.so

preload_of() { case $1 in preload) echo "$LIB" ;; empty) echo "$EMPTY" ;; *) echo - ;; esac; }

cg() { # kind cmd... -> Ir
	k=$1
	shift
	f=$WORK/cg.start.$k.$(basename "$1")
	case $k in
	native) valgrind --tool=callgrind --callgrind-out-file="$f" "$@" >/dev/null 2>"$f.err" ;;
	*) env LD_PRELOAD="$(preload_of "$k")" SOCKLEAK_OPTIONS="$OPTS" valgrind --tool=callgrind \
		--callgrind-out-file="$f" "$@" >/dev/null 2>"$f.err" ;;
	esac
	cg_total "$f"
}

sc() { # kind cmd... -> syscalls
	k=$1
	shift
	f=$WORK/strace.start.$k.$(basename "$1")
	case $k in
	native) strace -f -c -o "$f" "$@" >/dev/null 2>&1 ;;
	*) strace -f -c -o "$f" -E LD_PRELOAD="$(preload_of "$k")" -E SOCKLEAK_OPTIONS="$OPTS" \
		"$@" >/dev/null 2>&1 ;;
	esac
	strace_total "$f"
}

out=$RES/start.md
{
	echo "### Process start-up (bench/start.sh): one whole run of a short-lived process"
	echo
	echo "Instructions (callgrind, the whole process from the loader on) and system calls (strace -f -c) of one run:"
	echo
	echo "| program | native Ir | preloaded Ir | added | empty preloaded library (control) | native syscalls | preloaded | added | empty library |"
	echo "|---|---|---|---|---|---|---|---|---|"
} >"$out"
for prog in true nginx; do
	case $prog in
	true) cmd="/bin/true" label="\`/bin/true\` (makes no socket)" ;;
	nginx) cmd="$NGINX -v" label="\`nginx -v\` (a network program)" ;;
	esac
	# shellcheck disable=SC2086 # cmd is a command line
	{
		ni=$(cg native $cmd) pi=$(cg preload $cmd) ei=$(cg empty $cmd)
		ns=$(sc native $cmd) ps=$(sc preload $cmd) es=$(sc empty $cmd)
	}
	cp "$WORK/cg.start.preload.$(basename "${cmd%% *}")" "$RES/callgrind.start-$prog.preload"
	echo "| $label | $ni | $pi | **+$((pi - ni))** | $ei (+$((ei - ni))) | $ns | $ps | **+$((ps - ns))** | $es (+$((es - ns))) |" >>"$out"
	note "start: $prog: +$((pi - ni)) instructions, +$((ps - ns)) syscalls"
done

# Wall time: native, preloaded and the empty library alternate, SPAWNS spawns each a round.
: >"$WORK/wall"
for r in $(seq "$ROUNDS"); do
	for k in native preload empty; do
		echo "$k $("$BIN/spawn" "$SPAWNS" "$(preload_of $k)" "$OPTS" /bin/true)" >>"$WORK/wall"
	done
done
fastest() { awk -v k="$1" '$1 == k {print $5}' "$WORK/wall" | sort -g | head -1; }
med() { awk -v k="$1" -v f="$2" '$1 == k {print $f}' "$WORK/wall" | median; }
fn=$(fastest native) fp=$(fastest preload) fe=$(fastest empty)
{
	echo
	echo "Wall time of one posix_spawn + wait4 of \`/bin/true\` (bench/spawn.c, $SPAWNS spawns per configuration, $ROUNDS alternating rounds; load average $(cut -d' ' -f1-3 /proc/loadavg) at the end):"
	echo
	echo "| configuration | fastest spawn µs | added | median µs (median of rounds) | child CPU µs (first quartile, median of rounds) |"
	echo "|---|---|---|---|---|"
	for k in native preload empty; do
		case $k in native) l=native ;; preload) l=preloaded ;; empty) l="empty preloaded library (control)" ;; esac
		f=$(fastest $k)
		echo "| $l | $f | $(awk -v a="$fn" -v b="$f" 'BEGIN {printf "%+.3f ms", (b - a) / 1000}') | $(med $k 9) | $(med $k 11) |"
	done
	echo
	echo "Target: a short-lived process starts with at most 0.3 ms added: fastest spawn preloaded minus native, **$(awk -v a="$fn" -v b="$fp" 'BEGIN {printf "%+.3f ms", (b - a) / 1000}')** (the medians swing with the machine's load; the counts above do not)."
	echo
	echo "Log records written by the preloaded runs: $(cat "$WORK"/logs/start.* 2>/dev/null | wc -l) (want 0: nothing here makes a socket)."
} >>"$out"
note "start: fastest spawn native $fn us, preloaded $fp us, empty library $fe us"
cat "$out"
