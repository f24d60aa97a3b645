#!/bin/sh
# Desks in a hall share one registry: what a desk shows follows another
# desk's or command's commit within a second, with no key pressed (the
# token panel's match, the handover list's checks, a count's tallies, an
# open record), and a handover of a token someone else moved meanwhile
# is refused at F9 with who did it and when, nothing written.
. "$TD_SRCDIR/tests/tui/lib.sh"
with_tokens
demo_registry
hsm_issue mine rsa "/C=VN/L=Đông Châu/O=Sở Tài chính/CN=Lê Thị Mai" 7a5c01
S0=$(hsm_token "Của Mai")
hsm_load "Của Mai" mine 01
U0=$(echo "$S0" | tr a-z A-Z)
from=$(date -u -d yesterday +%Y-%m-%d) to=$(date -u -d '+2 years' +%Y-%m-%d)
cat >"$tui_tmp/mine.csv" <<CSV
cert_serial,kind,holder_name,holder_id,position,agency_code,not_before,not_after,token_serial,token_model,email
7A5C01,person,Lê Thị Mai,001190000777,Chuyên viên,DC.STC,$from,$to,$S0,SoftHSM v2,
CSV
reg() { "$TOKENDESK" --db "$tmp/reg.db" "$@"; }
reg -q import "$TD_SRCDIR/data/demo/agencies.csv" "$tui_tmp/mine.csv" >/dev/null ||
	fail "cannot import the token's record"

start_desk 120 40 SOFTHSM2_CONF="$SOFTHSM2_CONF" P11_KIT_NO_USER_CONFIG=1 \
	TOKENDESK_DATADIR="$TOKENDESK_DATADIR" -- --lang en --module "$HSM_MODULE"
wait_for "Matched — Lê Thị Mai" 5 || fail "the token is not matched"

# The panel: a command tags the certificate; the match follows in 1 s.
reg --operator "Người khác" -q tag revoke 7A5C01 --reason "thử" ||
	fail "tag revoke"
wait_for "Tagged" 1 || fail "the panel did not follow the tag within 1 s"

# The handover list: the token is listed; a command hands it to the CA.
keys F5
wait_for "Hand tokens over" || fail "F5 did not open the handover"
wait_for "$U0" || fail "the token present is not listed"
keys Tab Tab
type_text "dost"
wait_for "✓ Sở Khoa học" || fail "receiver not resolved"
reg --operator "Người khác" -q handover --to ca --force --reason "nộp thẳng cho Sở" "$S0" >/dev/null || fail "handover by command"
wait_for "handed over meanwhile by Người khác at" 1 ||
	fail "the list did not say who moved the token within 1 s"
before=$(reg receipt --list | wc -l)
keys F9
wait_for "$U0: token $U0 was handed over meanwhile by Người khác at" ||
	fail "F9 did not refuse with who and when"
off_screen "Record the handover?" || fail "F9 asked to record a moved token"
[ "$(reg receipt --list | wc -l)" = "$before" ] || fail "something was recorded"
reg show token "$S0" --json | grep -q '"custodian": "ca"' || fail "the custody changed"

# A count: another desk's scan moves the tallies here.  (Leaving the
# unrecorded handover asks first: y.)
keys Escape
wait_for "Leave with an unrecorded handover?" || fail "Esc did not ask"
keys y
keys F8
wait_for "Count" || fail "F8 did not open the count"
id=$(reg count start --agency DC.STC 2>/dev/null | grep -o '[0-9][0-9]*' | head -1)
[ -n "$id" ] || fail "count start"
reg -q count scan "$id" "$S0" >/dev/null 2>&1
keys F8
wait_for "Count" || fail "F8 again"
keys Tab
wait_for "$id" || fail "the open count is not listed"
keys Enter
wait_for "1 scan saved" || fail "the count did not open with its scan"
reg -q count scan "$id" NOTATOKEN99 >/dev/null 2>&1
wait_for "2 scans saved" 1 || fail "the tallies did not follow another scan within 1 s"
# An open record: the token's custody follows a command's handover.
# (Leaving a count still open asks first: y.)
keys F2
wait_for "Leave this count open?" || fail "F2 from an open count did not ask"
keys y
wait_for "Tokens present" || fail "F2 did not go home"
keys Home Enter
wait_for "(ca)" || fail "the token's record did not open with its custodian"
reg --operator "Người khác" -q handover --to dost --force --reason "nộp thẳng cho Sở" "$S0" >/dev/null || fail "second handover"
wait_for "(dost)" 1 || fail "the open record did not follow the handover within 1 s"
keys F10
wait_exit 0 || fail "no clean exit"
reg audit verify >/dev/null || fail "audit chain broken"
exit 0
