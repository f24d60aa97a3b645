# tests/sanitize.mk: the test suite under valgrind memcheck.
#   make check-valgrind     every test: C programs run by tests/valgrind.sh,
#                           shell tests get TOKENDESK=tests/valgrind-tokendesk.sh
# A memory error or a definite leak makes the program exit 99: the test
# fails.  TD_VALGRIND=1 is exported so that slow tests may shrink their
# work (crash-import.sh uses fewer rows).  ASan+UBSan: tools/test builds
# with -fsanitize=address,undefined and runs `make check` (CI does).
check-valgrind: all
	$(MAKE) $(AM_MAKEFLAGS) check \
	  LOG_COMPILER='$(SHELL) $(abs_top_srcdir)/tests/valgrind.sh' \
	  TESTS_ENVIRONMENT='TOKENDESK=$(abs_top_srcdir)/tests/valgrind-tokendesk.sh; \
	    export TOKENDESK; TD_VALGRIND=1; export TD_VALGRIND;'
.PHONY: check-valgrind
EXTRA_DIST += tests/sanitize.mk tests/valgrind.sh tests/valgrind-tokendesk.sh \
	tests/valgrind.supp
