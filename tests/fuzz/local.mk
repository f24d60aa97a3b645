# tests/fuzz: libFuzzer harnesses, one per parser (see tests/fuzz/README).
#
# Each harness tests/fuzz/fuzz-NAME.c defines LLVMFuzzerTestOneInput and
# has a seed corpus in tests/fuzz/corpus/NAME/.
#  - Normally (no --enable-fuzzing) each is linked with regress-main.c
#    and runs in `make check` as a regression test over its corpus.
#  - With ./configure --enable-fuzzing CC=clang, the whole build is
#    instrumented (configure adds -fsanitize=fuzzer-no-link,address,
#    undefined) and the harnesses are libFuzzer programs: `make check`
#    replays the corpora through them, and `make fuzz` fuzzes each for
#    FUZZ_RUNS executions and prints the counts.
# To add a harness: append its name to FUZZ_NAMES and copy the four
# lines of _SOURCES/_CPPFLAGS/_LDFLAGS/_LDADD below.
FUZZ_NAMES = csv fold import orgtree-dn search x509 plan crl kit keys
FUZZ_PROGS = tests/fuzz/fuzz-csv tests/fuzz/fuzz-fold tests/fuzz/fuzz-import \
	tests/fuzz/fuzz-orgtree-dn tests/fuzz/fuzz-search tests/fuzz/fuzz-x509 \
	tests/fuzz/fuzz-plan tests/fuzz/fuzz-crl tests/fuzz/fuzz-kit tests/fuzz/fuzz-keys
FUZZ_RUNS = 10000000
FUZZ_FLAGS = -max_len=4096

FUZZ_COMMON = tests/fuzz/fuzz.h
if FUZZING
FUZZ_MAIN =
TD_FUZZ_LINK = -fsanitize=fuzzer
check_PROGRAMS += $(FUZZ_PROGS)
TESTS += tests/fuzz/corpus-check.sh
else
FUZZ_MAIN = tests/fuzz/regress-main.c
TD_FUZZ_LINK =
check_PROGRAMS += $(FUZZ_PROGS)
TESTS += $(FUZZ_PROGS)
endif
TD_FUZZ_CPP = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/fuzz $(CRYPTO_CFLAGS) \
	-DFUZZ_SRCDIR='"$(abs_top_srcdir)"'

tests_fuzz_fuzz_csv_SOURCES = tests/fuzz/fuzz-csv.c $(FUZZ_COMMON) $(FUZZ_MAIN)
tests_fuzz_fuzz_csv_CPPFLAGS = $(TD_FUZZ_CPP) \
	-DFUZZ_CORPUS='"$(abs_top_srcdir)/tests/fuzz/corpus/csv"'
tests_fuzz_fuzz_csv_LDFLAGS = $(TD_FUZZ_LINK)
tests_fuzz_fuzz_csv_LDADD = $(TD_LIBS)

tests_fuzz_fuzz_fold_SOURCES = tests/fuzz/fuzz-fold.c $(FUZZ_COMMON) $(FUZZ_MAIN)
tests_fuzz_fuzz_fold_CPPFLAGS = $(TD_FUZZ_CPP) \
	-DFUZZ_CORPUS='"$(abs_top_srcdir)/tests/fuzz/corpus/fold"'
tests_fuzz_fuzz_fold_LDFLAGS = $(TD_FUZZ_LINK)
tests_fuzz_fuzz_fold_LDADD = $(TD_LIBS)

tests_fuzz_fuzz_import_SOURCES = tests/fuzz/fuzz-import.c $(FUZZ_COMMON) $(FUZZ_MAIN)
tests_fuzz_fuzz_import_CPPFLAGS = $(TD_FUZZ_CPP) \
	-DFUZZ_CORPUS='"$(abs_top_srcdir)/tests/fuzz/corpus/import"'
tests_fuzz_fuzz_import_LDFLAGS = $(TD_FUZZ_LINK)
tests_fuzz_fuzz_import_LDADD = $(TD_LIBS)

tests_fuzz_fuzz_orgtree_dn_SOURCES = tests/fuzz/fuzz-orgtree-dn.c $(FUZZ_COMMON) \
	$(FUZZ_MAIN)
tests_fuzz_fuzz_orgtree_dn_CPPFLAGS = $(TD_FUZZ_CPP) \
	-DFUZZ_CORPUS='"$(abs_top_srcdir)/tests/fuzz/corpus/orgtree-dn"'
tests_fuzz_fuzz_orgtree_dn_LDFLAGS = $(TD_FUZZ_LINK)
tests_fuzz_fuzz_orgtree_dn_LDADD = $(TD_LIBS)

