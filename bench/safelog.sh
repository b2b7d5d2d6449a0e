#!/bin/bash
# The safe log (issue 10): what one record costs, and the checks around it.
#  1. a record: `close(dup(fd))` on a connected TCP socket writes one close_shared record (a
#     stack, the rotation check, the size-limit read, one write): instructions (callgrind, K1 and
#     K2 iterations, differenced) and system calls (strace -f -c, the same) per record, native
#     and preloaded, and the wall time of an iteration;
#  2. the primitives, natively, timed in loops (bench/safelog.c, best of 5): the rotation
#     check's fstatat, the credential check's two status files (once a second, on the watchdog),
#     the size limit's prlimit64.
# Usage: B=build bench/safelog.sh
set -u
. "$(dirname "$0")/lib.sh"

K1=${K1:-1000}
K2=${K2:-5000}
KW=${KW:-20000}
ROUNDS=${ROUNDS:-3}
mkdir -p "$WORK/logs/a/b"
LOGP=$WORK/logs/a/b/log
OPTS="$CG_OPTS:summary=0:log_path=$LOGP"

cg() { # kind k -> Ir
	f=$WORK/cg.safelog.$1.$2
	if [ "$1" = preload ]; then
		env LD_PRELOAD="$LIB" SOCKLEAK_OPTIONS="$OPTS" valgrind --tool=callgrind \
			--callgrind-out-file="$f" "$BIN/micro" dup-close "$2" >/dev/null 2>"$f.err"
	else
		valgrind --tool=callgrind --callgrind-out-file="$f" "$BIN/micro" dup-close "$2" \
			>/dev/null 2>"$f.err"
	fi
	cg_total "$f"
}
sc() { # kind k -> strace -c file
	f=$WORK/strace.safelog.$1.$2
	if [ "$1" = preload ]; then
		strace -f -c -o "$f" -E LD_PRELOAD="$LIB" -E SOCKLEAK_OPTIONS="$OPTS" \
			"$BIN/micro" dup-close "$2" >/dev/null 2>&1
	else
		strace -f -c -o "$f" "$BIN/micro" dup-close "$2" >/dev/null 2>&1
	fi
	echo "$f"
}

n1=$(cg native "$K1") n2=$(cg native "$K2") p1=$(cg preload "$K1") p2=$(cg preload "$K2")
ni=$(per_unit "$n1" "$n2" "$K1" "$K2") pi=$(per_unit "$p1" "$p2" "$K1" "$K2")
cp "$WORK/cg.safelog.preload.$K2" "$RES/callgrind.safelog-record.preload"
records=$(cat "$LOGP".* 2>/dev/null | grep -c '"event":"close_shared"')
rm -f "$LOGP".*
sn1=$(sc native "$K1") sn2=$(sc native "$K2") sp1=$(sc preload "$K1") sp2=$(sc preload "$K2")
rm -f "$LOGP".*
sni=$(per_unit "$(strace_total "$sn1")" "$(strace_total "$sn2")" "$K1" "$K2")
spi=$(per_unit "$(strace_total "$sp1")" "$(strace_total "$sp2")" "$K1" "$K2")
which=$({
	strace_calls "$sn1" | sed 's/^/n1 /'
	strace_calls "$sn2" | sed 's/^/n2 /'
	strace_calls "$sp1" | sed 's/^/p1 /'
	strace_calls "$sp2" | sed 's/^/p2 /'
} | awk -v d=$((K2 - K1)) '{c[$2] = 1; v[$1, $2] = $3}
	END {for (n in c) {a = ((v["p2", n] - v["p1", n]) - (v["n2", n] - v["n1", n])) / d
		if (a >= 0.05 || a <= -0.05) printf "%s %+.2f, ", n, a}}' | sed 's/, $//')

# Wall time of an iteration, alternating; the preloaded one writes KW records a run.
: >"$WORK/wall"
for r in $(seq "$ROUNDS"); do
	tn=$("$BIN/micro" dup-close "$KW" | awk '{print $3}')
	tp=$(env LD_PRELOAD="$LIB" SOCKLEAK_OPTIONS="$OPTS" "$BIN/micro" dup-close "$KW" | awk '{print $3}')
	rm -f "$LOGP".*
	echo "$tn $tp" >>"$WORK/wall"
done
wn=$(awk '{print $1}' "$WORK/wall" | median) wp=$(awk '{print $2}' "$WORK/wall" | median)

touch "$LOGP.probe"
fst=$("$BIN/safelog" fstatat "$LOGP.probe" 200000 | awk '{print $3}')
creds=$("$BIN/safelog" creds 20000 | awk '{print $3}')
fsize=$("$BIN/safelog" fsize 1000000 | awk '{print $3}')
us() { awk -v n="$1" 'BEGIN {printf "%.2f", n / 1000}'; }

out=$RES/safelog.md
{
	echo "### Safe logs (bench/safelog.sh): a record and its checks"
	echo
	echo "A \`close_shared\` record, \`close(dup(fd))\` on a connected TCP socket (bench/micro.c dup-close; the log on $(stat -f -c %T "$WORK") (stat -f), a path of $(echo "$LOGP" | tr -cd / | wc -c) components):"
	echo
	echo "| | native | preloaded | added per record |"
	echo "|---|---|---|---|"
	echo "| instructions per iteration (callgrind, $K1 and $K2, differenced) | $ni | $pi | **$(awk -v a="$ni" -v b="$pi" 'BEGIN {printf "%+.0f", b - a}')** |"
	echo "| system calls per iteration (strace -f -c, the same) | $sni | $spi | **$(awk -v a="$sni" -v b="$spi" 'BEGIN {printf "%+.2f", b - a}')**: $which |"
	echo "| wall µs per iteration ($KW iterations, median of $ROUNDS alternating runs) | $(us "$wn") | $(us "$wp") | **$(awk -v a="$wn" -v b="$wp" 'BEGIN {printf "%+.2f", (b - a) / 1000}')** |"
	echo
	echo "close_shared records written by the two preloaded callgrind runs: $records (want $((K1 + K2)): one a close)."
	echo
	echo "The checks, natively, one call at a time (bench/safelog.c, best of 5 loops):"
	echo
	echo "| check | when | µs a call |"
	echo "|---|---|---|"
	echo "| rotation: \`fstatat(path, AT_SYMLINK_NOFOLLOW)\` (200,000 calls) | before each record | **$(us "$fst")** |"
	echo "| credentials: /proc/self/status and /proc/thread-self/status read (20,000) | when the log is opened, then once a second on the watchdog | **$(us "$creds")** ($(awk -v n="$creds" 'BEGIN {printf "%.4f%%", n / 1e9 * 100}') of a core) |"
	echo "| file size limit: \`prlimit64(RLIMIT_FSIZE)\` read (1,000,000) | each record | **$(us "$fsize")** |"
	echo
	echo "Load average $(cut -d' ' -f1-3 /proc/loadavg)."
} >"$out"
note "safelog: a record +$(awk -v a="$ni" -v b="$pi" 'BEGIN {printf "%.0f", b - a}') Ir, +$(awk -v a="$sni" -v b="$spi" 'BEGIN {printf "%.2f", b - a}') syscalls, $(us "$wp") us vs $(us "$wn") us"
cat "$out"
