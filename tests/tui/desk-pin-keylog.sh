#!/bin/sh
# desk-pin-keylog: the bench's key log (TOKENDESK_KEYLOG) never holds a
# PIN.  It records each key the desk handles, for key-to-screen timing;
# keys typed while a PIN dialog is open, and the key that closes it, are
# written as 0.  Before, the PIN's digits were in the file in clear.
. "$TD_SRCDIR/tests/tui/lib.sh"
with_tokens
HSM_PIN=604817
demo_registry
S0=$(holder_token mai 7b5c01 "Lê Thị Mai" DC.STC 001190000777) || fail "no token"

log=$tui_tmp/keylog
token_desk 120 40 TOKENDESK_KEYLOG="$log" -- --lang en
wait_for "$S0" 5 || fail "the token is not shown"
keys F5
wait_for "Hand tokens over — 1 in the list" || fail "the token is not in the list"
keys Tab Tab
type_text "dost"
wait_for "✓ Sở Khoa học và Công nghệ" || fail "To: dost not resolved"
keys p
wait_for "(typing is hidden)" || fail "p did not open the PIN dialog"
# one key at a time, each its own batch, as a person types
for c in 6 0 4 8 1 7; do
	type_text "$c"
	sleep 0.2
done
keys Escape
wait_for "Proof skipped." || fail "Esc did not close the PIN dialog"
keys F10
wait_for "Leave with an unrecorded handover?" || fail "F10 did not ask"
keys y
wait_exit 0 || fail "the desk did not end"

[ -s "$log" ] || fail "no key log written"
# the log records keys at all: a batch's last key, the t of "dost"
grep -q "^116 " "$log" || fail "the t of dost is not in the log: $(cat "$log")"
# no digit (48-57) was typed anywhere but into the PIN dialog
if awk '$1 >= 48 && $1 <= 57 { found = 1 } END { exit !found }' "$log"; then
	fail "a PIN digit is in the key log: $(awk '$1 >= 48 && $1 <= 57' "$log" | head -3)"
fi
grep -q "^0 " "$log" || fail "the PIN's keys were not logged as 0: $(cat "$log")"
exit 0
