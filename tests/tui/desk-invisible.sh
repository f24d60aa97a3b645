#!/bin/sh
# Remarks typed at the desk with an invisible character (U+2061) or a
# stack of combining marks are refused before the record is asked for,
# the field, the code point and its place said in the desk's language;
# nothing is recorded (issue 21, item 7).
. "$TD_SRCDIR/tests/tui/lib.sh"
demo_registry
start_desk 110 30 -- --lang vi
keys F5
type_text "3792084583"
keys Enter
wait_for "3792084583" || fail "token not listed"
keys Tab Tab
type_text "DC.STC"
wait_for "✓ Sở Tài chính" || fail "receiver not resolved"
keys Tab Tab
type_text "$(printf 'An\342\201\241h')"
keys F9
wait_for "Ghi chú: U+2061 (ký tự định dạng ẩn) ở ký tự thứ 3; chưa ghi gì." ||
	fail "no Vietnamese refusal naming U+2061"
keys C-u
type_text "$(printf 'Ae\314\201\314\202\314\243\314\203')"
keys F9
wait_for "Ghi chú: U+0303 (hơn 3 dấu kết hợp trên một chữ cái) ở ký tự thứ 6" ||
	fail "no Vietnamese refusal of the stacked marks"
# Vietnamese typed in NFD (2 marks on a letter) is fine.
keys C-u
type_text "$(printf 'Nguye\314\202\314\203n')"
keys F9
wait_for "Ghi biên bản bàn giao?" || fail "NFD Vietnamese refused"
keys n
keys F10
wait_for "Rời đi khi bàn giao chưa được ghi?" || fail "F10 with the list unrecorded did not ask"
keys y
wait_exit 0 || fail "no clean exit"
[ "$("$TOKENDESK" --db "$tmp/reg.db" show token 3792084583 --json | grep -c BG-)" = 0 ] ||
	fail "a handover was recorded"
exit 0
