#!/bin/sh
# desk-proof-lang: a proof of possession made at the Vietnamese desk is
# shown in Vietnamese and recorded as the CLI records it, in English (a
# record's words must not depend on the desk's language: `show token
# --lang en` printed Vietnamese).
. "$TD_SRCDIR/tests/tui/lib.sh"
with_tokens
demo_registry
S0=$(holder_token mai 7b5c01 "Lê Thị Mai" DC.STC 001190000777) || fail "no token"
token_desk 100 30 -- --lang vi
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
