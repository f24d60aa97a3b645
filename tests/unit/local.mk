# tests/unit: one program per module, linked against the library.
UNIT_TESTS = \
	tests/unit/test-text \
	tests/unit/test-csv \
	tests/unit/test-orgtree \
	tests/unit/test-registry
check_PROGRAMS += $(UNIT_TESTS)
TESTS += $(UNIT_TESTS)
tests_unit_test_text_LDADD = $(TD_LIBS)
tests_unit_test_csv_LDADD = $(TD_LIBS)
tests_unit_test_orgtree_LDADD = $(TD_LIBS)
tests_unit_test_registry_LDADD = $(TD_LIBS)
tests_unit_test_registry_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS)
EXTRA_DIST += tests/unit/local.mk tests/unit/check.h
