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
	tests/tui/desk-search-all.sh \
	tests/tui/screens.sh \
	tests/tui/desk-browse.sh tests/tui/desk-browse-asof.sh \
	tests/tui/desk-layout.sh \
	tests/tui/desk-handover.sh \
	tests/tui/desk-leave.sh \
	tests/tui/desk-refresh.sh \
	tests/tui/desk-plan.sh \
	tests/tui/desk-token.sh \
	tests/tui/desk-proof-anyway.sh \
	tests/tui/desk-count.sh \
	tests/tui/desk-count-custody.sh \
	tests/tui/desk-count-resize.sh \
	tests/tui/desk-conflicts.sh \
	tests/tui/desk-conflict-history.sh \
	tests/tui/desk-conflict-kinds.sh \
	tests/tui/desk-conflict-pending.sh \
	tests/tui/desk-files.sh \
	tests/tui/desk-pin.sh \
	tests/tui/desk-pin-keylog.sh \
	tests/tui/desk-proof-hung.sh \
	tests/tui/desk-confirm-narrow.sh \
	tests/tui/desk-confirm-small.sh \
	tests/tui/desk-proof-lang.sh \
	tests/tui/desk-scan-gap.sh \
	tests/tui/desk-slow-serial.sh \
	tests/tui/desk-narrow.sh \
	tests/tui/desk-proof-narrow.sh \
	tests/tui/desk-insert.sh \
	tests/tui/desk-records.sh \
	tests/tui/desk-plan-more.sh \
	tests/tui/desk-plan-forms.sh \
	tests/tui/desk-rules.sh
TESTS += $(TUI_TESTS)
EXTRA_DIST += tests/tui/local.mk tests/tui/lib.sh $(TUI_TESTS)
# a module that blocks 10 s a call, or aborts (issue 23)
TUI_TESTS += tests/tui/desk-faulty.sh
# the golden screens (tests/tui/screens.sh) and the script that makes them
EXTRA_DIST += tests/tui/screens.keys tests/tui/screens-pin.keys tests/tui/golden
# After a deliberate change to a screen: write the dumps anew into the
# source tree (then review them with git diff).
update-screens:
	TD_UPDATE_SCREENS=1 $(MAKE) $(AM_MAKEFLAGS) check TESTS=tests/tui/screens.sh
.PHONY: update-screens
# signing records and checkpoints at the desk (SoftHSM2 tokens)
SIGN_TUI_TESTS = tests/tui/desk-sign.sh tests/tui/desk-sign-locked.sh
TESTS += $(SIGN_TUI_TESTS)
EXTRA_DIST += $(SIGN_TUI_TESTS)
TUI_TESTS += tests/tui/desk-no-login.sh
