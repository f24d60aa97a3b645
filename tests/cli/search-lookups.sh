# search-lookups.sh: search finds serials as Windows' certificate viewer
# shows them ("54 01 3b 53") or with colons, in any case; finds a holder
# by e-mail; ranks names holding the typed words whole first and, of
# those, the ones written with the typed marks; `show holder ID` shows a
# holder with their certificates (issue 25).
. "${TD_SRCDIR:-.}/tests/cli/lib.sh"

cat >"$tmp/ag.csv" <<'CSV'
code,name,parent_code,level
HY,Ủy ban nhân dân tỉnh Hưng Yên,,province
HY.LD,Sở Lao động - Thương binh và Xã hội,HY,department
TB.LD,Sở Lao động - Thương binh và Xã hội tỉnh Thái Bình,HY,department
HY.X1,Ủy ban nhân dân xã Đông La,HY,commune
HY.X2,Ủy ban nhân dân xã Đồng Lạc,HY,commune
HY.X3,Ủy ban nhân dân xã Đông Lạc,HY,commune
CSV
cat >"$tmp/ce.csv" <<'CSV'
cert_serial,kind,holder_name,holder_id,position,agency_code,not_before,not_after,token_serial,token_model,email
54013B53AA01,person,Nguyễn Văn Hùng,033072667065,Chuyên viên,HY.LD,2024-01-01,2029-01-01,T1,Bit4id TokenME,HungNV@HungYen.gov.vn
54FF0001,person,Lê Thị Lan,033190000002,Kế toán,HY.X1,2024-01-01,2029-01-01,T2,SafeNet eToken 5110,
CSV
td init >/dev/null && td import "$tmp/ag.csv" "$tmp/ce.csv" >/dev/null || fail "setup"

for s in "54 01 3b 53" "54:01:3B:53" "54 01 3B 53 AA 01" "5401 3b53"; do
	expect_status 0 td search "$s"
	expect_in "$tmp/out" "54013b53aa01"
	expect_not_in "$tmp/out" "54ff0001"
done
expect_status 0 td search "hungnv@hungyen.gov.vn"
expect_in "$tmp/out" "033072667065"
expect_in "$tmp/out" "Nguyễn Văn Hùng"

# the commune whose name holds every typed word, whole, comes first
expect_status 0 td search "xa dong la"
expect_eq "$(head -1 "$tmp/out" | awk '{print $2}')" "HY.X1" "first hit for 'xa dong la'"
# "Đông" typed: Đông Lạc before Đồng Lạc; "Đồng" typed: the other way
expect_status 0 td search "Đông Lạc"
expect_eq "$(head -1 "$tmp/out" | awk '{print $2}')" "HY.X3" "first hit for 'Đông Lạc'"
expect_status 0 td search "Đồng Lạc"
expect_eq "$(head -1 "$tmp/out" | awk '{print $2}')" "HY.X2" "first hit for 'Đồng Lạc'"

expect_status 0 td show holder 033072667065
expect_in "$tmp/out" "Nguyễn Văn Hùng"
expect_in "$tmp/out" "Chuyên viên"
expect_in "$tmp/out" "HungNV@HungYen.gov.vn"
expect_in "$tmp/out" "Sở Lao động - Thương binh và Xã hội (HY.LD)"
expect_in "$tmp/out" "54013b53aa01"
expect_status 0 td show holder 033072667065 --json
expect_in "$tmp/out" '"position": "Chuyên viên"'
expect_status 66 td show holder 33072667065
expect_in "$tmp/err" "no holder 33072667065"
finish
