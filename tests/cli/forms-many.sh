# forms-many.sh: more than 200 requesting agencies in one workbook.  A
# sheet per form would cost each sheet its own memory and open file until
# the workbook closes (18,000 sheets took 2.5 GB), so past 200 forms they
# go 200 to a sheet, one below the other, each after a page break; every
# tag is still there once, each form with its own letter and count.  The
# Word document of the same forms holds them all, a page break apart.
. "${TD_SRCDIR:-.}/tests/cli/lib.sh"
command -v unzip >/dev/null || exit 77
py=
for p in /usr/bin/python3 python3; do
	"$p" -c 'import openpyxl' 2>/dev/null && { py=$p; break; }
done
[ -n "$py" ] || exit 77
n=205

awk -v n="$n" 'BEGIN {
	print "code,name,parent_code,level"
	print "P,Tỉnh An Hòa,,province"
	for (i = 1; i <= n; i++) printf "P.D%03d,Sở số %d,P,department\n", i, i
}' >"$tmp/ag.csv"
awk -v n="$n" 'BEGIN {
	print "cert_serial,kind,holder_name,holder_id,position,agency_code,not_before,not_after,token_serial,token_model,email"
	for (i = 1; i <= n; i++)
		printf "D%04d,person,Nguyễn Văn An,0011900%05d,Chuyên viên,P.D%03d,2024-01-01,2029-01-01,TK%04d,SafeNet eToken 5110,an%d@anhoa.gov.vn\n", i, i, i, i, i
}' >"$tmp/certs.csv"
td init >/dev/null && td import "$tmp/ag.csv" "$tmp/certs.csv" >/dev/null || fail "setup"
i=1
while [ "$i" -le "$n" ]; do
	td tag revoke "$(printf 'D%04d' "$i")" --reason "nghỉ hưu" >/dev/null 2>&1 ||
		fail "tag revoke $i"
	i=$((i + 1))
done

expect_status 0 td forms --kind revoke --date 2026-12-06 -o "$tmp/many.xlsx"
expect_in "$tmp/out" "$n forms, $n rows"
unzip -tq "$tmp/many.xlsx" >/dev/null || fail "not a sound zip"
# the first sheet: 200 forms, a page break before each but the first
breaks=$(unzip -p "$tmp/many.xlsx" xl/worksheets/sheet1.xml | grep -o '<rowBreaks count="[0-9]*"')
expect_eq "$breaks" '<rowBreaks count="199"' "page breaks on the first sheet"
"$py" - "$tmp/many.xlsx" "$n" >"$tmp/py" 2>&1 <<'PY' || fail "xlsx: $(cat "$tmp/py")"
import re, sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
n = int(sys.argv[2])
assert wb.sheetnames == ["Mẫu 1-200", "Mẫu 201-%d" % n], wb.sheetnames
seen, forms = [], 0
for ws in wb.worksheets:
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    heads = [i for i, r in enumerate(rows) if r[0] == "STT"]
    forms += len(heads)
    for h in heads:
        # the letter above the table says how many rows follow
        letter = " ".join(str(v) for r in rows[h - 8:h] for v in r if v)
        count = int(re.search(r"thu hồi (\d+) chứng thư", letter).group(1))
        body = []
        for r in rows[h + 1:]:
            if not (r[0] and str(r[0]).isdigit()):
                break
            body.append(r)
        assert count == len(body) == 1, (count, body)
        seen += [r[3] for r in body]
assert forms == n, forms
assert sorted(seen) == ["D%04d" % i for i in range(1, n + 1)], seen[:5]
print(forms)
PY
expect_eq "$(tail -1 "$tmp/py")" "$n" "forms in the workbook"

expect_status 0 td forms --kind revoke --date 2026-12-06 -o "$tmp/many.docx"
unzip -p "$tmp/many.docx" word/document.xml >"$tmp/doc.xml" || fail "no document.xml"
expect_eq "$(grep -o '<w:br w:type="page"/>' "$tmp/doc.xml" | wc -l)" "$((n - 1))" "page breaks in the document"
expect_eq "$(grep -o 'Mẫu số 05' "$tmp/doc.xml" | wc -l)" "$n" "forms in the document"
finish
