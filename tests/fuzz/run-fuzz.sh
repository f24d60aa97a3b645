#!/bin/sh
# run-fuzz.sh BUILDDIR SRCDIR RUNS FLAGS NAME...: fuzz each harness for
# RUNS executions (libFuzzer -runs), starting from its committed seed
# corpus plus what earlier runs found (BUILDDIR/tests/fuzz/work/NAME),
# and print one line per harness with the executions libFuzzer reports.
# Called by `make fuzz`.  Exit 1 if any harness found a crash (the input
# is kept in BUILDDIR/tests/fuzz/crash/ for a regression test: copy it
# into SRCDIR/tests/fuzz/corpus/NAME/ once fixed).
b=$1 s=$2 runs=$3 flags=$4
shift 4
status=0
summary=
mkdir -p "$b/tests/fuzz/crash"
for name in "$@"; do
	work=$b/tests/fuzz/work/$name
	log=$b/tests/fuzz/fuzz-$name.log
	mkdir -p "$work"
	echo "fuzz-$name: $runs executions (log: $log)"
	start=$(date +%s)
	# shellcheck disable=SC2086 # FLAGS is a list of libFuzzer options
	if "$b/tests/fuzz/fuzz-$name" -runs="$runs" $flags \
	    -artifact_prefix="$b/tests/fuzz/crash/$name-" -print_final_stats=1 \
	    "$work" "$s/tests/fuzz/corpus/$name" >"$log" 2>&1; then
		result="no crash"
	elif grep -q "libFuzzer: run interrupted" "$log"; then
		result="interrupted before the count, no crash"
	else
		result="FAILED (see $log)"
		status=1
	fi
	secs=$(( $(date +%s) - start ))
	done_runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -n 1)
	[ -n "$done_runs" ] || done_runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	# -fork=N (in FLAGS) runs N workers; -runs counts them all together
	[ -n "$done_runs" ] || done_runs=$(sed -n 's/^INFO: fuzzed for \([0-9]*\) iterations.*/\1/p' "$log" | tail -n 1)
	summary="$summary
fuzz-$name: ${done_runs:-?} executions in ${secs}s, corpus $(ls "$work" | wc -l) inputs: $result"
done
echo "$summary"
exit $status
