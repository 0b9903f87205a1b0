#!/bin/sh
# Runs every harness listed in tests/fuzz/targets for FUZZ_SECONDS seconds
# each (default 10) on its corpus; fails if any finds a crash, leak, OOM or
# timeout (the input is saved as build/fuzz/artifacts/NAME-crash-...).
#   FUZZ_SECONDS=60 FUZZ_TARGETS="csv vocab" sh tests/fuzz/run.sh
# FUZZ_SEED fixes libFuzzer's mutation sequence (0, the default, picks one).
# Assumes `make -f tests/fuzz/fuzz.mk build` has run (make fuzz does both).
set -u
B=${FUZZ_BUILD:-build/fuzz}
SECS=${FUZZ_SECONDS:-10}
HERE=tests/fuzz
export OPENBLAS_NUM_THREADS=1
sh "$HERE/seeds.sh" || exit 1
mkdir -p "$B/artifacts" "$B/logs"
rm -f "$B/failed"
grep -v '^#' "$HERE/targets" | awk 'NF' | while read -r name maxlen extra; do
	if [ -n "${FUZZ_TARGETS:-}" ]; then
		case " $FUZZ_TARGETS " in *" $name "*) ;; *) continue ;; esac
	fi
	mkdir -p "$B/corpus/$name"
	dict=
	[ -f "$HERE/$name.dict" ] && dict="-dict=$HERE/$name.dict"
	log="$B/logs/$name.log"
	# shellcheck disable=SC2086
	case $B in /*) bin=$B/fuzz_$name ;; *) bin=./$B/fuzz_$name ;; esac
	"$bin" -max_total_time="$SECS" -rss_limit_mb=2048 -timeout=10 \
		-max_len="$maxlen" -seed="${FUZZ_SEED:-0}" $dict $extra -print_final_stats=1 \
		-artifact_prefix="$B/artifacts/$name-" "$B/corpus/$name" "$B/seeds/$name" \
		>"$log" 2>&1
	rc=$?
	stats=$(grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE|INITED)' "$log" | tail -1)
	execs=$(grep '^stat::number_of_executed_units' "$log" | awk '{print $2}')
	if [ "$rc" -eq 0 ]; then
		echo "  fuzz   $name: ok, ${execs:-?} runs, corpus $(ls "$B/corpus/$name" | wc -l): $stats"
	else
		echo "  fuzz   $name: FAILED (exit $rc), see $log:"
		grep -E 'ERROR|SUMMARY|invariant|artifact' "$log" | head -5 | sed 's/^/         /'
		echo "$name" >>"$B/failed"
	fi
done
if [ -s "$B/failed" ]; then
	echo "fuzz: failed: $(tr '\n' ' ' <"$B/failed")"
	rm -f "$B/failed"
	exit 1
fi
echo "fuzz: every target ran ${SECS}s without a finding"
