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
for fmt in text json sarif; do
	/usr/bin/time -f "%e %U %S %M" -o "$T/t" "$B/sockleak" report -f $fmt "$T/log" >"$T/out" 2>"$T/err"
	read -r secs us ss kb <"$T/t"
	cpu=$(awk -v u="$us" -v s="$ss" 'BEGIN { printf "%.2f", u + s }')
	printf 'report-bench: 1,000,000 distinct sites (%s MB), -f %-5s: %5s s wall, %5s s CPU, peak RSS %s MB (load average %s)\n' \
		"$size" "$fmt" "$secs" "$cpu" "$((kb / 1024))" "$(cut -d' ' -f1 /proc/loadavg)"
	case $fmt in
	text)
		tail -n1 "$T/out" | grep -qx 'SUMMARY: sockleak: 1000000 leaked socket(s) at 1000000 site(s)' ||
			{ echo "report-bench: wrong summary: $(tail -n1 "$T/out")" >&2; fail=1; } ;;
	json)
		[ "$(grep -c '^    {"rank":' "$T/out")" = 1000000 ] ||
			{ echo "report-bench: the json report does not list 1,000,000 sites" >&2; fail=1; } ;;
	sarif)
		[ "$(grep -c '^        {"ruleId":' "$T/out")" = 1000000 ] ||
			{ echo "report-bench: the sarif report does not list 1,000,000 results" >&2; fail=1; } ;;
	esac
	if ! awk -v s="$cpu" 'BEGIN { exit !(s <= 10.0) }'; then
		echo "report-bench: -f $fmt over the 10 s CPU target of issue 11" >&2
		fail=1
	fi
	[ "$((kb / 1024))" -le 500 ] || { echo "report-bench: -f $fmt peak RSS over the 500 MB target of issue 11" >&2; fail=1; }
done
exit $fail
