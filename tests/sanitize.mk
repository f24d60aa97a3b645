# tests/sanitize.mk: the test suite under valgrind memcheck.
#   make check-valgrind     every C test program (unit tests, token tests,
#                           fuzz-corpus replays) and the shell tests of
#                           VALGRIND_SH below, run by tests/valgrind.sh;
#                           shell tests get TOKENDESK=tests/valgrind-tokendesk.sh
#   make check-valgrind-all the same over every test (an hour or more on
#                           2 cores: each tokendesk run costs 2-3 s under
#                           valgrind, and the suite makes some 2,000)
# A memory error or a definite leak makes the program exit 99: the test
# fails.  TD_VALGRIND=1 is exported so that slow tests may shrink their
# work (crash-import.sh uses fewer rows).  ASan+UBSan: tools/test builds
# with -fsanitize=address,undefined and runs the whole `make check` (CI
# does); valgrind adds what ASan does not see (uninitialised reads, the
# real allocator) on a set that takes every room's code through its
# paths: import, outputs, the registry's place, CRLs, audit verify, kits
# (made, tampered, merged again, refreshed), handovers and their records,
# forms and lists, search, the hall's operator keys, tokens out of
# process (scan, proof, signing, doctor), and the desk.  Tests that time
# what they wait for in milliseconds (busy.sh, faulty-module.sh) are left
# to the plain and ASan passes: under valgrind a start alone takes longer.
VALGRIND_SH = \
	tests/cli/basics.sh tests/cli/import-bad-row.sh \
	tests/cli/output-links.sh tests/cli/registry-place.sh \
	tests/cli/crl-trust.sh tests/cli/audit-state.sh \
	tests/cli/kit-tamper.sh tests/cli/kit-honest.sh tests/cli/kit-tour.sh \
	tests/cli/kit-refresh.sh tests/cli/kit-count-both.sh \
	tests/cli/kit-conflict-edit.sh tests/cli/handover-path.sh \
	tests/cli/handover-pdf.sh tests/cli/forms-decree68.sh \
	tests/cli/search-lookups.sh tests/cli/plan-apply.sh \
	tests/cli/hall-operator.sh \
	tests/token/scan.sh tests/token/verify-token.sh \
	tests/token/match-real.sh tests/token/handover-pop.sh \
	tests/token/doctor.sh tests/token/sign-record.sh \
	tests/token/audit-checkpoint.sh \
	tests/hostile/pin-nodump.sh tests/hostile/pdf-record.sh \
	tests/tui/desk-handover.sh tests/tui/desk-search.sh
VALGRIND_ENV = TOKENDESK=$(abs_top_srcdir)/tests/valgrind-tokendesk.sh; \
	    export TOKENDESK; TD_VALGRIND=1; export TD_VALGRIND;
check-valgrind: all
	@progs=; for t in $(TESTS); do \
	  case $$t in *.sh) ;; *) progs="$$progs $$t" ;; esac; \
	done; \
	$(MAKE) $(AM_MAKEFLAGS) check TESTS="$$progs $(VALGRIND_SH)" \
	  LOG_COMPILER='$(SHELL) $(abs_top_srcdir)/tests/valgrind.sh' \
	  TESTS_ENVIRONMENT='$(VALGRIND_ENV)'
check-valgrind-all: all
	$(MAKE) $(AM_MAKEFLAGS) check \
	  LOG_COMPILER='$(SHELL) $(abs_top_srcdir)/tests/valgrind.sh' \
	  TESTS_ENVIRONMENT='$(VALGRIND_ENV)'
.PHONY: check-valgrind check-valgrind-all
EXTRA_DIST += tests/sanitize.mk tests/valgrind.sh tests/valgrind-tokendesk.sh \
	tests/valgrind.supp
