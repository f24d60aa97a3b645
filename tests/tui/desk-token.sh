#!/bin/sh
# The live token panel with SoftHSM2 tokens: a token present at start is
# shown matched with its holder; a token created while the desk runs
# appears as unknown with no key pressed, and goes when deleted.  Then a
# handover with proof of possession: the PIN typed is never on screen.
. "$TD_SRCDIR/tests/tui/lib.sh"
with_tokens
HSM_PIN=739251   # digits that appear nowhere else on the screen

demo_registry
hsm_issue mine rsa "/C=VN/L=Đông Châu/O=Sở Tài chính/CN=Lê Thị Mai" 7a5c01
S0=$(hsm_token "Của Mai")
hsm_load "Của Mai" mine 01
# a known token carrying another certificate than the registry says
hsm_issue other rsa "/C=VN/L=Đông Châu/O=Sở Y tế/CN=Phạm Văn Khoa" 7a5c02
S2=$(hsm_token "Khác")
hsm_load "Khác" other 02
# a token at its final PIN try (CKF_USER_PIN_FINAL_TRY)
hsm_issue last rsa "/C=VN/L=Đông Châu/O=Sở Tư pháp/CN=Đỗ Minh Tâm" 7a5c03
S3=$(hsm_token "Cuối")
hsm_load "Cuối" last 03
hsm_set_flags "Cuối" 20000
from=$(date -u -d yesterday +%Y-%m-%d) to=$(date -u -d '+2 years' +%Y-%m-%d)
cat >"$tui_tmp/mine.csv" <<CSV
cert_serial,kind,holder_name,holder_id,position,agency_code,not_before,not_after,token_serial,token_model,email
7A5C01,person,Lê Thị Mai,001190000777,Chuyên viên,DC.STC,$from,$to,$S0,SoftHSM v2,
7A5C09,person,Phạm Văn Khoa,001190000888,Chuyên viên,DC.SYT,$from,$to,$S2,SoftHSM v2,
7A5C03,person,Đỗ Minh Tâm,001190000999,Chuyên viên,DC.STP,$from,$to,$S3,SoftHSM v2,
CSV
"$TOKENDESK" --db "$tmp/reg.db" -q import "$TD_SRCDIR/data/demo/agencies.csv" \
	"$tui_tmp/mine.csv" >/dev/null || fail "cannot import the token's record"

start_desk 120 40 SOFTHSM2_CONF="$SOFTHSM2_CONF" P11_KIT_NO_USER_CONFIG=1 \
	TOKENDESK_DATADIR="$TOKENDESK_DATADIR" -- --lang en --module "$HSM_MODULE"
wait_for "$S0" 5 || fail "the token present at start is not shown"
wait_for "Matched — Lê Thị Mai" || fail "the token is not matched with its holder"
wait_for "$S2" || fail "the second token is not shown"
wait_for "Final PIN try: one more wrong PIN locks this token" || fail "the panel does not warn of the final PIN try"
screen | grep -q "$S2.*Different certificate" || fail "the mismatch is not flagged"
screen | grep -q "registry: .*7a5c09" || fail "the mismatch does not say what the registry holds"
screen | grep -q "3 token(s)" || fail "status line does not count the tokens"
hsm_delete "Khác"
wait_gone "$S2" 5 || fail "a removed token stayed on the panel"

# inserted while the desk runs: shown with no key pressed
S1=$(hsm_token "Lạ")
wait_for "$S1" 5 || fail "a new token did not appear by itself"
wait_for "Unknown token" || fail "the new token is not flagged unknown"
hsm_delete "Lạ"
wait_gone "$S1" 5 || fail "a removed token stayed on the panel"

# handover with proof of possession: the tokens on the desk (the known
# ones) are in the list as it opens
keys F5
wait_for "Hand tokens over — 2 in the list" || fail "the tokens plugged in did not join the handover"
upper() { echo "$1" | tr a-f A-F; }
wait_for "$(upper "$S0")" || fail "the matched token is not in the list"
wait_for "$(upper "$S3")" || fail "the final-try token is not in the list"
type_text "$S0"
keys Enter
wait_for "is already in the list" || fail "a token typed twice was not refused"
keys Tab Tab
type_text "DC.VP"
wait_for "✓ Văn phòng" || fail "receiver not resolved"
wait_for "Lê Thị Mai" || fail "the list does not name the matched token's holder"
wait_for "Đỗ Minh Tâm" || fail "the list does not name the final-try token's holder"
keys Tab Tab Tab Home
# the list's rows in screen order: prove Mai's token, then try Tâm's
row() { screen | grep -n "$1" | tail -n 1 | cut -d: -f1; }
mai_below=0
[ "$(row "Lê Thị Mai")" -gt "$(row "Đỗ Minh Tâm")" ] && mai_below=1
[ $mai_below = 1 ] && keys Down
keys p
wait_for "Proof of possession" || fail "p did not open the PIN dialog"
i=0
while [ $i -lt ${#HSM_PIN} ]; do
	keys -l "$(echo "$HSM_PIN" | cut -c$((i + 1)))"
	i=$((i + 1))
	sleep 0.05
	screen | grep -q "$(echo "$HSM_PIN" | cut -c1-$i)" && [ $i -ge 5 ] &&
		fail "the PIN shows on the screen"
done
screen | grep -qF "$HSM_PIN" && fail "the PIN shows on the screen"
keys Enter
wait_for "✓ proved" 10 || fail "proof of possession failed"
screen | grep -qF "$HSM_PIN" && fail "the PIN shows on the screen"
# the final-try rule: no PIN field until the operator accepts the risk
if [ $mai_below = 1 ]; then keys Up; else keys Down; fi
keys p
wait_for "FINAL PIN TRY" || fail "no final-try warning"
screen | grep -q "(typing is hidden)" && fail "PIN field offered at the final try"
keys F
wait_for "(typing is hidden)" || fail "F did not accept the final-try risk"
keys Escape
wait_for "Proof skipped." || fail "Esc did not skip the proof"
keys F9
wait_for "Record the handover?" || fail "no confirmation"
keys y
wait_for "Handover recorded: BG-" || fail "handover not recorded"
# with tokens plugged in after a handover, quitting offers a checkpoint
# (tests/tui/desk-sign.sh signs one); F10 there quits without
keys F10
wait_for "before quitting?" || fail "no checkpoint offered on quitting"
keys F10
wait_exit 0 || fail "no clean exit"
for t in "$S0" "$S3"; do
	"$TOKENDESK" --db "$tmp/reg.db" show token "$t" --json | grep -q '"custodian": "agency:DC.VP"' ||
		fail "custodian of $t not changed"
done
"$TOKENDESK" --db "$tmp/reg.db" audit verify >/dev/null || fail "audit chain broken"
exit 0
