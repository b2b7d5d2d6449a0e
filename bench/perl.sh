#!/bin/bash
# Perl with and without the preload: a whole loopback connection in instructions (callgrind,
# bench/perl_conn.pl: connect, accept, two closes; N1 and N2 connections, differenced).
# Usage: B=build bench/perl.sh
set -u
. "$(dirname "$0")/lib.sh"

PERL=${PERL:-/usr/bin/perl}
N1=${N1:-100}
N2=${N2:-300}
mkdir -p "$WORK/logs"
# Perl randomises its hashes per process: a fixed seed, so every run counts the same.
export PERL_HASH_SEED=0 PERL_PERTURB_KEYS=0
PL=$(dirname "$0")/perl_conn.pl

cg() { # kind n -> Ir
	f=$WORK/cg.perl.$1.$2
	if [ "$1" = preload ]; then
		env LD_PRELOAD="$LIB" SOCKLEAK_OPTIONS="$CG_OPTS:summary=0:log_path=$WORK/logs/perl" \
			valgrind --tool=callgrind --callgrind-out-file="$f" "$PERL" "$PL" "$2" >/dev/null 2>"$f.err"
	else
		valgrind --tool=callgrind --callgrind-out-file="$f" "$PERL" "$PL" "$2" >/dev/null 2>"$f.err"
	fi
	cg_total "$f"
}

n1=$(cg native "$N1") n2=$(cg native "$N2") p1=$(cg preload "$N1") p2=$(cg preload "$N2")
ni=$(per_unit "$n1" "$n2" "$N1" "$N2") pi=$(per_unit "$p1" "$p2" "$N1" "$N2")
out=$RES/perl.md
{
	echo "### Perl $("$PERL" -e 'printf "%vd", $^V') (bench/perl.sh, bench/perl_conn.pl)"
	echo
	echo "Instructions a whole connection (callgrind, $N1 and $N2 connections, differenced): native $ni, preloaded $pi, added **$(awk -v a="$ni" -v b="$pi" 'BEGIN {printf "%+.0f", b - a}')** ($(pct "$ni" "$pi"))."
	echo
	echo "Where the added instructions go (bench/cgdiff.py, self cost per connection, top 10):"
	echo
	cgdiff_of "$WORK/cg.perl" "$N1" "$N2" --top 10
} >"$out"
note "perl: a connection native $ni, preloaded $pi Ir"
cat "$out"
