#!/bin/sh
# desk-proof-lang: a proof of possession made at the Vietnamese desk is
# shown in Vietnamese and recorded as the CLI records it, in English (a
# record's words must not depend on the desk's language: `show token
# --lang en` printed Vietnamese).
. "$TD_SRCDIR/tests/tui/lib.sh"
with_tokens
demo_registry
hsm_issue mai rsa "/C=VN/L=Đông Châu/O=Sở Tài chính/CN=Lê Thị Mai" 7b5c01
S0=$(hsm_token mai); hsm_load mai mai 01
from=$(date -u -d yesterday +%Y-%m-%d) to=$(date -u -d '+2 years' +%Y-%m-%d)
cat >"$tui_tmp/mai.csv" <<CSV
cert_serial,kind,holder_name,holder_id,position,agency_code,not_before,not_after,token_serial,token_model,email
7B5C01,person,Lê Thị Mai,001190000777,Chuyên viên,DC.STC,$from,$to,$S0,SoftHSM v2,
CSV
"$TOKENDESK" --db "$tmp/reg.db" -q import "$TD_SRCDIR/data/demo/agencies.csv" \
	"$tui_tmp/mai.csv" >/dev/null || fail "cannot import the token's record"
start_desk 100 30 SOFTHSM2_CONF="$SOFTHSM2_CONF" P11_KIT_NO_USER_CONFIG=1 \
	TOKENDESK_DATADIR="$TOKENDESK_DATADIR" -- --lang vi --module "$HSM_MODULE"
wait_for "1 token" 10 || fail "the token is not shown"
keys F5
wait_for "Bàn giao token — 1 trong danh sách" || fail "no handover"
keys Tab Tab
type_text DC.STC
wait_for "✓ Sở Tài chính" || fail "To: DC.STC not resolved"
keys p
wait_for "(nội dung gõ được ẩn)" || fail "p did not open the PIN dialog"
type_text "$HSM_PIN"
keys Enter
wait_for "đã xác minh" 10 || fail "the proof is not shown in Vietnamese"
keys F9
wait_for "Ghi biên bản bàn giao?" || fail "F9 did not ask"
keys y
wait_for "Đã ghi biên bản bàn giao" 10 || fail "the handover was not recorded"
keys Escape F10
wait_for "ký điểm kiểm tra chuỗi nhật ký trước khi thoát?" || fail "F10 did not offer the checkpoint"
keys n
wait_exit 0 || fail "the desk did not end"
"$TOKENDESK" --db "$tmp/reg.db" --lang en show token "$S0" --json >"$tmp/show.json" ||
	fail "show token"
grep -q '"remarks": *"[^"]*possession' "$tmp/show.json" ||
	fail "the proof is not recorded in English: $(grep remarks "$tmp/show.json")"
grep '"remarks"' "$tmp/show.json" | grep -q 'khóa\|xác minh' &&
	fail "the proof is recorded in Vietnamese: $(grep remarks "$tmp/show.json")"
exit 0
