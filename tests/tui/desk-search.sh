#!/bin/sh
# Search as you type, without diacritics, finds Nguyễn Văn Hùng; Enter
# opens the holder; a scanned token serial (fast keys + Enter) on the
# panel opens the token's record.
. "$TD_SRCDIR/tests/tui/lib.sh"
demo_registry
start_desk 100 30 -- --lang en
keys /
wait_for "Search:" || fail "/ did not open the search"
type_text "nguyen van"
wait_for "Nguyễn Văn" || fail "no hit while typing"
type_text " hung"
wait_for "Nguyễn Văn Hùng" || fail "search did not find Nguyễn Văn Hùng"
screen | grep -q "Holder  *Nguyễn Văn Hùng  *069096133494" || fail "hit row not aligned"
keys Enter
wait_for "National id" || fail "Enter did not open the holder"
screen | grep -q "Trưởng phòng" || fail "holder record incomplete"
keys Escape Escape
wait_for "Tokens present" || fail "Esc did not go back to the panel"
# a barcode scanner: the whole serial and Enter in one burst
keys "3792084583" Enter
wait_for "Token 3792084583" || fail "a scanned serial did not open its token"
screen | grep -q "Vũ Xuân Đông" || fail "token record lacks its holder"
screen | grep -q "Custody history" || fail "token record lacks custody history"
keys F10
wait_exit 0 || fail "F10 did not quit"
exit 0
