#!/bin/sh
# With more tokens than the panel shows, a token inserted is brought into
# view and marked ("● just inserted"), and the operator's selection stays
# on the row it was on (it is not moved by the rows that came); the next
# key takes the mark away and the selection is where it was.  The rows
# that belong to the token (its hint, its PIN state, "no certificate")
# come into view with it.
. "$TD_SRCDIR/tests/tui/lib.sh"
with_tokens
demo_registry
for i in 1 2 3 4 5 6 7; do hsm_token "Thẻ $i" >/dev/null; done
start_desk 80 24 SOFTHSM2_CONF="$SOFTHSM2_CONF" P11_KIT_NO_USER_CONFIG=1 \
	TOKENDESK_DATADIR="$TOKENDESK_DATADIR" -- --lang en --module "$HSM_MODULE"
wait_for "7 token(s)" 5 || fail "the 7 tokens are not shown"
# the operator is on the first token's row
keys Home
wait_re "^▶[0-9a-f]\{16\}  SoftHSM" || fail "Home did not go to the first token"
sel=$(screen | grep "^▶" | sed "s/^▶//" | cut -d" " -f1)
[ -n "$sel" ] || fail "no selection on the panel"
S8=$(hsm_token "Thẻ mới")
U8=$(echo "$S8" | tr a-f A-F)
wait_for "8 token(s)" 5 || fail "the new token is not counted"
wait_for "● just inserted" 5 || fail "the new token is not marked: $(screen)"
screen | grep -q "$S8\|$U8" || fail "the new token is not in view: $(screen)"
# and with it the rows that are its own (its hint, "no certificate"):
# at the foot of the screen they were left below it
screen | grep -A2 "● just inserted" | grep -q "No certificate on this token." ||
	fail "the new token's own rows are not in view: $(screen)"
# the selection did not move: the next key (Down then Up) is relative to it
keys Down Up
wait_gone "● just inserted" || fail "the mark stayed after a key"
[ "$(screen | grep "^▶" | sed "s/^▶//" | cut -d" " -f1)" = "$sel" ] ||
	fail "the selection moved: was $sel, now $(screen | grep "^▶")"
keys F10
wait_exit 0 || fail "no clean exit"
exit 0
