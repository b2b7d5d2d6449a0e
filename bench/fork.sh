#!/bin/bash
# fork children that touch no socket, with and without the preload (issue 10's and issue 15's
# target: such a child costs at most 1.2x native and writes nothing):
#  1. system calls of a child (strace -f; bench/strace_forks.py tells children apart) and of
#     the parent per fork (F1 and F2 forks, differenced), and page faults per child (wait4's ru_minflt, median of the children, lowest of the rounds):
#     counts that do not depend on the machine's load;
#  2. a child's CPU time (wait4): the first quartile of the N children, the lowest of ROUNDS
#     interleaved rounds, as tests/host fork_child_cost_small judges it (the upper quartiles are
#     the children another job slowed); the median beside it, and the parent's loop per fork.
# Parents: bench/forks (its own code makes no socket, like make or a shell), bench/forks_net
# (holds a listener and a connection in CLOSE_WAIT: its stacks taken, by libgcc's unwinder
# linked into the library; libunwind was mapped for them before),
# the latter also with 16 and 32 MB of touched heap (a fork of a real program's size).
# Controls: an empty preloaded library (what any preload's mapping costs a child),
# libunwind.so.8 alone, preloaded (with its liblzma: the mappings a socket-holding program had
# for its stacks), and two preloads that take one stack in their constructor and do nothing
# else (bench/unwindlib.c): with libunwind dlopen'ed as sockleak loaded it in a network
# program (the floor of that design: its mappings, destructors and caches), and with libgcc's
# unwinder linked into the library, as sockleak's is now (no other object mapped).
# Usage: B=build bench/fork.sh
set -u
. "$(dirname "$0")/lib.sh"

ROUNDS=${ROUNDS:-9}
F1=${F1:-20}
F2=${F2:-100}
mkdir -p "$WORK/logs"
OPTS="summary=0:log_path=$WORK/logs/fork"
EMPTY=$BIN/emptylib.so
UNWIND=${UNWIND:-$(ldconfig -p | awk '$1 == "libunwind.so.8" && /x86-64/ {print $NF; exit}')}
UNWLIB=$BIN/unwindlib.so
GCCLIB=$BIN/gccunwindlib.so

# name program MB children. 300 children a round for every parent: with 100, the first
# quartile of the 16 and 32 MB parents' children moved by ±0.15 between runs (32 MB: 1.20x, then
# 1.21x beside an empty preloaded library's 1.13x, a library that does nothing).
CONFIGS="small:forks:0:300 net:forks_net:0:300 net16:forks_net:16:300 net32:forks_net:32:300"
label() {
	case $1 in
	small) echo "makes no socket, 20 KB" ;;
	net) echo "holds a listener and a CLOSE_WAIT connection, 20 KB" ;;
	net16) echo "holds sockets, 16 MB of heap" ;;
	net32) echo "holds sockets, 32 MB of heap" ;;
	esac
}

run_kind() { # kind program args...
	k=$1
	shift
	case $k in
	native) "$@" ;;
	preload) env LD_PRELOAD="$LIB" SOCKLEAK_OPTIONS="$OPTS" "$@" ;;
	empty) env LD_PRELOAD="$EMPTY" "$@" ;;
	unwind) env LD_PRELOAD="$UNWIND" "$@" ;;
	unwlib) env LD_PRELOAD="$UNWLIB" "$@" ;;
	gcclib) env LD_PRELOAD="$GCCLIB" "$@" ;;
	esac
}

# 1. System calls: a child's (strace -f, children told apart by bench/strace_forks.py) and the
# parent's per fork (F1 and F2 forks, differenced: the preloaded parent writes a fork record).
sf() { # kind program mb n -> "children C child_calls A parent_calls P typical LIST"
	f=$WORK/strace.fork.$1.$2.$3.$4
	case $1 in
	native) strace -f -o "$f" "$BIN/$2" "$4" "$3" >/dev/null 2>&1 ;;
	preload) strace -f -o "$f" -E LD_PRELOAD="$LIB" -E SOCKLEAK_OPTIONS="$OPTS" \
		"$BIN/$2" "$4" "$3" >/dev/null 2>&1 ;;
	esac
	python3 "$(dirname "$0")/strace_forks.py" "$f"
}
field() { echo "$1" | awk -v k="$2" '{for (i = 1; i < NF; i++) if ($i == k) print $(i + 1)}'; }

