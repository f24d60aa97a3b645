# search-nfd.sh: a name imported in NFD is stored NFC, found by its NFC
# twin, and by its folded form; đ/Đ fold to d.
. "${TD_SRCDIR:-.}/tests/cli/lib.sh"

printf 'code,name,parent_code,level\nDC,Tỉnh Đông Châu,,province\n' >"$tmp/ag.csv"
# "Nguyễn Văn Hùng" decomposed: e + U+0302 + U+0303, a + U+0306, u + U+0300.
nfd=$(printf 'Nguye\314\202\314\203n Va\314\206n Hu\314\200ng')
printf 'cert_serial,kind,holder_name,holder_id,position,agency_code,not_before,not_after,token_serial,token_model,email\n' >"$tmp/ce.csv"
printf 'abc1,person,%s,001085012345,,DC,2024-01-01,2029-01-01,T1,,\n' "$nfd" >>"$tmp/ce.csv"
printf 'abc2,person,ĐẶNG VĂN ĐẠT,001085012399,,DC,2024-01-01,2029-01-01,T2,,\n' >>"$tmp/ce.csv"
td init >/dev/null
expect_status 0 td import "$tmp/ag.csv" "$tmp/ce.csv"
expect_status 0 td search "Nguyễn Văn Hùng" --json
expect_in "$tmp/out" "\"label\": \"Nguyễn Văn Hùng\""   # NFC in the output
expect_status 0 td search "$nfd"
expect_in "$tmp/out" "001085012345"
expect_status 0 td search nguyen hung
expect_in "$tmp/out" "001085012345"
expect_status 0 td search dang dat
expect_in "$tmp/out" "001085012399"
expect_status 0 td search "đạt"
expect_in "$tmp/out" "001085012399"
expect_status 0 td search abc
expect_in "$tmp/out" "cert    abc1"
expect_status 0 td search xyzzy
expect_eq "$(wc -c <"$tmp/out")" 0 "output for no hit"
# --limit: a number of hits; anything else is a usage error, not "no hits"
for bad in 0 -1 abc 5x; do
	expect_status 64 td search nguyen --limit "$bad"
	expect_in "$tmp/err" "--limit takes a number, 1 to 10000000"
done
finish
