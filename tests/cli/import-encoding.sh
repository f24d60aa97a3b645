# import-encoding.sh: legacy cp1258 files need --encoding and come out
# right with it; UTF-16 (Excel "Unicode text") and BOMs are understood;
# Vietnamese headers are accepted.
. "${TD_SRCDIR:-.}/tests/cli/lib.sh"

cat >"$tmp/ag.csv" <<'CSV'
Mã cơ quan,Tên cơ quan,Mã cấp trên,Cấp
DC,Ủy ban nhân dân tỉnh Đông Châu,,Tỉnh
STC,Sở Tài chính,DC,Sở
CSV
cat >"$tmp/ce.csv" <<'CSV'
STT;Số serial;Loại chứng thư;Họ và tên;Số CCCD;Chức vụ;Mã đơn vị;Ngày hiệu lực;Ngày hết hạn;Serial thiết bị;Loại thiết bị;Email
1;0A1B2C;Cá nhân;Nguyễn Văn Hùng;001085012345;Trưởng phòng;STC;01/02/2023;01/02/2028;EF99;Bit4id TokenME;
2;0A1B2D;cá nhân;Đặng Thị Lan;001185012346;Chuyên viên;STC;2024-03-01;2029-03-01;EF98;;
CSV
iconv -f UTF-8 -t CP1258 "$tmp/ag.csv" >"$tmp/ag1258.csv" || { echo "iconv lacks CP1258"; exit 77; }
iconv -f UTF-8 -t CP1258 "$tmp/ce.csv" >"$tmp/ce1258.csv"
td init >/dev/null

expect_status 65 td import "$tmp/ag1258.csv"
expect_in "$tmp/err" "ag1258.csv:1: invalid UTF-8"
expect_in "$tmp/err" "--encoding cp1258"
expect_status 0 td import --encoding cp1258 "$tmp/ag1258.csv" "$tmp/ce1258.csv"
expect_in "$tmp/out" "certificates: 2 added"
expect_status 0 td show cert 0a1b2c --json
expect_in "$tmp/out" "\"holder_name\": \"Nguyễn Văn Hùng\""
expect_in "$tmp/out" "\"not_before\": \"2023-02-01\""
expect_status 0 td show agency STC
expect_in "$tmp/out" "Sở Tài chính"
expect_status 0 td search dang thi lan
expect_in "$tmp/out" "Đặng Thị Lan"

# The same list as UTF-16 with a BOM, and as UTF-8 with a BOM: unchanged.
iconv -f UTF-8 -t UTF-16 "$tmp/ce.csv" >"$tmp/ce16.csv"
expect_status 0 td import "$tmp/ce16.csv"
expect_in "$tmp/out" "certificates: 0 added, 0 updated, 2 unchanged"
printf '\357\273\277' | cat - "$tmp/ce.csv" >"$tmp/cebom.csv"
expect_status 0 td import "$tmp/cebom.csv"
expect_in "$tmp/out" "2 unchanged"
# UTF-16 saved without a BOM: the encoding is named, and given it imports.
for e in UTF-16LE UTF-16BE; do
	iconv -f UTF-8 -t $e "$tmp/ce.csv" >"$tmp/ce-$e.csv"
	expect_status 65 td import "$tmp/ce-$e.csv"
	expect_in "$tmp/err" "ce-$e.csv:1: NUL bytes: this looks like $e text without a byte-order mark"
	expect_in "$tmp/err" "--encoding $e"
	expect_status 0 td import --encoding $e "$tmp/ce-$e.csv"
	expect_in "$tmp/out" "2 unchanged"
done
# A spreadsheet in its own format, renamed or picked by mistake: said so,
# whatever --encoding says.  A directory: said so.
expect_status 65 td import "$TD_SRCDIR/tests/hostile/files/xlsx-disguised.csv"
expect_in "$tmp/err" "xlsx-disguised.csv:1: not a CSV file but a zip file (an .xlsx or .ods spreadsheet?)"
expect_in "$tmp/err" 'save it as "CSV UTF-8"'
expect_status 65 td import --encoding cp1258 "$TD_SRCDIR/tests/hostile/files/xls-disguised.csv"
expect_in "$tmp/err" "xls-disguised.csv:1: not a CSV file but an old Excel .xls file"
expect_status 74 td import "$tmp"
expect_in "$tmp/err" "cannot read the file: Is a directory"
expect_status 64 td import --encoding no-such-charset "$tmp/ce.csv"
expect_in "$tmp/err" "unknown encoding"
finish
