# forms-decree68.sh: `tokendesk forms` writes the Decree 68 forms (Mẫu 05
# revocation, Mẫu 04 change and renewal, Mẫu 06 token recovery) for the
# tags of a batch, one form per requesting agency, every tag once; two
# agencies of the merged provinces that share a name ("Sở Tài chính") are
# told apart by their province; the layout comes from an editable
# template; a batch that does not exist is an error and writes nothing.
. "${TD_SRCDIR:-.}/tests/cli/lib.sh"
. "$TD_SRCDIR/tests/cli/plan/plan-lib.sh"
command -v pdftotext >/dev/null || exit 77
# Debian's python3-openpyxl (.ci/packages), whatever python3 comes first
py=
for p in /usr/bin/python3 python3; do
	"$p" -c 'import openpyxl' 2>/dev/null && { py=$p; break; }
done
[ -n "$py" ] || exit 77

# the second province (R, merged into P) had a Sở Tài chính too
cp "$P/agencies.csv" "$tmp/ag.csv"
cp "$P/certificates.csv" "$tmp/certs.csv"
echo "R.S2,Sở Tài chính,R,department" >>"$tmp/ag.csv"
echo "C901,org,Sở Tài chính,R.S2,,R.S2,2024-01-01,2029-01-01,TKC901,SafeNet eToken 5110,stc@sontay.gov.vn" >>"$tmp/certs.csv"
echo "C902,person,Lê Thị Mai,001190000902,Kế toán,R.S2,2024-01-01,2029-01-01,TKC902,Bit4id TokenME,mailt@sontay.gov.vn" >>"$tmp/certs.csv"
td init >/dev/null && td import "$tmp/ag.csv" "$tmp/certs.csv" >/dev/null &&
	td plan import "$P/plan.csv" >/dev/null && td plan apply >/dev/null || fail "setup"
expect_status 0 td tag revoke A011 --reason "sáp nhập, cấp chứng thư mới"
expect_status 0 td tag revoke C901 --reason "sáp nhập tỉnh"
expect_status 0 td tag renew C902 --reason "sắp hết hạn"
expect_status 0 td tag recover-token TKC902 --reason "khóa PIN"
expect_status 0 td tag send
batch=$(sed -n 's/.*batch \([0-9]*\).*/\1/p' "$tmp/out" | head -1)
[ -n "$batch" ] || fail "no batch number in: $(cat "$tmp/out")"
td tag list --batch "$batch" --json >"$tmp/tags.json" || fail "tag list"
nrevoke=$(grep -c '"kind": "revoke"' "$tmp/tags.json")

# XLSX: a sheet per requesting agency, each revoke tag of the batch once
expect_status 0 td forms --kind revoke --batch "$batch" --date 2026-12-06 \
	--place "Hưng Yên" -o "$tmp/f05.xlsx"
expect_in "$tmp/out" "$tmp/f05.xlsx:"
expect_eq "$(stat -c %a "$tmp/f05.xlsx")" 600 "xlsx mode"
"$py" - "$tmp/f05.xlsx" "$tmp/tags.json" >"$tmp/py" 2>&1 <<'PY' || fail "xlsx: $(cat "$tmp/py")"
import json, re, sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
tags = json.load(open(sys.argv[2]))
want = sorted(t["target"].upper() for t in tags if t["kind"] == "revoke")
seen, agencies = [], []
for ws in wb.worksheets:
    cells = [[c.value for c in r] for r in ws.iter_rows()]
    text = "\n".join(str(v) for r in cells for v in r if v is not None)
    assert "Mẫu số 05" in text, ws.title
    assert "Cục Chứng thực số và Bảo mật thông tin" in text, ws.title
    assert "Hưng Yên, ngày 06 tháng 12 năm 2026" in text, ws.title
    head = next(i for i, r in enumerate(cells) if r[0] == "STT")
    assert cells[head][:6] == ["STT", "Tên chứng thư/thuê bao", "Email",
        "Serial chứng thư", "Mã thiết bị", "Lý do thu hồi"], cells[head]
    for r in cells[head + 1:]:
        if r[0] and str(r[0]).isdigit():
            seen.append(r[3])
    m = re.search(r"Tên cơ quan, tổ chức đề nghị: (.*)", text)
    agencies.append(m.group(1))
assert sorted(seen) == want, (sorted(seen), want)
assert len(agencies) == len(set(agencies)), agencies
assert "Sở Tài chính (tỉnh An Hòa)" in agencies, agencies
assert "Sở Tài chính (tỉnh Sơn Tây)" in agencies, agencies
print(len(seen))
PY
expect_eq "$(tail -1 "$tmp/py")" "$nrevoke" "revoke rows in the workbook"

# PDF: the same forms, drawn by the record's renderer
expect_status 0 td forms --kind revoke --batch "$batch" --date 2026-12-06 -o "$tmp/f05.pdf"
pdftotext "$tmp/f05.pdf" "$tmp/f05.txt" || fail "pdftotext"
for s in "Mẫu số 05" "ĐỀ NGHỊ THU HỒI CHỨNG THƯ CHỮ KÝ SỐ" "Sở Tài chính (tỉnh Sơn Tây)" \
         "Sở Tài chính (tỉnh An Hòa)" "ngày 06 tháng 12 năm 2026" "C901" "A011" \
         "stc@sontay.gov.vn" "TKC901" "sáp nhập tỉnh"; do
	expect_in "$tmp/f05.txt" "$s"
