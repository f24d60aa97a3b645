#!/bin/sh
# The count screens flag custody (issue 23 item 4), as the token panel
# and the handover list do: a token the registry records lost, or handed
# to another person than its certificate's holder, is flagged when it is
# counted (its row and the last scan's sentence) and in the report of
# the closed count; a token where the registry expects it is not.  At
# 80x24 in Vietnamese, nothing cut.
. "$TD_SRCDIR/tests/tui/lib.sh"
td() { TOKENDESK_OPERATOR=tester "$TOKENDESK" --db "$tmp/reg.db" "$@"; }

demo_registry
# 6CC6399B: Sở Tài chính's own token, recorded lost.
td handover --to agency:DC.STC --state lost 6CC6399B >/dev/null ||
	fail "cannot record the token lost"
# 97C04AF8: Hoàng Ngọc Hằng's token, handed to Phạm Thị Mai.
td handover --to holder:098167683706 --force --reason "tạm giữ" 97C04AF8 \
	>/dev/null || fail "cannot hand the token to another holder"

start_desk 80 24 -- --lang en
keys F8
wait_for "Start a count" || fail "F8 did not open the count screen"
type_text "dc.stc"
wait_for "✓ Sở Tài chính and its units" || fail "the agency is not found"
keys Enter
wait_for "Count 1: Sở Tài chính (DC.STC) and its units" || fail "no count started"

# where the registry expects it: no flag
type_text "B6B9B4E6"
keys Enter
wait_for "B6B9B4E6 found" || fail "a token of the agency is not found"
off_screen "Custody" || fail "a token where it belongs is flagged"
off_screen "⚠" || fail "a token where it belongs is flagged"

type_text "6cc6399b"
keys Enter
wait_for "6CC6399B found" || fail "the lost token is not counted"
wait_for "(agency:DC.STC). Custody: recorded lost." ||
	fail "the last scan does not say the token is recorded lost"
wait_for "⚠ recorded lost" || fail "the scanned row is not flagged"

type_text "97c04af8"
keys Enter
wait_for "97C04AF8 found" || fail "the handed token is not counted"
wait_for "⚠ recorded as handed to Phạm Thị Mai, not to the certificate's holder" ||
	fail "the row does not say the token was handed to someone else"
screen | grep -q "…" && fail "something is cut off at 80x24"

keys F9
wait_for "Close count 1?" || fail "F9 did not ask to close"
keys y
wait_for "DOST may sign a checkpoint" || fail "no checkpoint offered"
keys Escape
wait_for "the result is frozen" || fail "the count was not closed"
# the report: found tokens listed last; scroll to the end
keys End
wait_for "⚠ recorded lost" || fail "the report does not flag the lost token"
keys F10
wait_exit 0 || fail "no clean exit"

# In Vietnamese at 80x24: the same flags, whole words
tmux -S "$sock" kill-server 2>/dev/null
start_desk 80 24 -- --lang vi
keys F8
type_text "dc.stc"
wait_for "✓ Sở Tài chính và các đơn vị trực thuộc" || fail "the agency is not found"
keys Enter
wait_for "2: Sở Tài chính (DC.STC)" || fail "no second count started in Vietnamese"
type_text "97c04af8"
keys Enter
wait_for "⚠ sổ ghi đã giao cho Phạm Thị Mai, không phải người giữ chứng thư" ||
	fail "the Vietnamese row does not flag the token"
wait_for "(holder:098167683706). Lưu giữ: sổ ghi đã giao" ||
	fail "the Vietnamese sentence does not flag the token"
screen | grep -q "…" && fail "something is cut off at 80x24 in Vietnamese"
keys F10
wait_for "Rời đợt kiểm kê đang mở?" || fail "F10 with an open count did not ask"
keys y
wait_exit 0 || fail "no clean exit"
