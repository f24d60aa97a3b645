#!/bin/sh
# desk-sign-locked: the signing chooser (here the checkpoint offered when
# a count closes) refuses a token whose PIN is locked before asking for
# a PIN, as the handover's proof does: a locked token cannot sign, and
# one more PIN would only go to a locked device.
. "$TD_SRCDIR/tests/tui/lib.sh"
with_tokens
demo_registry
hsm_issue lk rsa "/C=VN/L=Đông Châu/O=Sở Tài chính/CN=Lê Thị Khóa" 7b5c09
S0=$(hsm_token lk); hsm_load lk lk 01
hsm_set_flags lk 40000
token_desk 100 30 -- --lang en
wait_for "1 token" 10 || fail "the token is not shown"
keys F8
wait_for "Start a count" || fail "F8 did not open the count"
type_text DC.STC
wait_for "✓ Sở Tài chính and its units" || fail "the agency is not resolved"
keys Enter
wait_for "Count 1: Sở Tài chính (DC.STC) and its units" 10 || fail "the count did not start"
keys F9
wait_for "Close count 1?" || fail "F9 did not ask to close"
keys y
wait_for "Pick the token that signs" 10 || fail "no offer to sign a checkpoint"
keys Enter
wait_for "has its PIN locked: it cannot sign" 5 || fail "the locked token was not refused: $(screen)"
off_screen "(typing is hidden)" || fail "a PIN was asked for the locked token"
exit 0
