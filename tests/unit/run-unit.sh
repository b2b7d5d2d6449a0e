#!/bin/sh
# Run cmocka test binaries, show their output, and write "PASSED FAILED" to RESULTS.
# Usage: tests/unit/run-unit.sh RESULTS BIN...
# A binary that dies (sanitizer report, signal, timeout) or exits non-zero without a cmocka
# failure count is one failure more, so nothing that went wrong can add up to a clean line.
set -u
results=$1
shift
pass=0
fail=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for bin in "$@"; do
	timeout 300 "$bin" >"$log" 2>&1
	rc=$?
	cat "$log"
	p=$(sed -n 's/^\[  PASSED  \] \([0-9][0-9]*\) test(s)\..*/\1/p' "$log" | tail -n 1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9][0-9]*\) test(s), listed below:.*/\1/p' "$log" | tail -n 1)
	p=${p:-0}
	f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "unit: $(basename "$bin") exited with status $rc" >&2
		f=1
	fi
	pass=$((pass + p))
	fail=$((fail + f))
done
mkdir -p "$(dirname "$results")"
echo "$pass $fail" >"$results"
echo "unit: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
