# tests/unit: one program per module, linked against the library.
UNIT_TESTS = \
	tests/unit/test-text \
	tests/unit/test-csv \
	tests/unit/test-orgtree \
	tests/unit/test-strmap \
	tests/unit/test-registry
check_PROGRAMS += $(UNIT_TESTS)
TESTS += $(UNIT_TESTS)
tests_unit_test_text_LDADD = $(TD_LIBS)
tests_unit_test_csv_LDADD = $(TD_LIBS)
tests_unit_test_orgtree_LDADD = $(TD_LIBS)
tests_unit_test_strmap_LDADD = $(TD_LIBS)
tests_unit_test_registry_LDADD = $(TD_LIBS)
tests_unit_test_registry_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS)
# the same, linked as the lean `tokendesk` is: no libcrypto (sha256.c)
check_PROGRAMS += tests/unit/test-registry-lean
TESTS += tests/unit/test-registry-lean
tests_unit_test_registry_lean_SOURCES = tests/unit/test-registry.c
tests_unit_test_registry_lean_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS) -DTD_TEST_LEAN
tests_unit_test_registry_lean_LDADD = libtokendesk.a $(SQLITE_LIBS) $(JANSSON_LIBS) \
	$(UNISTRING_LIBS)
EXTRA_DIST += tests/unit/local.mk tests/unit/check.h
# reorganization: tags as the plan and the token layer use them
check_PROGRAMS += tests/unit/test-tag
TESTS += tests/unit/test-tag
tests_unit_test_tag_LDADD = $(TD_LIBS)
check_PROGRAMS += tests/unit/test-jsonw
TESTS += tests/unit/test-jsonw
tests_unit_test_jsonw_LDADD = $(TD_LIBS)
tests_unit_test_jsonw_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
# handover (issue 4): the batch API, custodians, the commit-time re-check
check_PROGRAMS += tests/unit/test-handover
TESTS += tests/unit/test-handover
tests_unit_test_handover_LDADD = $(TD_LIBS)
# outputs never through a link (issue 21, item 4): races a shell cannot time
check_PROGRAMS += tests/unit/test-outfile
TESTS += tests/unit/test-outfile
tests_unit_test_outfile_LDADD = $(TD_LIBS)
# rows handed to a writer thread (lists XLSX, issue 27)
check_PROGRAMS += tests/unit/test-rowpipe
TESTS += tests/unit/test-rowpipe
tests_unit_test_rowpipe_LDADD = $(TD_LIBS)
