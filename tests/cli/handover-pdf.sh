# handover-pdf.sh: the record of a handover as a PDF (pango + cairo) keeps
# its Vietnamese diacritics, is private (0600), and breaks across pages.
. "${TD_SRCDIR:-.}/tests/cli/lib.sh"

command -v pdftotext >/dev/null || { echo "pdftotext (poppler-utils) missing"; exit 77; }
demo_import || { echo "demo import failed"; exit 1; }
year=$(date +%Y)

expect_status 0 td handover --to dost --force --reason "nộp thẳng cho Sở" --place "Sở KH&CN tỉnh Đông Châu" \
	--pdf "$tmp/first.pdf" 3792084583 8878595222
expect_in "$tmp/out" "Record (PDF): $tmp/first.pdf"
expect_eq "$(stat -c %a "$tmp/first.pdf")" 600 "mode of the PDF"
expect_status 0 td receipt "BG-$year-0001" --pdf "$tmp/again.pdf"
expect_eq "$(stat -c %a "$tmp/again.pdf")" 600 "mode of the reprinted PDF"
pdftotext -layout "$tmp/again.pdf" "$tmp/again.txt" || fail "pdftotext"
for s in "Biên bản bàn giao" "BIÊN BẢN BÀN GIAO THIẾT BỊ LƯU KHÓA BÍ MẬT" \
	"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" "Độc lập - Tự do - Hạnh phúc" \
	"Số: BG-$year-0001" "3792084583" "8878595222" "Vũ Xuân Đông" \
	"Đặng Quang Hiếu" "BÊN GIAO" "BÊN NHẬN" "Ký, ghi rõ họ tên" \
	"ngày" "tháng" "năm $year"; do
	expect_in "$tmp/again.txt" "$s"
done
# Reprints are the same paper (cairo stamps a creation date: compare text).
pdftotext -layout "$tmp/first.pdf" "$tmp/first.txt"
cmp -s "$tmp/first.txt" "$tmp/again.txt" || fail "reprint differs from the first print"

# A whole bag (60 tokens) spreads over pages, each numbered.
td export tokens | awk -F, 'NR>=5 && NR<65 {print $1}' >"$tmp/bag"
td handover --to dost --force --reason "nộp thẳng cho Sở" - <"$tmp/bag" >/dev/null 2>"$tmp/err" || fail "bag handover"
expect_status 0 td receipt "BG-$year-0002" --pdf "$tmp/bag.pdf"
pages=$(pdfinfo "$tmp/bag.pdf" 2>/dev/null | awk '/^Pages:/ {print $2}')
[ "${pages:-0}" -ge 3 ] || fail "60 tokens on ${pages:-?} pages, want 3 or more"
pdftotext "$tmp/bag.pdf" "$tmp/bag.txt"
expect_in "$tmp/bag.txt" "Biên bản số BG-$year-0002 - trang 2"
expect_in "$tmp/bag.txt" "Tổng cộng: 60 thiết bị"
expect_in "$tmp/bag.txt" "$(tail -n 1 "$tmp/bag")"

# A long condition and remarks after a tall row go onto the next page,
# whole: drawn where they fell they ran under the footer and off the
# paper.  Each page's last line is its footer.
cond=$(printf '%999s' '' | tr ' ' x)
rem=$(i=1; while [ $i -le 45 ]; do printf 'mục %d đã nhận; ' $i; i=$((i + 1)); done)
expect_status 0 td handover --to dost --force --reason "nộp thẳng cho Sở" --condition "$cond" --remarks "${rem%; }" \
	--pdf "$tmp/long.pdf" "$(td export tokens | awk -F, 'NR == 70 {print $1}')"
pdftotext -layout "$tmp/long.pdf" "$tmp/long.txt"
flat=$(tr -d ' \n' <"$tmp/long.txt")
case $flat in
*"Ghichú:mục1đãnhận;"*"mục45đãnhận"*) ;;
*) fail "the remarks are not all on the record" ;;
esac
[ "$(printf '%s' "$flat" | grep -o x | wc -l)" -ge $((2 * 999)) ] ||
	fail "the condition is not all on the record (in the row and below)"
footer_last() {
	awk 'BEGIN { RS = "\f" } NF { n = split($0, l, "\n"); last = "";
		for (i = n; i > 0 && last == ""; i--) if (l[i] ~ /[^ ]/) last = l[i];
		if (last !~ /Biên bản số BG-.* - trang [0-9]+ *$/) { print "page " NR ": " last; bad = 1 } }
		END { exit bad }' "$1"
}
footer_last "$tmp/long.txt" || fail "text below a page's footer"
# An item's own remarks, long too (a field kit's handover can carry
# them): the row would be taller than a page, so its notes follow it.
number=$(sed -n 's/^Handover \(BG-[0-9-]*\):.*/\1/p' "$tmp/out")
own=$(i=1; while [ $i -le 90 ]; do printf 'dòng %d riêng; ' $i; i=$((i + 1)); done)
sqlite3 "$TOKENDESK_DB" "UPDATE handover_item SET remarks = '$own' WHERE
	handover_id = (SELECT id FROM handover WHERE number = '$number')" ||
	fail "cannot give the item remarks of its own"
expect_status 0 td receipt "$number" --pdf "$tmp/tall.pdf"
pdftotext -layout "$tmp/tall.pdf" "$tmp/tall.txt"
expect_eq "$(tr -d ' \n' <"$tmp/tall.txt" | grep -o 'dòng[0-9]*riêng' | wc -l)" 90 \
	"the item's own remarks on the record"
expect_in "$tmp/tall.txt" "Ghi chú dòng 1:"
footer_last "$tmp/tall.txt" || fail "a row taller than a page ran off it"

# Without $TOKENDESK_PDF_HELPER the helper is found as installed: beside
# tokendesk-full (pkglibexecdir; the build tree here).
(unset TOKENDESK_PDF_HELPER; td receipt "BG-$year-0001" --pdf "$tmp/found.pdf") \
	>"$tmp/out" 2>"$tmp/err" || { fail "no PDF helper found beside tokendesk-full"; cat "$tmp/err" >&2; }
[ -s "$tmp/found.pdf" ] || fail "no PDF written through the helper beside tokendesk-full"

# An unwritable place fails cleanly (73, it cannot be created, and why)
# and leaves no temporary file behind.
expect_status 73 td receipt "BG-$year-0001" --pdf "$tmp/no/such/dir/r.pdf"
expect_in "$tmp/err" "r.pdf: its folder does not exist"
# The registry's own name, given by a slip: refused, the registry intact.
expect_status 64 td receipt "BG-$year-0001" --pdf "$TOKENDESK_DB"
expect_in "$tmp/err" "is a tokendesk registry or field kit; not replaced"
expect_status 0 td receipt "BG-$year-0001"
finish
