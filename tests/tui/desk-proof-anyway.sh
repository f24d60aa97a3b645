#!/bin/sh
# A handover whose proof of possession failed is not recorded on a bare
# y: F9's confirmation names the failed proof and the tokens not proved,
# and records only "anyway", with a reason typed there (as the CLI wants
# --force); the record then says so.  p on a token whose PIN is locked
# says so before any PIN is asked for.
. "$TD_SRCDIR/tests/tui/lib.sh"
with_tokens
HSM_PIN=739251

demo_registry
hsm_issue mine rsa "/C=VN/L=Đông Châu/O=Sở Tài chính/CN=Lê Thị Mai" 7a5c01
S0=$(hsm_token "Của Mai")
hsm_load "Của Mai" mine 01
hsm_issue locked rsa "/C=VN/L=Đông Châu/O=Sở Tư pháp/CN=Đỗ Minh Tâm" 7a5c03
S3=$(hsm_token "Khóa")
hsm_load "Khóa" locked 03
hsm_set_flags "Khóa" 40000
from=$(date -u -d yesterday +%Y-%m-%d) to=$(date -u -d '+2 years' +%Y-%m-%d)
cat >"$tui_tmp/mine.csv" <<CSV
cert_serial,kind,holder_name,holder_id,position,agency_code,not_before,not_after,token_serial,token_model,email
7A5C01,person,Lê Thị Mai,001190000777,Chuyên viên,DC.STC,$from,$to,$S0,SoftHSM v2,
7A5C03,person,Đỗ Minh Tâm,001190000999,Chuyên viên,DC.STP,$from,$to,$S3,SoftHSM v2,
CSV
"$TOKENDESK" --db "$tmp/reg.db" -q import "$TD_SRCDIR/data/demo/agencies.csv" \
	"$tui_tmp/mine.csv" >/dev/null || fail "cannot import the tokens' records"

start_desk 120 40 SOFTHSM2_CONF="$SOFTHSM2_CONF" P11_KIT_NO_USER_CONFIG=1 \
	TOKENDESK_DATADIR="$TOKENDESK_DATADIR" -- --lang en --module "$HSM_MODULE"
wait_for "$S0" 5 || fail "the token present at start is not shown"
keys F5
wait_for "Hand tokens over — 2 in the list" || fail "the tokens did not join the handover"
keys Tab Tab
type_text "DC.VP"
wait_for "✓ Văn phòng" || fail "receiver not resolved"
keys Tab Tab Tab Home
row() { screen | grep -n "$1" | tail -n 1 | cut -d: -f1; }
mai_below=0
[ "$(row "Lê Thị Mai")" -gt "$(row "Đỗ Minh Tâm")" ] && mai_below=1
# the locked token first: said at p, no PIN dialog
[ $mai_below = 0 ] && keys Down
keys p
wait_for "has its PIN locked" || fail "p on a locked token did not say so: $(screen)"
on_screen "Proof of possession" && fail "a PIN was asked for a locked token"
# Mai's token with a wrong PIN: not proved
if [ $mai_below = 0 ]; then keys Up; else keys Down; fi
keys p
wait_for "Proof of possession" || fail "p did not open the PIN dialog"
keys -l 000000
keys Enter
wait_for "✗ not proved" 10 || fail "a wrong PIN was not 'not proved': $(screen)"
upper() { echo "$1" | tr a-f A-F; }
keys F9
wait_for "Record the handover?" || fail "no confirmation"
wait_for "$(upper "$S0"): possession NOT proved" || fail "the failed proof is not listed: $(screen)"
on_screen "$(upper "$S3"): possession not checked" || fail "the token not proved is not listed"
on_screen "Record anyway? Type why" || fail "no 'record anyway' asked for"
keys y
on_screen "y: yes, record it" && fail "a bare y is offered"
keys BSpace Enter
wait_for "Type why it is recorded anyway." || fail "an empty reason was taken"
keys Escape
wait_for "Nothing was recorded." || fail "Esc did not cancel"
keys F9
wait_for "Record anyway? Type why" || fail "F9 again did not ask again"
type_text "the holder retired; token collected by the office"
keys Enter
wait_for "Handover recorded: BG-" 10 || fail "not recorded anyway: $(screen)"
number=$(screen | grep -o "BG-[0-9]*-[0-9]*" | head -1)
# quitting with tokens plugged in offers a checkpoint: F10 quits without
keys F10
wait_for "before quitting?" || fail "no checkpoint offered on quitting"
keys F10
wait_exit 0 || fail "no clean exit"
"$TOKENDESK" --db "$tmp/reg.db" receipt "$number" >"$tmp/receipt" || fail "receipt"
grep -q "Recorded anyway: the holder retired" "$tmp/receipt" ||
	fail "the reason is not on the record: $(cat "$tmp/receipt")"
grep -qF "[ghi nhận ngoại lệ]" "$tmp/receipt" || fail "the record does not say it was forced"
exit 0
