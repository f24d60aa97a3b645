# tests/bench: benchmarks, run by hand with `make bench` (not part of
# `make check`: the national-scale data take minutes and gigabytes).
#
# gen-province writes invented master lists: the committed demo in
# data/demo/ and the national-scale inputs of the benchmarks.
noinst_PROGRAMS += tools/gen-province
tools_gen_province_SOURCES = tools/gen-province.c

# Each script gets TOKENDESK, GEN and SQLITE3 and prints its own figures;
# add new benchmarks here (BENCH_LIST: a _SCRIPTS name would be an automake
# primary).  BENCH_AGENCIES / BENCH_CERTS shrink the data
# for a quick run, BENCH_STRICT=1 fails on a missed target.  The plan
# and desk benchmarks share one national-scale registry, built once in
# the build directory (bench-registry-1m.db; `make bench-clean` drops it);
# bench-lists.sh keeps a copy with the merger's plan applied beside it
# (bench-lists-1m.db).
BENCH_LIST = tests/bench/bench-registry.sh
BENCH_LIST += tests/bench/bench-token.sh
BENCH_LIST += tests/bench/bench-plan.sh
BENCH_LIST += tests/bench/bench-desk.sh
BENCH_LIST += tests/bench/bench-count.sh
BENCH_LIST += tests/bench/bench-audit.sh
BENCH_LIST += tests/bench/bench-lists.sh
BENCH_LIST += tests/bench/bench-hall.sh
BENCH_LIST += tests/bench/bench-pcsc.sh

EXTRA_DIST += tests/bench/local.mk $(BENCH_LIST) tests/bench/floor.sql tests/bench/floor-v6.sql data/demo/README

.PHONY: bench
bench: tokendesk$(EXEEXT) tools/gen-province$(EXEEXT)
	@status=0; \
	for s in $(BENCH_LIST); do \
	  echo "== $$s"; \
	  TOKENDESK='$(abs_top_builddir)/tokendesk$(EXEEXT)' \
	  GEN='$(abs_top_builddir)/tools/gen-province$(EXEEXT)' \
	  SQLITE3='$(SQLITE3_SHELL)' \
	  BENCH_DB='$(abs_top_builddir)/bench-registry-1m.db' \
	  TD_BENCH_DB='$(abs_top_builddir)/bench-registry-1m.db' \
	  BENCH_LISTS_DB='$(abs_top_builddir)/bench-lists-1m.db' \
	  $(SHELL) '$(srcdir)/'$$s || status=1; \
	done; \
	exit $$status

.PHONY: bench-clean
bench-clean:
	rm -f bench-registry-1m.db bench-registry-1m.db-wal bench-registry-1m.db-shm
	rm -f bench-lists-1m.db bench-lists-1m.db-wal bench-lists-1m.db-shm