done
# renewal (Mẫu 04) and token recovery (Mẫu 06) carry the holder's data
expect_status 0 td forms --kind renew --batch "$batch" -o "$tmp/f04.pdf"
pdftotext "$tmp/f04.pdf" "$tmp/f04.txt"
for s in "Mẫu số 04" "GIA HẠN" "Lê Thị Mai" "001190000902" "Kế toán" "01/01/2024 - 01/01/2029"; do
	expect_in "$tmp/f04.txt" "$s"
done
expect_status 0 td forms --kind recover --batch "$batch" -o "$tmp/f06.xlsx"
"$py" -c '
import sys, openpyxl
t = "\n".join(str(c.value) for ws in openpyxl.load_workbook(sys.argv[1]).worksheets
              for r in ws.iter_rows() for c in r if c.value is not None)
for s in ("Mẫu số 06", "TKC902", "Bit4id TokenME", "khóa PIN"):
    assert s in t, s' "$tmp/f06.xlsx" || fail "Mẫu 06 lacks its data"

# the layout is the template's: a province renames a heading, drops a column
sed -e 's/"Lý do thu hồi"/"Lý do đề nghị thu hồi"/' \
    -e '/"field": "email"/d' "$TD_SRCDIR/data/forms/revoke.json" >"$tmp/mine.json"
expect_status 0 td forms --template "$tmp/mine.json" --batch "$batch" -o "$tmp/mine.pdf"
pdftotext "$tmp/mine.pdf" "$tmp/mine.txt"
expect_in "$tmp/mine.txt" "Lý do đề nghị thu hồi"
expect_not_in "$tmp/mine.txt" "stc@sontay.gov.vn"
# the agency's address and e-mail, where the province's contacts.tsv
# beside the template knows them
printf 'R.S2\tSố 1 đường Lê Lợi, Sơn Tây\tstc@sontay.gov.vn\n' >"$tmp/contacts.tsv"
expect_status 0 td forms --template "$tmp/mine.json" --batch "$batch" --agency R.S2 -o "$tmp/c.pdf"
pdftotext "$tmp/c.pdf" "$tmp/c.txt"
expect_in "$tmp/c.txt" "Địa chỉ: Số 1 đường Lê Lợi, Sơn Tây"
expect_in "$tmp/c.txt" "Thư điện tử: stc@sontay.gov.vn"
# a misspelt field or placeholder is refused with the file named
sed 's/"field": "reason"/"field": "reasons"/' "$TD_SRCDIR/data/forms/revoke.json" >"$tmp/bad.json"
expect_status 65 td forms --template "$tmp/bad.json" -o "$tmp/bad.xlsx"
expect_in "$tmp/err" "bad.json"
sed 's/{agency}/{agnecy}/' "$TD_SRCDIR/data/forms/revoke.json" >"$tmp/bad2.json"
expect_status 65 td forms --template "$tmp/bad2.json" -o "$tmp/bad.xlsx"
[ ! -e "$tmp/bad.xlsx" ] || fail "a bad template wrote a file"

# the lists name them apart too
expect_status 0 td lists --format csv --batch "$batch" -o "$tmp/lists"
expect_in "$tmp/lists/thu-hoi-chung-thu.csv" ",R.S2,Sở Tài chính (tỉnh Sơn Tây),"
expect_in "$tmp/lists/thu-hoi-chung-thu.csv" ",P.S1,Sở Tài chính (tỉnh An Hòa),"

# a batch that does not exist: an error, no file
expect_status 66 td forms --kind revoke --batch 99 -o "$tmp/none.xlsx"
expect_in "$tmp/err" "no batch 99"
[ ! -e "$tmp/none.xlsx" ] || fail "a missing batch wrote a file"
# only one agency's form
expect_status 0 td forms --kind revoke --batch "$batch" --agency R.S2 -o "$tmp/one.xlsx"
expect_in "$tmp/out" "1 forms"
# a mistyped agency code is said as such, and nothing is written
expect_status 66 td forms --kind revoke --batch "$batch" --agency R.NOPE -o "$tmp/nope.xlsx"
grep -q "there is no agency R.NOPE" "$tmp/err" || fail "forms --agency R.NOPE: $(cat "$tmp/err")"
[ ! -e "$tmp/nope.xlsx" ] || fail "forms --agency R.NOPE wrote a file"
expect_status 64 td forms --kind revokes -o "$tmp/x.xlsx"
# a name that says no format the forms know
expect_status 64 td forms --kind revoke -o "$tmp/x.odt"
expect_status 0 td forms --help
expect_in "$tmp/out" "form 05"
# the place goes on every letter as typed: held to the typed-text rules
# (an ESC, a BEL, more than 1000 bytes), refused with nothing written
expect_status 64 td forms --kind revoke --batch "$batch" --place "$(printf 'Hưng\033[2JYên\007')" -o "$tmp/esc.xlsx"
expect_in "$tmp/err" "place: control character"
[ ! -e "$tmp/esc.xlsx" ] || fail "a place with an ESC wrote a file"
expect_status 64 td forms --kind revoke --batch "$batch" --place "$(printf '%01001d' 0)" -o "$tmp/long.xlsx"
expect_in "$tmp/err" "place: longer than 1000 bytes"
# the date as clerks write it
expect_status 0 td forms --kind revoke --batch "$batch" --date 6/12/2026 -o "$tmp/dmy.pdf"
expect_status 64 td forms --kind revoke --batch "$batch" --date 31/02/2026 -o "$tmp/bad.pdf"
expect_in "$tmp/err" "a date is YYYY-MM-DD or dd/mm/yyyy"
finish
