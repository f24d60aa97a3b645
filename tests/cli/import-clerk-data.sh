# import-clerk-data.sh: the data a clerk actually has (issue 25): IDs
# that lost their leading zero in Excel, a certificate moving to another
# holder, an official moved to another agency, Excel's d/m/yyyy dates,
# the levels Thành phố, Đặc khu, Trung tâm, Văn phòng, and plan files in
# cp1258 with Vietnamese headers.
. "${TD_SRCDIR:-.}/tests/cli/lib.sh"
command -v iconv >/dev/null || exit 77

cat >"$tmp/ag.csv" <<'CSV'
Mã cơ quan;Tên cơ quan;Mã cấp trên;Cấp
HY;Ủy ban nhân dân tỉnh Hưng Yên;;Tỉnh
HY.VP;Văn phòng Ủy ban nhân dân tỉnh;HY;Văn phòng
HY.TT;Trung tâm Phục vụ hành chính công;HY.VP;Trung tâm
HY.TP;Ủy ban nhân dân thành phố Hưng Yên;HY;Thành phố
HY.DK;Ủy ban nhân dân đặc khu Bạch Long;HY;Đặc khu
HY.STC;Sở Tài chính;HY;Sở
HY.SNV;Sở Nội vụ;HY;Sở
CSV
H="Số serial chứng thư;Loại;Họ và tên;Số CCCD;Chức vụ;Mã cơ quan;Ngày hiệu lực;Ngày hết hạn;Mã thiết bị;Loại thiết bị;Email"
printf '%s\n%s\n%s\n' "$H" \
  "5401;cá nhân;Lê Văn An;033072667065;Chuyên viên;HY.STC;1/7/2025;30/06/2030;T1;Bit4id TokenME;anlv@hungyen.gov.vn" \
  "5402;cá nhân;Trần Thị Bình;123456789;Chuyên viên;HY.STC;01/07/2025;2030-06-30;T2;Bit4id TokenME;" >"$tmp/v1.csv"
td init >/dev/null
expect_status 0 td import "$tmp/ag.csv" "$tmp/v1.csv"
for c in HY.VP:department HY.TT:other HY.TP:district HY.DK:commune; do
	expect_status 0 td show agency "${c%%:*}"
	expect_in "$tmp/out" "level:        ${c#*:}"
done
expect_status 0 td show cert 5401
expect_in "$tmp/out" "2025-07-01"
expect_in "$tmp/out" "2030-06-30"
before=$(registry_digest)

# Excel dropped the leading zero: refused, naming the twin; nothing changes
printf '%s\n%s\n' "$H" \
  "5401;cá nhân;Lê Văn An;33072667065;Trưởng phòng;HY.STC;1/7/2025;30/6/2030;T1;Bit4id TokenME;" >"$tmp/v2.csv"
expect_status 65 td import "$tmp/v2.csv"
expect_in "$tmp/err" "did Excel drop a leading zero?"
expect_in "$tmp/err" "033072667065 (Lê Văn An)"
# without a twin, still refused: a CCCD has 12 digits, a CMND 9
printf '%s\n%s\n' "$H" \
  "5403;cá nhân;Phạm Văn Ba;1234567;Chuyên viên;HY.STC;1/7/2025;30/6/2030;T3;;" >"$tmp/v3.csv"
expect_status 65 td import "$tmp/v3.csv"
expect_in "$tmp/err" "a CCCD has 12 digits, an old CMND 9"
# a date that is no date
printf '%s\n%s\n' "$H" \
  "5404;cá nhân;Phạm Văn Bốn;001090000004;;HY.STC;31/2/2025;30/6/2030;;;" >"$tmp/v4.csv"
expect_status 65 td import "$tmp/v4.csv"
expect_in "$tmp/err" "'31/2/2025' is not a date"
expect_eq "$(registry_digest)" "$before" "registry after refused imports"

# a certificate moving to another (real) holder: refused unless allowed
printf '%s\n%s\n' "$H" \
  "5401;cá nhân;Nguyễn Thị Cúc;001190000099;Chuyên viên;HY.STC;1/7/2025;30/6/2030;T1;Bit4id TokenME;" >"$tmp/v5.csv"
expect_status 65 td import "$tmp/v5.csv"
expect_in "$tmp/err" "--allow-holder-change"
expect_eq "$(registry_digest)" "$before" "registry after a refused holder change"
expect_status 0 td import --allow-holder-change "$tmp/v5.csv"
expect_status 0 td show cert 5401
expect_in "$tmp/out" "Nguyễn Thị Cúc"

# an official moved to another agency keeps the DN the CA issued, and the
# plan proposes the info change (rule transfer)
printf '%s\n%s\n' "$H" \
  "5402;cá nhân;Trần Thị Bình;123456789;Chuyên viên;HY.SNV;01/07/2025;2030-06-30;T2;Bit4id TokenME;" >"$tmp/v6.csv"
expect_status 0 td import "$tmp/v6.csv"
expect_status 0 td show cert 5402
expect_in "$tmp/out" "OU=Sở Tài chính, CN=Trần Thị Bình"
printf 'effective_date,event,source_codes,target_code,target_name,new_parent_code\n' >"$tmp/empty-plan.csv"
printf '2025-07-01,rename,HY.TT,,Trung tâm Phục vụ hành chính công tỉnh,\n' >>"$tmp/empty-plan.csv"
expect_status 0 td plan import "$tmp/empty-plan.csv"
expect_status 0 td plan show --json
expect_in "$tmp/out" '"rule":"transfer"'
expect_in "$tmp/out" 'OU=Sở Nội vụ, CN=Trần Thị Bình'

# a plan in cp1258 with Vietnamese headers, `;` and d/m/yyyy, by -e
printf 'Ngày hiệu lực;Sự kiện;Mã cơ quan nguồn;Mã cơ quan mới;Tên cơ quan mới;Mã cấp trên mới\n1/7/2025;rename;HY.STC;;Sở Tài chính mới;\n' |
	iconv -f UTF-8 -t CP1258 >"$tmp/plan-vi.csv" || fail "iconv"
expect_status 0 td plan import -e cp1258 "$tmp/plan-vi.csv"
expect_status 0 td plan show
expect_in "$tmp/out" "Sở Tài chính mới"
expect_in "$tmp/out" "2025-07-01"
finish
