# tests/bench/local.mk: work in progress, filled when the room lands
# issue 5: `plan show` on a national merger; the lead adds it to the
# bench list when the room lands (BENCH_LIST += tests/bench/bench-plan.sh)
EXTRA_DIST += tests/bench/bench-plan.sh