tests_fuzz_fuzz_search_SOURCES = tests/fuzz/fuzz-search.c $(FUZZ_COMMON) $(FUZZ_MAIN)
tests_fuzz_fuzz_search_CPPFLAGS = $(TD_FUZZ_CPP) \
	-DFUZZ_CORPUS='"$(abs_top_srcdir)/tests/fuzz/corpus/search"'
tests_fuzz_fuzz_search_LDFLAGS = $(TD_FUZZ_LINK)
tests_fuzz_fuzz_search_LDADD = $(TD_LIBS)

tests_fuzz_fuzz_x509_SOURCES = tests/fuzz/fuzz-x509.c $(FUZZ_COMMON) $(FUZZ_MAIN)
tests_fuzz_fuzz_x509_CPPFLAGS = $(TD_FUZZ_CPP) \
	-DFUZZ_CORPUS='"$(abs_top_srcdir)/tests/fuzz/corpus/x509"'
tests_fuzz_fuzz_x509_LDFLAGS = $(TD_FUZZ_LINK)
tests_fuzz_fuzz_x509_LDADD = $(TD_LIBS)

tests_fuzz_fuzz_plan_SOURCES = tests/fuzz/fuzz-plan.c $(FUZZ_COMMON) $(FUZZ_MAIN)
tests_fuzz_fuzz_plan_CPPFLAGS = $(TD_FUZZ_CPP) \
	-DFUZZ_CORPUS='"$(abs_top_srcdir)/tests/fuzz/corpus/plan"'
tests_fuzz_fuzz_plan_LDFLAGS = $(TD_FUZZ_LINK)
tests_fuzz_fuzz_plan_LDADD = $(TD_LIBS)

tests_fuzz_fuzz_crl_SOURCES = tests/fuzz/fuzz-crl.c $(FUZZ_COMMON) $(FUZZ_MAIN)
tests_fuzz_fuzz_crl_CPPFLAGS = $(TD_FUZZ_CPP) \
	-DFUZZ_CORPUS='"$(abs_top_srcdir)/tests/fuzz/corpus/crl"'
tests_fuzz_fuzz_crl_LDFLAGS = $(TD_FUZZ_LINK)
tests_fuzz_fuzz_crl_LDADD = $(TD_LIBS)

tests_fuzz_fuzz_kit_SOURCES = tests/fuzz/fuzz-kit.c $(FUZZ_COMMON) $(FUZZ_MAIN)
tests_fuzz_fuzz_kit_CPPFLAGS = $(TD_FUZZ_CPP) $(SQLITE_CFLAGS) \
	-DFUZZ_CORPUS='"$(abs_top_srcdir)/tests/fuzz/corpus/kit"'
tests_fuzz_fuzz_kit_LDFLAGS = $(TD_FUZZ_LINK)
tests_fuzz_fuzz_kit_LDADD = $(TD_LIBS)

# The desk's key input lives in libtd_tui.a, which needs ncursesw.
tests_fuzz_fuzz_keys_SOURCES = tests/fuzz/fuzz-keys.c $(FUZZ_COMMON) $(FUZZ_MAIN)
tests_fuzz_fuzz_keys_CPPFLAGS = $(TD_FUZZ_CPP) $(NCURSES_CFLAGS) \
	-DFUZZ_CORPUS='"$(abs_top_srcdir)/tests/fuzz/corpus/keys"'
tests_fuzz_fuzz_keys_LDFLAGS = $(TD_FUZZ_LINK)
tests_fuzz_fuzz_keys_LDADD = libtd_tui.a $(TD_LIBS) $(NCURSES_LIBS)

EXTRA_DIST += tests/fuzz/local.mk tests/fuzz/README tests/fuzz/KIT-RUNS \
	tests/fuzz/regress-main.c tests/fuzz/corpus-check.sh tests/fuzz/run-fuzz.sh tests/fuzz/corpus

# make fuzz: FUZZ_RUNS executions of each harness (default 10,000,000),
# e.g. `make fuzz FUZZ_RUNS=1000000 FUZZ_NAMES=csv`.  New inputs go to
# tests/fuzz/work/NAME in the build tree; crashes to tests/fuzz/crash/.
fuzz: $(FUZZ_PROGS)
if FUZZING
	@$(SHELL) $(abs_top_srcdir)/tests/fuzz/run-fuzz.sh '$(abs_top_builddir)' \
	  '$(abs_top_srcdir)' '$(FUZZ_RUNS)' '$(FUZZ_FLAGS)' $(FUZZ_NAMES)
else
	@echo "make fuzz needs a fuzzing build:"; \
	 echo "  CC=clang <srcdir>/configure --enable-fuzzing && make fuzz"; exit 1
endif
.PHONY: fuzz
