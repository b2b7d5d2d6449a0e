#!/bin/bash
# Benchmark of `sockleak report` (issue 6): 1,000,000-line logs, time and peak RSS.
# usage: bench/report-bench.sh [BUILD_DIR]   (make bench-report)
# Two logs of the same number of lines: one with 200,000 distinct sockets, one with 20,000,
# to show that memory follows sockets and stacks, not lines. Then (issue 11) a log of
# 1,000,000 distinct leak sites: the budget is 10 s of CPU, the target 500 MB of peak RSS.
set -eu
B=${1:-build}
T=$(mktemp -d /tmp/sockleak-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT
MOD=$(realpath "$B/tests/report/leaky_server")
for socks in 200000 20000; do
	python3 bench/report-gen.py "$T/log" 1000000 "$socks" "$MOD"
	lines=$(wc -l <"$T/log"); size=$(du -m "$T/log" | cut -f1)
	for fmt in text json; do
		if [ -x /usr/bin/time ]; then
			/usr/bin/time -f "%e %U %S %M" -o "$T/t" "$B/sockleak" report -f $fmt "$T/log" >"$T/out" 2>"$T/err"
			read -r secs us ss kb <"$T/t"
			cpu=$(awk -v u="$us" -v s="$ss" 'BEGIN { printf "%.2f", u + s }')
		else
			s0=$(date +%s.%N); "$B/sockleak" report -f $fmt "$T/log" >"$T/out" 2>"$T/err"
			secs=$(echo "$(date +%s.%N) - $s0" | bc); kb=0; cpu=$secs
		fi
		printf 'report-bench: %s lines (%s MB), %6s sockets, -f %-4s: %5s s wall, %5s s CPU, peak RSS %s MB\n' \
			"$lines" "$size" "$socks" "$fmt" "$secs" "$cpu" "$((kb / 1024))"
		# CPU time is the budget: wall time on a shared 2-core machine includes other jobs
		awk -v s="$cpu" 'BEGIN { exit !(s < 5.0) }' || { echo "report-bench: over the 5 s budget" >&2; exit 1; }
		awk -v s="$secs" 'BEGIN { exit !(s >= 5.0) }' && echo "report-bench: wall time over 5 s (load average: $(cut -d' ' -f1 /proc/loadavg))" >&2 || true
	done
done

# issue 11: a million distinct sites (one leaked socket each, 2,002,000 lines, ~1 GB): 10 s of
# CPU and 500 MB of peak RSS, in every machine-readable format too (sarif: 0.97 GB of output)
python3 bench/report-sites-gen.py "$T/log" 1000000
size=$(du -m "$T/log" | cut -f1)
fail=0
# The budget is the analyser's own CPU: its output goes into a pipe, counted on the other side
# (the checks below). Into a file, the kernel's copy of 0.5-1.15 GB into the page cache adds
# 0.4-5 s of system time on this VM from one run to the next (its memory is reclaimed
# behind it, and each new page-cache page costs a fault on the host): measured once more and
# reported beside the budget, not gated.
for fmt in text json sarif; do
	/usr/bin/time -f "%e %U %S %M" -o "$T/t" "$B/sockleak" report -f $fmt "$T/log" 2>"$T/err" |
		awk -v f="$fmt" '
			f == "json" && /^    \{"rank":/ { n++ }
			f == "sarif" && /^        \{"ruleId":/ { n++ }
			{ last = $0 }
			END { print n + 0; print last }' >"$T/count"
	read -r secs us ss kb <"$T/t"
	cpu=$(awk -v u="$us" -v s="$ss" 'BEGIN { printf "%.2f", u + s }')
	/usr/bin/time -f "%U %S" -o "$T/tf" "$B/sockleak" report -f $fmt "$T/log" >"$T/out" 2>/dev/null
	read -r fus fss <"$T/tf"
	rm -f "$T/out"
	printf 'report-bench: 1,000,000 distinct sites (%s MB), -f %-5s: %5s s wall, %5s s CPU (%s user, %s system), peak RSS %s MB; into a file: %s user, %s system (load average %s)\n' \
		"$size" "$fmt" "$secs" "$cpu" "$us" "$ss" "$((kb / 1024))" "$fus" "$fss" "$(cut -d' ' -f1 /proc/loadavg)"
	n=$(sed -n 1p "$T/count") last=$(sed -n 2p "$T/count")
	case $fmt in
	text)
		[ "$last" = 'SUMMARY: sockleak: 1000000 leaked socket(s) at 1000000 site(s)' ] ||
			{ echo "report-bench: wrong summary: $last" >&2; fail=1; } ;;
	json)
		[ "$n" = 1000000 ] ||
			{ echo "report-bench: the json report lists $n sites, not 1,000,000" >&2; fail=1; } ;;
	sarif)
		[ "$n" = 1000000 ] ||
			{ echo "report-bench: the sarif report lists $n results, not 1,000,000" >&2; fail=1; } ;;
	esac
	if ! awk -v s="$cpu" 'BEGIN { exit !(s <= 10.0) }'; then
		echo "report-bench: -f $fmt over the 10 s CPU target of issue 11" >&2
		fail=1
	fi
	[ "$((kb / 1024))" -le 500 ] || { echo "report-bench: -f $fmt peak RSS over the 500 MB target of issue 11" >&2; fail=1; }
done
exit $fail
