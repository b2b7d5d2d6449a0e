#!/bin/sh
# The export check of issue 12: the list of interposed functions (preload/interposed.h), the
# version script (preload/exports.map), the objects and the built library must agree, and the
# library may export nothing but libc's names and the public sockleak_* API.
# Usage: tests/exports/check.sh LIST MAP LIB LIBC OBJ...
#   LIST: the interposed symbols, one a line (exports.mk extracts them from interposed.h);
#   LIBC: the libc.so.6 whose dynamic symbols are "libc's names".
# Prints one line per check ("ok:" or "FAIL:" with the names that differ) and
# "exports: P passed, F failed"; the exit status is the number of failed checks.
set -u
list=$1 map=$2 lib=$3 libc=$4
shift 4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

# The version script's global names, one a line (its `sockleak_*` pattern included as written).
sed -e 's,/\*.*\*/,,g' "$map" | tr -s ' \t;{}' '\n\n\n\n\n' |
	awk '/^global:$/ {g = 1; next} /^local:$/ {g = 0} g && NF' | sort -u >"$tmp/map"
sort "$list" >"$tmp/list.all"
sort -u "$list" >"$tmp/list"
grep -v '^sockleak_\*$' "$tmp/map" >"$tmp/map.libc"
nm -D --defined-only "$lib" | awk '{print $NF}' | sed 's/@.*//' | sort -u >"$tmp/dyn"
grep -v '^sockleak_' "$tmp/dyn" >"$tmp/dyn.libc"
# What the objects mean to export: defined global or weak symbols of default visibility.
for o in "$@"; do
	readelf -sW "$o" | awk '($5 == "GLOBAL" || $5 == "WEAK") && $6 == "DEFAULT" && $7 != "UND" {print $8}'
done | sort -u | grep -v '^sockleak_' >"$tmp/objs"
nm -D --defined-only "$libc" | awk '{print $NF}' | sed 's/@.*//' | sort -u >"$tmp/libc"

# check WHAT FILE: passes when FILE is empty, else names its lines.
check() {
	if [ -s "$2" ]; then
		echo "FAIL: $1: $(tr '\n' ' ' <"$2")"
		fail=$((fail + 1))
	else
		echo "ok: $1"
		pass=$((pass + 1))
	fi
}

uniq -d "$tmp/list.all" >"$tmp/d"
check "listed twice in interposed.h" "$tmp/d"
comm -23 "$tmp/list" "$tmp/map.libc" >"$tmp/d"
check "interposed but not in exports.map" "$tmp/d"
comm -13 "$tmp/list" "$tmp/map.libc" >"$tmp/d"
check "in exports.map but not in interposed.h" "$tmp/d"
grep -qx 'sockleak_\*' "$tmp/map" && : >"$tmp/d" || echo 'sockleak_*' >"$tmp/d"
check "exports.map exports the public API" "$tmp/d"
comm -23 "$tmp/list" "$tmp/dyn.libc" >"$tmp/d"
check "interposed but not exported by $(basename "$lib")" "$tmp/d"
comm -13 "$tmp/list" "$tmp/dyn.libc" >"$tmp/d"
check "exported by $(basename "$lib") but neither interposed nor sockleak_*" "$tmp/d"
comm -13 "$tmp/list" "$tmp/objs" >"$tmp/d"
check "defined for export in an object but not in interposed.h" "$tmp/d"
comm -23 "$tmp/list" "$tmp/libc" >"$tmp/d"
check "interposed but not a libc name" "$tmp/d"

echo "exports: $pass passed, $fail failed"
exit "$fail"
