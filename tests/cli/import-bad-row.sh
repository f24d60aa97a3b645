# import-bad-row.sh: a 10,000-row list with one bad row imports nothing,
# and the error names the file, the line and the field.
. "${TD_SRCDIR:-.}/tests/cli/lib.sh"

cat >"$tmp/ag.csv" <<'CSV'
code,name,parent_code,level
DC,Ủy ban nhân dân tỉnh Đông Châu,,province
STC,Sở Tài chính,DC,department
CSV
awk 'BEGIN {
	print "cert_serial,kind,holder_name,holder_id,position,agency_code,not_before,not_after,token_serial,token_model,email"
	for (i = 1; i <= 10000; i++) {
		date = (i == 7321) ? "2024-02-30" : "2024-02-01"
		printf "%x,person,Nguyễn Văn Số %d,%012d,Chuyên viên,STC,%s,2029-02-01,TK%06d,Bit4id TokenME,\n", 4096 + i, i, i, date, i
	}
}' >"$tmp/ce.csv"
td init >/dev/null
td import "$tmp/ag.csv" >/dev/null
before=$(registry_digest)
expect_status 65 td import "$tmp/ce.csv"
# Line 7322: the header is line 1.
expect_in "$tmp/err" "$tmp/ce.csv:7322: not_before: '2024-02-30' is not a date"
expect_in "$tmp/err" "nothing was imported"
expect_eq "$(grep -c ':[0-9]*: ' "$tmp/err")" 1 "number of reported rows"
expect_eq "$(registry_digest)" "$before" "registry after a failed import"

# Several problems are all reported, in one run.
sed -e '3s/,person,/,robot,/' -e '5s/,STC,/,NOPE,/' -e '9s/^[0-9a-f]*,/zz,/' "$tmp/ce.csv" >"$tmp/ce3.csv"
expect_status 65 td import "$tmp/ce3.csv"
expect_in "$tmp/err" "ce3.csv:3: kind: 'robot' is not org or person"
expect_in "$tmp/err" "ce3.csv:5: agency_code: no agency NOPE"
expect_in "$tmp/err" "ce3.csv:9: cert_serial: 'zz' is not a hexadecimal serial"
expect_in "$tmp/err" "ce3.csv:7322: not_before"

# One problem, one message: a name refused for what it holds (a line
# break typed in the cell) is not also "missing", nor is every field of
# a row cut short.
printf 'cert_serial,kind,holder_name,holder_id,agency_code,not_before,not_after\n%s\n%s\n' \
	'AB01,person,"Nguyễn
Văn",001000000001,STC,2024-02-01,2029-02-01' \
	'AB02,person,Trần Thị B' >"$tmp/one.csv"
expect_status 65 td import "$tmp/one.csv"
expect_in "$tmp/err" "one.csv:2: holder_name: control character in the text"
expect_in "$tmp/err" "one.csv:4: 3 fields where the header has 7"
expect_in "$tmp/err" "2 problems found"
expect_not_in "$tmp/err" "missing"

# Fixed, the whole file goes in; rows of separators only (a spreadsheet
# writes them for formatted rows past the data) are skipped as blank.
sed '7322s/2024-02-30/2024-02-28/' "$tmp/ce.csv" >"$tmp/ok.csv"
printf ',,,,,,,,,,\r\n , ,,,,,,,,,\r\n' >>"$tmp/ok.csv"
expect_status 0 td import "$tmp/ok.csv"
expect_in "$tmp/out" "certificates: 10000 added"
finish
