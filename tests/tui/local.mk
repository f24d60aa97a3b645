# tests/tui: the real desk in a real terminal (tmux), driven by keys.
TUI_TESTS = \
	tests/tui/desk-start.sh \
	tests/tui/desk-busy.sh \
	tests/tui/desk-invisible.sh \
	tests/tui/desk-locale.sh \
	tests/tui/desk-term.sh \
	tests/tui/desk-lang.sh \
	tests/tui/po-complete.sh \
	tests/tui/desk-search.sh \
	tests/tui/desk-browse.sh tests/tui/desk-browse-asof.sh \
	tests/tui/desk-layout.sh \
	tests/tui/desk-handover.sh \
	tests/tui/desk-refresh.sh \
	tests/tui/desk-plan.sh \
	tests/tui/desk-token.sh \
	tests/tui/desk-count.sh \
	tests/tui/desk-count-resize.sh \
	tests/tui/desk-conflicts.sh \
	tests/tui/desk-conflict-history.sh \
	tests/tui/desk-files.sh \
	tests/tui/desk-pin.sh
TESTS += $(TUI_TESTS)
EXTRA_DIST += tests/tui/local.mk tests/tui/lib.sh $(TUI_TESTS)
# signing records and checkpoints at the desk (SoftHSM2 tokens)
SIGN_TUI_TESTS = tests/tui/desk-sign.sh
TESTS += $(SIGN_TUI_TESTS)
EXTRA_DIST += $(SIGN_TUI_TESTS)
