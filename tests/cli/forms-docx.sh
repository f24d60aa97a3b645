# forms-docx.sh: `tokendesk forms -o FILE.docx` writes the Decree 68
# forms as a Word document (issue 25): a sound zip holding a
# WordprocessingML document, one form per requesting agency, each with
# its letter in Vietnamese and its table, every tag of the batch once;
# agencies of the two merged provinces that share a name are told apart;
# the layout comes from the same template as XLSX and PDF; a failure
# leaves no file.
. "${TD_SRCDIR:-.}/tests/cli/lib.sh"
. "$TD_SRCDIR/tests/cli/plan/plan-lib.sh"
command -v unzip >/dev/null || exit 77
py=
for p in /usr/bin/python3 python3; do
	"$p" -c 'import zipfile, xml.etree.ElementTree' 2>/dev/null && { py=$p; break; }
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
expect_status 0 td tag revoke C901 --reason "=cmd|' /C calc'!A0 & <b>"
expect_status 0 td tag renew C902 --reason "sắp hết hạn"
expect_status 0 td tag send
batch=$(sed -n 's/.*batch \([0-9]*\).*/\1/p' "$tmp/out" | head -1)
[ -n "$batch" ] || fail "no batch number in: $(cat "$tmp/out")"
td tag list --batch "$batch" --json >"$tmp/tags.json" || fail "tag list"

umask 022
expect_status 0 td forms --kind revoke --batch "$batch" --date 2026-12-06 \
	--place "Hưng Yên" -o "$tmp/f05.docx"
expect_in "$tmp/out" "$tmp/f05.docx:"
expect_eq "$(stat -c %a "$tmp/f05.docx")" 600 "docx mode"
unzip -tq "$tmp/f05.docx" >"$tmp/unzip" 2>&1 || fail "unzip -t: $(cat "$tmp/unzip")"

# The document read as Word would: its parts, then document.xml parsed,
# split into forms at the page breaks; each form's data table (the one
# headed STT) holds its agency's rows.
"$py" - "$tmp/f05.docx" "$tmp/tags.json" >"$tmp/py" 2>&1 <<'PY' || fail "docx: $(cat "$tmp/py")"
import json, re, sys, zipfile
import xml.etree.ElementTree as ET
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
z = zipfile.ZipFile(sys.argv[1])
names = set(z.namelist())
for part in ("[Content_Types].xml", "_rels/.rels", "word/document.xml",
             "word/styles.xml", "word/_rels/document.xml.rels"):
    assert part in names, part
assert "wordprocessingml.document.main+xml" in z.read("[Content_Types].xml").decode()
body = ET.fromstring(z.read("word/document.xml")).find(W + "body")
assert body is not None
def text(el):
    return "".join(t.text or "" for t in el.iter(W + "t"))
forms, cur = [], None
for el in body:
    if el.tag == W + "p" and el.find(".//" + W + "br[@" + W + "type='page']") is not None:
        cur = None
        continue
    if cur is None:
        cur = {"paras": [], "rows": []}
        forms.append(cur)
    if el.tag == W + "p":
        cur["paras"].append(text(el))
    elif el.tag == W + "tbl":
        rows = [[text(tc) for tc in tr.findall(W + "tc")] for tr in el.findall(W + "tr")]
        if rows and rows[0] and rows[0][0] == "STT":
            assert el.find(W + "tr/" + W + "trPr/" + W + "tblHeader") is not None, \
                "the heading row repeats on every page"
            cur["head"] = rows[0]
            cur["rows"] += rows[1:]
        else:
            cur["paras"] += [c for r in rows for c in r]
tags = json.load(open(sys.argv[2]))
want = sorted(t["target"].upper() for t in tags if t["kind"] == "revoke")
seen, agencies = [], []
for f in forms:
    t = "\n".join(f["paras"])
    for s in ("Mẫu số 05", "ĐỀ NGHỊ THU HỒI CHỨNG THƯ CHỮ KÝ SỐ",
              "Kính gửi: Cục Chứng thực số và Bảo mật thông tin",
              "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
              "Hưng Yên, ngày 06 tháng 12 năm 2026", "THỦ TRƯỞNG CƠ QUAN, TỔ CHỨC"):
        assert s in t, (s, t[:300])
    assert f["head"][:6] == ["STT", "Tên chứng thư/thuê bao", "Email",
        "Serial chứng thư", "Mã thiết bị", "Lý do thu hồi"], f["head"]
    m = re.search(r"Tên cơ quan, tổ chức đề nghị: (.*)", t)
    agencies.append(m.group(1))
    n = re.search(r"thu hồi (\d+) chứng thư", t)
    assert n and int(n.group(1)) == len(f["rows"]), (n and n.group(0), len(f["rows"]))
    for i, r in enumerate(f["rows"]):
        assert r[0] == str(i + 1), r
        seen.append(r[3])
assert sorted(seen) == want, (sorted(seen), want)
assert len(agencies) == len(set(agencies)), agencies
assert "Sở Tài chính (tỉnh An Hòa)" in agencies, agencies
assert "Sở Tài chính (tỉnh Sơn Tây)" in agencies, agencies
# the text is text: markup in a reason is escaped, not taken as markup
assert any("=cmd|' /C calc'!A0 & <b>" in r[5] for f in forms for r in f["rows"])
print(len(forms), len(seen))
PY
nforms=$(grep -c '"kind": "revoke"' "$tmp/tags.json")
expect_eq "$(tail -1 "$tmp/py" | cut -d' ' -f2)" "$nforms" "revoke rows in the document"

# python3-docx, where it is installed, opens it as Word documents open
if "$py" -c 'import docx' 2>/dev/null; then
	"$py" - "$tmp/f05.docx" >"$tmp/pydocx" 2>&1 <<'PY' || fail "python-docx: $(cat "$tmp/pydocx")"
import sys, docx
d = docx.Document(sys.argv[1])
heads = [t for t in d.tables if t.rows[0].cells[0].text == "STT"]
assert heads, "no table headed STT"
assert d.sections[0].page_width > 0
assert any("Mẫu số 05" in p.text for p in d.paragraphs)
PY
fi

# the format follows the name, or --format; a contradiction is refused
expect_status 0 td forms --kind renew --batch "$batch" --format docx -o "$tmp/f04"
unzip -tq "$tmp/f04" >/dev/null 2>&1 || fail "--format docx wrote no sound zip"
unzip -p "$tmp/f04" word/document.xml >"$tmp/f04.xml"
expect_in "$tmp/f04.xml" "Lê Thị Mai"
expect_in "$tmp/f04.xml" "GIA HẠN"
expect_status 64 td forms --kind revoke --batch "$batch" --format xlsx -o "$tmp/x.docx"
[ ! -e "$tmp/x.docx" ] || fail "a refused format wrote a file"
# a batch that does not exist: an error, no file
expect_status 66 td forms --kind revoke --batch 99 -o "$tmp/none.docx"
[ ! -e "$tmp/none.docx" ] || fail "a missing batch wrote a file"
# a folder where the file should go: refused, nothing made (outfile.h)
mkdir "$tmp/adir.docx"
expect_status 73 td forms --kind revoke --batch "$batch" -o "$tmp/adir.docx"
finish
