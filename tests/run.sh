#!/bin/sh
# Runs every cmocka binary given, then every tests/e2e_*.sh, and prints one
# closing line "N passed, N failed". BUILD names the build directory.
BUILD=${BUILD:-build}
export SEQSTEP="$PWD/$BUILD/seqstep"
# Golden outputs are compared with tests/tools/textcmp.c: text exactly,
# printed numbers within one unit of their last place.
export TEXTCMP="$PWD/$BUILD/tools/textcmp"
pass=0 fail=0 failed=""
for t in "$@"; do
	if "$t"; then pass=$((pass + 1)); else fail=$((fail + 1)); failed="$failed $t"; fi
done
for t in tests/e2e_*.sh; do
	[ -e "$t" ] || continue
	echo "[ RUN      ] $t"
	if sh "$t"; then pass=$((pass + 1)); echo "[       OK ] $t"
	else fail=$((fail + 1)); failed="$failed $t"; echo "[  FAILED  ] $t"; fi
done
[ -n "$failed" ] && echo "failed:$failed"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
