#!/bin/sh
# The desk's conflict screen, in Vietnamese at 80x24 and in English at
# 120x40, on conflicts of this stop's kinds: a count closed on both sides
# (named by its id and scope; its closes' tallies, digest and number of
# lines side by side, each column named), a dossier handed to two
# agencies (the agencies named, not their ids), and a certificate an
# import in the field moved onto a new token (named as the certificate,
# though its label names its token too).
. "$TD_SRCDIR/tests/tui/lib.sh"
command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 not installed"; exit 77; }
. "$TD_SRCDIR/tests/cli/count-common.sh"
td() { "$TOKENDESK" --db "$tmp/reg.db" "$@"; }
K() { "$TOKENDESK" --db "$tmp/a.kit" "$@"; }

make_province "$tmp"
td dossier add --agency SA --kind renewal --ref HS-1 >/dev/null || fail "dossier"
td kit make --agencies SA -o "$tmp/a.kit" >/dev/null || fail "kit make"
export TOKENDESK_OPERATOR=team
c=$(K count start --agency SA) && K count scan "$c" T-SA-01 >/dev/null || fail "count"
TOKENDESK_OPERATOR=home td kit merge "$tmp/a.kit" >/dev/null || fail "merge 1"
K count scan "$c" T-SA-02 ZZZ >/dev/null && K count close "$c" -o "$tmp" >/dev/null ||
	fail "field close"
K dossier handover --from agency:SA --to agency:SA1 HS-1 >/dev/null || fail "field dossier"
grep -v ',SB,\|,XA,' "$tmp/certs.csv" |
	sed 's/^a102,\(.*\),T-SA1-02,ePass,/a102,\1,T-SA1-09,ePass,/' >"$tmp/c2.csv"
K import "$tmp/c2.csv" >/dev/null || fail "field import"
export TOKENDESK_OPERATOR=home
td count scan 1 T-SA1-01 >/dev/null && td count close 1 -o "$tmp" >/dev/null || fail "home close"
td dossier handover --from agency:SA --to agency:DC HS-1 >/dev/null || fail "home dossier"
td kit merge "$tmp/a.kit" | grep -q "3 conflicts" || fail "the merge kept no 3 conflicts"

start_desk 80 24 -- --lang vi
keys K
wait_for "Xung đột bộ dữ liệu hiện trường: 3 chưa xử lý" || fail "K did not list them"
wait_for "#1  Kiểm kê 1: SA" || fail "the count is not named"
screen | grep -q "Có mặt  *2  *2" || fail "found side by side"
screen | grep -q "Mã băm các dòng" || fail "the digest's column is not named"
screen | grep -q "Số dòng kết quả  *—  *6" || fail "the field's lines not counted"
screen | grep -q "lines_sha256\|closed_at" && fail "a raw column name shows"
keys Down
keys Down
wait_for "Cơ quan  DC Tỉnh Đông Châu  SA1 Phòng A1  SA Sở A" ||
	fail "the dossier's agencies are not named"
screen | grep -q "agency_id" && fail "the dossier shows its agency's id"
wait_for "#3  Chứng thư a102:" || fail "the certificate is not named as such"
tmux -S "$sock" kill-server 2>/dev/null

start_desk 120 40 -- --lang en
keys K
wait_for "Field-kit conflicts: 3 open" || fail "K (en)"
wait_for "#3  Certificate a102: Phạm Thị Dung (001090000004), SA1 Phòng A1, T-SA1-02" ||
	fail "the certificate heading (en)"
screen | grep -q "Token  *T-SA1-02  *T-SA1-09  *T-SA1-02" || fail "the token side by side"
screen | grep -q "Lines digest" || fail "the digest's column (en)"
# a SHA-256 is wider than its column; nothing else is cut
screen | grep "…" | grep -qv "Lines digest" && fail "something is cut off at 120x40"
exit 0
