#!/bin/sh
# A failed proof of possession at 80x24 in Vietnamese: the list's last
# column keeps the result whole ("✗ KHÔNG đạt"; its old words "✗ không
# chứng minh được" were cut to "…minh được", which reads as proved) and
# the holder's long name loses its middle; the token's answer is said
# in Vietnamese ("sai PIN", not "wrong PIN").  The token's certificate
# ends at 20:00 UTC on 31 December 2028: the token list gives its last
# day as a clerk in Vietnam writes it, the local day, 01/01/2029.
. "$TD_SRCDIR/tests/tui/lib.sh"
with_tokens
HSM_PIN=739251
demo_registry
hsm_issue thao rsa "/C=VN/L=Đông Châu/O=Sở Văn hóa, Thể thao và Du lịch/CN=Tôn Nữ Hoàng Phương Thảo" 7a5c11 \
	"" 20281231200000Z
S1=$(hsm_token "Của Thảo")
hsm_load "Của Thảo" thao 11
from=$(date -u -d yesterday +%Y-%m-%d) to=$(date -u -d '+2 years' +%Y-%m-%d)
cat >"$tui_tmp/thao.csv" <<CSV
cert_serial,kind,holder_name,holder_id,position,agency_code,not_before,not_after,token_serial,token_model,email
7A5C11,person,Tôn Nữ Hoàng Phương Thảo,001190000888,Chuyên viên,DC.SVHTTDL,$from,$to,$S1,SoftHSM v2,
CSV
"$TOKENDESK" --db "$tmp/reg.db" -q import "$TD_SRCDIR/data/demo/agencies.csv" \
	"$tui_tmp/thao.csv" >/dev/null || fail "cannot import the token's record"
start_desk 80 24 SOFTHSM2_CONF="$SOFTHSM2_CONF" P11_KIT_NO_USER_CONFIG=1 \
	TZ=Asia/Ho_Chi_Minh TOKENDESK_DATADIR="$TOKENDESK_DATADIR" -- --lang vi \
	--module "$HSM_MODULE"
wait_for "→ 01/01/2029" 10 || fail "the certificate's last day is not the local one, as written in Vietnam: $(screen)"
keys F5
wait_for "1 trong danh sách" 5 || fail "the token did not join the handover: $(screen)"
keys p
wait_for "Kiểm tra sở hữu" || fail "p did not open the PIN dialog: $(screen)"
keys -l 000000
keys Enter
wait_for "✗ KHÔNG đạt" 10 || fail "the failed proof is not shown whole: $(screen)"
on_screen "Tôn Nữ Hoàng" || fail "the holder's name is gone: $(screen)"
screen | grep "✗" | grep -q "minh được" && fail "a cut result reads as proved"
screen_line 24 | grep -q "^sai PIN" || fail "the token's answer is not in Vietnamese: $(screen_line 24)"
keys F10
wait_for "Rời đi" || fail "F10 did not ask (unrecorded list)"
keys y
wait_exit 0 || fail "no clean exit"
exit 0
