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

# Rows that contradict each other, each named against the first row with
# its key: a serial listed twice, one person under two names, one token
# given to two holders.  A repeat that agrees (the same person, the same
# token for the same holder) is no problem.
sed -e '101s/^[0-9a-f]*,/1001,/' \
	-e '201s/Nguyễn Văn Số 200,000000000200/Trần Thị Khác,000000000100/' \
	-e '301s/TK000300/TK000299/' \
	-e '401s/Nguyễn Văn Số 400,000000000400,\(.*\)TK000400/Nguyễn Văn Số 399,000000000399,\1TK000399/' \
	"$tmp/ce.csv" >"$tmp/twice.csv"
expect_status 65 td import "$tmp/twice.csv"
expect_in "$tmp/err" "twice.csv:101: cert_serial: serial 1001 is listed twice (also $tmp/twice.csv:2)"
expect_in "$tmp/err" "twice.csv:201: holder_name: holder 000000000100 is 'Trần Thị Khác' here but 'Nguyễn Văn Số 100' at $tmp/twice.csv:101"
expect_in "$tmp/err" "twice.csv:301: token_serial: token TK000299 is given to holder 000000000300 here and to 000000000299 at $tmp/twice.csv:300"
expect_eq "$(grep -c ':[0-9]*: ' "$tmp/err")" 4 "rows reported (the bad date, three contradictions)"

# An agency code listed twice is named against its first row, once; the
# first row is still checked (its parent must exist), the second is not
# also reported for its own parent.
cat >"$tmp/ag2.csv" <<'CSV'
code,name,parent_code,level
SXD,Sở Xây dựng,NOWHERE,department
SYT,Sở Y tế,DC,department
SXD,Sở Xây dựng,ALSO_NOWHERE,department
CSV
before=$(registry_digest)
expect_status 65 td import "$tmp/ag2.csv"
expect_in "$tmp/err" "ag2.csv:4: code: SXD is listed twice (also $tmp/ag2.csv:2)"
expect_in "$tmp/err" "ag2.csv:2: parent_code: no agency NOWHERE"
expect_not_in "$tmp/err" "ALSO_NOWHERE"
expect_eq "$(grep -c ':[0-9]*: ' "$tmp/err")" 2 "agency rows reported"
expect_eq "$(registry_digest)" "$before" "registry after a refused agency list"

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

# A field longer than 2000 bytes is a paste gone wrong (and more than a
# workbook cell holds): refused, named.
long=$(printf '%02001d' 0)
printf 'cert_serial,kind,holder_name,holder_id,position,agency_code,not_before,not_after\n' >"$tmp/long.csv"
printf 'b1,person,Lê Văn Dài,001000000099,%s,STC,2024-01-01,2029-01-01\n' "$long" >>"$tmp/long.csv"
expect_status 65 td import "$tmp/long.csv"
expect_in "$tmp/err" "long.csv:2: position: longer than 2000 bytes"

# A code that differs from one the registry holds only in letter case
# would be a second agency that reads as the first: refused.
printf 'code,name,parent_code,level\nstc,Sở Tài chính (bản sao),DC,department\n' >"$tmp/case.csv"
expect_status 65 td import "$tmp/case.csv"
expect_in "$tmp/err" "case.csv:2: code: stc differs from agency STC only in letter case"

# An agency that ends before it begins is refused, as a certificate is.
printf 'code,name,parent_code,level,valid_from,valid_to\nTT,Trung tâm T,DC,other,01/06/2025,2025-01-01\n' >"$tmp/dates.csv"
expect_status 65 td import "$tmp/dates.csv"
expect_in "$tmp/err" "dates.csv:2: valid_to: 2025-01-01 is before valid_from 2025-06-01"
finish