out=$RES/fork.md
{
	echo "### fork: children that exit at once (bench/fork.sh, bench/forks.c)"
	echo
	echo "System calls (strace -f): a child's ($F2 children, mean), and the parent's per fork ($F1 and $F2 forks, differenced):"
	echo
	echo "| parent | a child's: native | preloaded | added | the preloaded child's calls | the parent's per fork: native | preloaded |"
	echo "|---|---|---|---|---|---|---|"
} >"$out"
for cfg in $CONFIGS; do
	IFS=: read -r name prog mb _ <<<"$cfg"
	[ "$mb" = 32 ] && continue
	n1=$(sf native "$prog" "$mb" "$F1") n2=$(sf native "$prog" "$mb" "$F2")
	p1=$(sf preload "$prog" "$mb" "$F1") p2=$(sf preload "$prog" "$mb" "$F2")
	cn=$(field "$n2" child_calls) cp=$(field "$p2" child_calls)
	echo "| $(label "$name") | $cn | $cp | **$(awk -v a="$cn" -v b="$cp" 'BEGIN {printf "%+.2f", b - a}')** | $(field "$p2" typical | sed 's/,/, /g') | $(per_unit "$(field "$n1" parent_calls)" "$(field "$n2" parent_calls)" "$F1" "$F2") | $(per_unit "$(field "$p1" parent_calls)" "$(field "$p2" parent_calls)" "$F1" "$F2") |" >>"$out"
	note "fork: $name: a child's syscalls native $cn, preloaded $cp"
done

# 2. CPU and page faults, native / preloaded / empty library interleaved, ROUNDS rounds.
: >"$WORK/wall"
for r in $(seq "$ROUNDS"); do
	for cfg in $CONFIGS; do
		IFS=: read -r name prog mb n <<<"$cfg"
		for k in native preload empty unwind unwlib gcclib; do
			echo "$name $k $(run_kind "$k" "$BIN/$prog" "$n" "$mb")" >>"$WORK/wall"
		done
	done
done
# Fields: name kind forks N loop_us_per_fork L cpu_q1_us Q cpu_median_us M minflt_median F ...
low() { awk -v c="$1" -v k="$2" -v f="$3" '$1 == c && $2 == k {print $f}' "$WORK/wall" | sort -g | head -1; }
med() { awk -v c="$1" -v k="$2" -v f="$3" '$1 == c && $2 == k {print $f}' "$WORK/wall" | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2fx", (a > 0 ? b / a : 0)}'; }
{
	echo
	echo "A child's CPU time and page faults (wait4; $ROUNDS interleaved rounds; load average $(cut -d' ' -f1-3 /proc/loadavg) at the end). CPU: the first quartile of the children, lowest round (the median of the children, median of the rounds, in brackets); ratio to native:"
	echo
	echo "| parent | children a round | native CPU µs | preloaded | ratio | empty library (control) | libunwind.so.8 alone (control) | a stack with libunwind, as sockleak loaded it (control) | a stack with libgcc's unwinder linked in (control) | page faults a child: native | preloaded | empty library | libunwind alone | libunwind as sockleak loaded it | libgcc's unwinder | loop µs per fork: native | preloaded |"
	echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
} >>"$out"
for cfg in $CONFIGS; do
	IFS=: read -r name prog mb n <<<"$cfg"
	qn=$(low "$name" native 8) qp=$(low "$name" preload 8) qe=$(low "$name" empty 8) qu=$(low "$name" unwind 8)
	ql=$(low "$name" unwlib 8) qg=$(low "$name" gcclib 8)
	r=$(ratio "$qn" "$qp") re=$(ratio "$qn" "$qe") ru=$(ratio "$qn" "$qu")
	rl=$(ratio "$qn" "$ql") rg=$(ratio "$qn" "$qg")
	echo "| $(label "$name") | $n | $qn ($(med "$name" native 10)) | $qp ($(med "$name" preload 10)) | **$r** | $qe ($(med "$name" empty 10)) $re | $qu ($(med "$name" unwind 10)) $ru | $ql ($(med "$name" unwlib 10)) $rl | $qg ($(med "$name" gcclib 10)) $rg | $(low "$name" native 12) | $(low "$name" preload 12) | $(low "$name" empty 12) | $(low "$name" unwind 12) | $(low "$name" unwlib 12) | $(low "$name" gcclib 12) | $(med "$name" native 6) | $(med "$name" preload 6) |" >>"$out"
	note "fork: $name: child CPU q1 native $qn us, preloaded $qp us ($r), empty library $re, libunwind alone $ru, a stack with libunwind as sockleak loaded it $rl, with libgcc's unwinder linked in $rg"
done
{
	echo
	# Every preloaded parent writes its fork records to a log of its own; a child that wrote
	# anything would add a file.
	parents=$((ROUNDS * $(echo "$CONFIGS" | wc -w) + 6))
	echo "Target: a child that touches no socket costs at most 1.2x native in CPU and writes nothing: $(find "$WORK/logs" -name 'fork.*' | wc -l) log files from $parents preloaded parents and their children (at most one a parent wanted)."
} >>"$out"
cat "$out"
