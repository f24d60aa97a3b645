# lists-dost.sh: the lists for DOST as XLSX (one sheet per list,
# Vietnamese headers, totals per agency) and CSV; files mode 0600; cells
# that look like formulas are neutralized.
. "${TD_SRCDIR:-.}/tests/cli/lib.sh"
. "$TD_SRCDIR/tests/cli/plan/plan-lib.sh"
command -v unzip >/dev/null || exit 77

plan_setup && td plan apply >/dev/null || fail "setup"
expect_status 0 td tag revoke B006 --reason "=HYPERLINK(\"http://x\",\"y\")"

umask 022
expect_status 0 td lists -o "$tmp/dost.xlsx"
expect_in "$tmp/out" "11 to revoke, 11 to change, 10 tokens, 9 dossier handovers"
expect_eq "$(stat -c %a "$tmp/dost.xlsx")" 600 "xlsx mode"
unzip -tq "$tmp/dost.xlsx" >/dev/null || fail "the xlsx is not a sound zip"
unzip -p "$tmp/dost.xlsx" xl/workbook.xml >"$tmp/wb.xml"
for s in "Thu hồi chứng thư" "Thay đổi thông tin" "Thiết bị thu hồi" "Hồ sơ bàn giao"; do
	expect_in "$tmp/wb.xml" "name=\"$s\""
done
# rows are streamed (libxlsxwriter's constant memory: strings inline in
# the sheets, no shared string table held until the end)
unzip -p "$tmp/dost.xlsx" 'xl/worksheets/sheet*.xml' >"$tmp/ss.xml"
expect_in "$tmp/ss.xml" 't="inlineStr"'
for s in "Số serial chứng thư" "Tên thuê bao" "Nội dung mới (DN)" "Tổng theo cơ quan" \
         "Tổng cộng" a021 a031 TKA021 P.H1.X3 \
         "C=VN, L=An Hòa, O=Ủy ban nhân dân tỉnh An Hòa, CN=Ủy ban nhân dân xã Bình Sơn"; do
	expect_in "$tmp/ss.xml" "$s"
done
# the injected reason is text behind an apostrophe, and no cell is a formula
expect_in "$tmp/ss.xml" "'=HYPERLINK("
for n in 1 2 3 4; do unzip -p "$tmp/dost.xlsx" "xl/worksheets/sheet$n.xml"; done >"$tmp/sheets.xml"
expect_not_in "$tmp/sheets.xml" "<f>"
# the revoke sheet: header + 11 rows, blank, totals header, per agency, sum
rows=$(unzip -p "$tmp/dost.xlsx" xl/worksheets/sheet1.xml | grep -o '<row ' | wc -l)
[ "$rows" -ge 14 ] || fail "sheet 1 has $rows rows"

expect_status 0 td lists --format csv -o "$tmp/csv"
for f in thu-hoi-chung-thu thay-doi-thong-tin thiet-bi-thu-hoi ho-so-ban-giao; do
	[ -f "$tmp/csv/$f.csv" ] || fail "no $f.csv"
	expect_eq "$(stat -c %a "$tmp/csv/$f.csv")" 600 "$f.csv mode"
done
c="$tmp/csv/thu-hoi-chung-thu.csv"
expect_in "$c" "STT,Mã cơ quan,Tên cơ quan,Tên thuê bao,Số serial chứng thư"
expect_in "$c" "'=HYPERLINK("
expect_in "$c" "Tổng cộng,,,11"
# totals per agency: P.H1.X1 and P.H1.X3 each lose one certificate
expect_in "$c" ",P.H1.X3,Ủy ban nhân dân xã Bình Minh,1"
expect_eq "$(grep -c '^[0-9][0-9]*,' "$c")" 11 "revoke rows"
t="$tmp/csv/thiet-bi-thu-hoi.csv"
expect_in "$t" ",P.X10,Ủy ban nhân dân xã Bình Sơn,2"
expect_in "$t" "Tổng cộng,,,10"
h="$tmp/csv/ho-so-ban-giao.csv"
expect_in "$h" "P.H1.X2,Ủy ban nhân dân xã Bình Hòa,P.X10"

# only batch 1, after sending: the manual tag made later is not in it
td tag send >/dev/null
expect_status 0 td tag revoke B007 --reason "chuyển công tác"
expect_status 0 td lists --format csv --batch 1 -o "$tmp/b1"
expect_not_in "$tmp/b1/thu-hoi-chung-thu.csv" "b007"
expect_in "$tmp/b1/thu-hoi-chung-thu.csv" "b006"
# every tag kind sent has its sheet, with the holder's data the CA asks
# for; agencies of the two merged provinces that share a name are told
# apart (issue 25)
expect_status 0 td tag renew A061 --reason "sắp hết hạn"
expect_status 0 td tag recover-token TKB007 --reason "khóa PIN"
expect_status 0 td tag new-issue P.S6 --reason "cấp mới cho phòng"
expect_status 0 td lists -o "$tmp/all.xlsx"
expect_in "$tmp/out" "1 renewals, 1 token recoveries, 1 new issues"
unzip -p "$tmp/all.xlsx" xl/workbook.xml >"$tmp/wb2.xml"
for s in "Gia hạn" "Khôi phục thiết bị" "Cấp mới"; do
	expect_in "$tmp/wb2.xml" "name=\"$s\""
done
expect_status 0 td lists --format csv -o "$tmp/all"
expect_in "$tmp/all/gia-han.csv" "Số CCCD/CMND,Chức vụ,Email,Hiệu lực,Loại thiết bị"
expect_in "$tmp/all/gia-han.csv" "a061"
expect_in "$tmp/all/gia-han.csv" "01/01/2024 - 01/01/2029,SafeNet eToken 5110"
expect_in "$tmp/all/khoi-phuc-thiet-bi.csv" "TKB007"
expect_in "$tmp/all/khoi-phuc-thiet-bi.csv" "khóa PIN"
expect_in "$tmp/all/cap-moi.csv" "P.S6,Sở Khoa học và Công nghệ,cấp mới cho phòng"
# the receiving agency is named, not only coded
expect_in "$tmp/all/ho-so-ban-giao.csv" "Tên cơ quan nhận"
# a batch that does not exist is an error, and nothing is written
expect_status 66 td lists --batch 99 -o "$tmp/b99.xlsx"
expect_in "$tmp/err" "no batch 99"
[ ! -e "$tmp/b99.xlsx" ] || fail "lists wrote a workbook for a batch that does not exist"
# ... nor a folder: the rows are streamed, so the batch is looked up first
expect_status 66 td lists --format csv --batch 99 -o "$tmp/b99"
[ ! -e "$tmp/b99" ] || fail "lists made a folder for a batch that does not exist"

# A name that says the other format is refused, nothing written: a
# workbook in lists.csv opened as garbage.
expect_status 64 td lists -o "$tmp/lists.csv"
expect_in "$tmp/err" "lists.csv: the lists are a workbook (.xlsx) unless --format csv"
expect_status 64 td lists --format csv -o "$tmp/lists.xlsx"
expect_in "$tmp/err" "with --format csv, PATH is a directory"
[ ! -e "$tmp/lists.csv" ] && [ ! -e "$tmp/lists.xlsx" ] || fail "a refused name was written"
finish
