# tests/cli: the real binary over real registry files.
CLI_TESTS = \
	tests/cli/typed-text.sh \
	tests/cli/busy.sh \
	tests/cli/busy-crl.sh \
	tests/cli/invisible-text.sh \
	tests/cli/config-file.sh \
	tests/cli/basics.sh \
	tests/cli/import-demo.sh \
	tests/cli/import-bad-row.sh \
	tests/cli/import-encoding.sh \
	tests/cli/import-update.sh \
	tests/cli/import-progress.sh \
	tests/cli/plurals-en.sh \
	tests/cli/search-nfd.sh \
	tests/cli/audit-tamper.sh \
	tests/cli/two-programs.sh \
	tests/cli/output-links.sh \
	tests/cli/registry-place.sh \
	tests/cli/house-rules.sh
TESTS += $(CLI_TESTS)
EXTRA_DIST += tests/cli/local.mk tests/cli/lib.sh $(CLI_TESTS)
# reorganization: plans, the action plan, tags, CRLs, lists for DOST
PLAN_TESTS = \
	tests/cli/plan-events.sh \
	tests/cli/plan-invalid.sh \
	tests/cli/plan-apply.sh \
	tests/cli/plan-apply-audit.sh \
	tests/cli/crl-import.sh \
	tests/cli/crl-trust.sh \
	tests/cli/migrate-schema6.sh \
	tests/cli/kit-upgrade.sh \
	tests/cli/kit-tag-note.sh \
	tests/cli/kit-count-both.sh \
	tests/cli/kit-conflict-order.sh \
	tests/cli/kit-import-token.sh \
	tests/cli/kit-bulk-plant.sh \
	tests/cli/kit-refresh-verify.sh \
	tests/cli/lists-cut-short.sh \
	tests/cli/kit-count-alike.sh \
	tests/cli/kit-conflict-refs.sh \
	tests/cli/kit-conflict-edit.sh \
	tests/cli/kit-upgrade11.sh \
	tests/cli/kit-upgrade12.sh \
	tests/cli/lists-dost.sh \
	tests/cli/forms-decree68.sh \
	tests/cli/forms-docx.sh \
	tests/cli/forms-many.sh \
	tests/cli/plan-made-agency.sh \
	tests/cli/import-clerk-data.sh \
	tests/cli/search-lookups.sh \
	tests/cli/small-visible.sh \
	tests/cli/man-pages.sh \
	tests/cli/handover-record.sh \
	tests/cli/session-vi.sh \
	tests/cli/plan-demo.sh \
	tests/cli/tag-manual.sh
TESTS += $(PLAN_TESTS)
EXTRA_DIST += $(PLAN_TESTS) tests/cli/plan/plan-lib.sh \
	tests/cli/plan/agencies.csv tests/cli/plan/certificates.csv \
	tests/cli/plan/plan.csv tests/cli/plan/expected.tsv \
	tests/cli/plan/expected-asof.tsv \
	tests/cli/schema6/make.sh tests/cli/schema6/registry.db \
	tests/cli/kit-upgrade/make.sh tests/cli/kit-upgrade/registry.db \
	tests/cli/kit-upgrade/field.kit \
	tests/cli/kit-upgrade11/make.sh tests/cli/kit-upgrade11/registry.db \
	tests/cli/kit-upgrade11/field.kit \
	tests/cli/kit-upgrade12/make.sh tests/cli/kit-upgrade12/registry.db \
	tests/cli/kit-upgrade12/field.kit \
	tests/cli/schema6/ca.pem tests/cli/schema6/crl1.pem tests/cli/schema6/crl2.pem
# inventory counts and field kits (count-*.sh, kit-*.sh); kit-move stands
# in for the handover workflow to record custody moves in a kit.
check_PROGRAMS += tests/cli/kit-move
tests_cli_kit_move_SOURCES = tests/cli/kit-move.c
tests_cli_kit_move_LDADD = $(TD_LIBS)
COUNT_KIT_TESTS = \
	tests/cli/count-basic.sh \
	tests/cli/count-from-file.sh \
	tests/cli/count-resume.sh \
	tests/cli/count-custody.sh \
	tests/cli/kit-minimal.sh tests/cli/kit-attach.sh tests/cli/kit-damaged.sh \
	tests/cli/kit-merge.sh \
	tests/cli/kit-tour.sh tests/cli/kit-conflict-names.sh \
	tests/cli/kit-superseded.sh tests/cli/kit-refresh.sh tests/cli/kit-later-tamper.sh \
	tests/cli/kit-field-audit.sh \
	tests/cli/kit-conflict.sh \
	tests/cli/kit-new-rows.sh \
	tests/cli/kit-keep-field-import.sh \
	tests/cli/kit-field-list.sh \
	tests/cli/kit-field-tokens.sh \
	tests/cli/kit-handover.sh \
	tests/cli/kit-crl-trust.sh \
	tests/cli/kit-tamper.sh \
	tests/cli/kit-foreign.sh \
	tests/cli/kit-honest.sh \
	tests/cli/kit-race.sh
TESTS += $(COUNT_KIT_TESTS)
EXTRA_DIST += tests/cli/count-common.sh $(COUNT_KIT_TESTS)
# handover (issue 4): tokens, dossiers, the record as text and PDF
CLI_TESTS += tests/cli/hall-operator.sh
CLI_TESTS += tests/cli/handover-path.sh tests/cli/plan-ends-agency.sh
CLI_TESTS += tests/cli/handover.sh tests/cli/handover-scanner.sh tests/cli/handover-pdf.sh tests/cli/handover-dossier.sh \
	tests/cli/handover-kit.sh
# audit verify against the rows (issue 21); audit-release/ holds a registry
# made by the release before it, and how to make it again
TESTS += tests/cli/audit-state.sh
EXTRA_DIST += tests/cli/audit-state.sh tests/cli/audit-release/make-fixture.sh \
	tests/cli/audit-release/release.sql
# signed records and checkpoints: schema 8 over a release-0.1.0 registry
SIGN_CLI_TESTS = tests/cli/migrate-schema8.sh
TESTS += $(SIGN_CLI_TESTS)
EXTRA_DIST += $(SIGN_CLI_TESTS)
