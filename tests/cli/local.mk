# tests/cli: the real binary over real registry files.
CLI_TESTS = \
	tests/cli/basics.sh \
	tests/cli/import-demo.sh \
	tests/cli/import-bad-row.sh \
	tests/cli/import-encoding.sh \
	tests/cli/import-update.sh \
	tests/cli/search-nfd.sh \
	tests/cli/audit-tamper.sh
TESTS += $(CLI_TESTS)
EXTRA_DIST += tests/cli/local.mk tests/cli/lib.sh $(CLI_TESTS)
# handover (issue 4): tokens, dossiers, the record as text and PDF
CLI_TESTS += tests/cli/handover.sh tests/cli/handover-pdf.sh tests/cli/handover-dossier.sh
