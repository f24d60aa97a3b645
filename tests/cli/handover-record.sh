# handover-record.sh: the handover record as the letter wants it (issue
# 25): one signature block per giver, each named; a token handed in
# damaged stays damaged, and its condition stands on later records until
# a handover states another; Vietnamese output is dated in local time,
# Asia/Ho_Chi_Minh when TZ is unset.
. "${TD_SRCDIR:-.}/tests/cli/lib.sh"

demo_import || fail "demo import"
T1=3792084583 T2=8878595222   # Vũ Xuân Đông's and Đặng Quang Hiếu's tokens

# two givers, one handover: two signature blocks, each named
expect_status 0 td handover --to agency:DC $T1 $T2
n1=$(sed -n 's/.*\(BG-[0-9]*-[0-9]*\).*/\1/p' "$tmp/out" | head -1)
expect_status 0 td receipt "$n1"
expect_eq "$(grep -c '^BÊN GIAO: ' "$tmp/out")" 2 "giver blocks"
expect_in "$tmp/out" "BÊN GIAO: Vũ Xuân Đông (holder:098084373134)"
expect_in "$tmp/out" "BÊN GIAO: Đặng Quang Hiếu (holder:098087413170)"
expect_in "$tmp/out" "BÊN NHẬN: Ủy ban nhân dân tỉnh Đông Châu (agency:DC)"
expect_status 0 td receipt "$n1" --pdf "$tmp/r1.pdf"
if command -v pdftotext >/dev/null; then
	pdftotext "$tmp/r1.pdf" "$tmp/r1.txt"
	expect_eq "$(grep -c '^BÊN GIAO$' "$tmp/r1.txt")" 2 "giver blocks in the PDF"
	expect_in "$tmp/r1.txt" "Đặng Quang Hiếu"
fi

# damaged on the way in: still damaged, and still "vỡ vỏ", on the next record
expect_status 0 td handover --to dost --state damaged --condition "vỡ vỏ, không nhận" $T1
expect_status 0 td handover --to ca $T1
n3=$(sed -n 's/.*\(BG-[0-9]*-[0-9]*\).*/\1/p' "$tmp/out" | head -1)
expect_status 0 td receipt "$n3"
expect_in "$tmp/out" "Trạng thái: bị hỏng -> bị hỏng"
expect_in "$tmp/out" "vỡ vỏ, không nhận"
expect_status 0 td show token $T1 --json
expect_in "$tmp/out" '"state": "damaged"'
# a handover that states another condition replaces it
expect_status 0 td handover --to dost --condition "đã thay vỏ" $T2
n4=$(sed -n 's/.*\(BG-[0-9]*-[0-9]*\).*/\1/p' "$tmp/out" | head -1)
expect_status 0 td receipt "$n4"
expect_in "$tmp/out" "đã thay vỏ"

# the date, in Vietnamese, where the reader is
want=$(TZ=Asia/Ho_Chi_Minh date +"ngày %d tháng %m năm %Y")
(unset TZ; LANG=vi_VN.UTF-8 LC_ALL= td receipt "$n4") >"$tmp/vi" 2>&1 || fail "receipt in vi"
expect_in "$tmp/vi" "Hôm nay, $want"
finish
